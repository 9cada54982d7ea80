"""A finalised or published edition with decisions, for the tests of the ceremony material (e-mails, certificates,
exports): prizes in a category, a special mention, applicants who won nothing, and some who hear nothing."""

import datetime
from types import SimpleNamespace

from judging.models import EditionAward, PrizeTier
from portal.models import Edition, EditionRole
from submissions.models import Application

from .awards import AwardDecisionFactory, EditionAwardFactory, PrizeTierFactory
from .portal import EditionFactory, EditionRoleFactory, MembershipFactory, OrganisationFactory
from .submissions import ApplicationFactory, CategoryFactory

# 20 November 2026, 16:30 UTC is 21 November, 01:30 in Seoul: the certificates' date is the Seoul one.
FINALISED_AT = datetime.datetime(2026, 11, 20, 16, 30, tzinfo=datetime.UTC)


def _entry(edition, category, title, status, *languages):
    organisation = OrganisationFactory(name=f"{title} organisation", city="Busan", country="KR")
    members = [MembershipFactory(organisation=organisation, user__language=language,
                                 user__name=f"{title} member {number}").user
               for number, language in enumerate(languages, start=1)]
    return ApplicationFactory(edition=edition, category=category, title=title, status=status,
                              organisation=organisation), members


def ceremony_edition(*, state: str = Edition.State.PUBLISHED, chair: bool = True) -> SimpleNamespace:
    """Gold and silver in "Human-centric", a special mention, two applicants without a prize, a draft, a withdrawal.

    The gold winner's organisation has a Korean and an English member; the others one member each (the silver's
    reads Korean, the rest chose no language, so they read the site's default).
    """
    # Built while the committee deliberates, then locked: a finalised edition refuses new rows (judging.signals).
    edition = EditionFactory(state=Edition.State.DELIBERATION, name="Seoul Smart City Prize 2026",
                             time_zone="Asia/Seoul", finalised_at=FINALISED_AT)
    category = CategoryFactory(edition=edition, name="Human-centric")
    gold = PrizeTierFactory(category=category, level=PrizeTier.Level.GOLD, places=1, position=1)
    silver = PrizeTierFactory(category=category, level=PrizeTier.Level.SILVER, places=2, position=2)
    eligible, withdrawn = Application.Status.ELIGIBLE, Application.Status.WITHDRAWN
    gold_entry, gold_members = _entry(edition, category, "Hillside buses", eligible, "ko", "en")
    silver_entry, silver_members = _entry(edition, category, "Flood sensors", eligible, "ko")
    mention_entry, mention_members = _entry(edition, category, "Open budget", eligible, "")
    other_entry, other_members = _entry(edition, category, "Smart benches", eligible, "")
    ineligible_entry, ineligible_members = _entry(edition, category, "Late paperwork", Application.Status.INELIGIBLE, "")
    draft_entry, draft_members = _entry(edition, category, "Never sent", Application.Status.DRAFT, "")
    withdrawn_entry, withdrawn_members = _entry(edition, category, "Changed our mind", withdrawn, "")
    decisions = [
        AwardDecisionFactory(tier=gold, application=gold_entry, proposed_rank=1),
        AwardDecisionFactory(tier=silver, application=silver_entry, proposed_rank=2),
        # The second silver place is left empty by the committee.
        AwardDecisionFactory(tier=silver, application=None, proposed_rank=None, departs=True,
                             reason="Only one entry reached the level of a silver prize."),
    ]
    mention = EditionAwardFactory(edition=edition, kind=EditionAward.Kind.SPECIAL_MENTION, name="Special mention")
    decisions.append(AwardDecisionFactory(tier=None, category=None, edition=edition, award=mention,
                                          application=mention_entry, proposed_rank=None,
                                          citation="For a budget every resident can read."))
    chair_user = EditionRoleFactory(edition=edition, role=EditionRole.Role.CHAIR, user__name="Kim Min-jun").user \
        if chair else None
    lock_edition(edition, state)
    return SimpleNamespace(
        edition=edition, category=category, gold=gold, silver=silver, mention=mention, decisions=decisions,
        chair=chair_user,
        gold_entry=gold_entry, silver_entry=silver_entry, mention_entry=mention_entry, other_entry=other_entry,
        ineligible_entry=ineligible_entry, draft_entry=draft_entry, withdrawn_entry=withdrawn_entry,
        members={"gold": gold_members, "silver": silver_members, "mention": mention_members, "other": other_members,
                 "ineligible": ineligible_members, "draft": draft_members, "withdrawn": withdrawn_members},
    )


def lock_edition(edition: Edition, state: str) -> None:
    """Move a test edition built unlocked to `state` (finalised or published) as the chair's services would end it."""
    Edition.objects.filter(pk=edition.pk).update(state=state)
    edition.refresh_from_db(fields=["state"])

"""The committee's decisions: one audited service call each; departures need a reason; ties are decided, not broken."""

import io
import zipfile
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from judging.models import AwardDecision, CategoryConsideration, DeliberationMinutes
from judging.services import deliberation as services
from portal.models import AuditEntry, Edition
from tests.factories import EditionAwardFactory, make_pdf
from tests.factories.ceremony import lock_edition
from tests.factories.deliberation import award_world

pytestmark = pytest.mark.django_db


def _decided(world) -> list[tuple]:
    return [(d.tier.level if d.tier else d.award.name, d.application.title if d.application else None, d.departs)
            for d in AwardDecision.objects.filter(edition=world.edition).order_by("id")]


def test_accepting_the_proposal_decides_every_place_with_its_rank():
    world = award_world([9, 8, 7, 6, 5, 4, 3])
    chair = world.role("chair")
    services.proposal_accept(edition=world.edition, category=world.category, user=chair)
    assert _decided(world) == [("gold", "Entry 1", False), ("silver", "Entry 2", False), ("silver", "Entry 3", False),
                               ("bronze", "Entry 4", False), ("bronze", "Entry 5", False), ("bronze", "Entry 6", False)]
    assert list(AwardDecision.objects.values_list("proposed_rank", flat=True).order_by("id")) == [1, 2, 3, 4, 5, 6]
    entry = AuditEntry.objects.filter(action="award.accept").order_by("id").first()
    assert (AuditEntry.objects.filter(action="award.accept").count(), entry.actor, entry.before) == (6, chair, None)
    assert entry.after["application"] == world.entries[0].pk
    with pytest.raises(ValidationError, match="every place is decided"):
        services.proposal_accept(edition=world.edition, category=world.category, user=chair)


@pytest.mark.parametrize("scores, tier", [
    ([9, 9, 7, 6, 5, 4, 3], "gold"),  # gold/silver
    ([9, 8, 7, 7, 5, 4, 3], "silver"),  # silver/bronze
    ([9, 8, 7, 6, 5, 4, 4], "bronze"),  # bronze/none
])
def test_a_tie_at_a_boundary_blocks_acceptance_until_the_criterion_decides_it(scores, tier):
    world = award_world(scores, medians=[7, 6, 5, 4, 3, 2, 1])
    Edition.objects.filter(pk=world.edition.pk).update(tie_break="criterion", tie_break_criterion="Impact")
    world.edition.refresh_from_db()
    member = world.role("committee")
    with pytest.raises(ValidationError, match="tie for 1"):
        services.proposal_accept(edition=world.edition, category=world.category, user=member)
    assert AwardDecision.objects.count() == 0
    [decision] = services.tie_break_apply(edition=world.edition, category=world.category, tier=world.tier(tier),
                                          user=member)
    # The higher median on "Impact" wins: the first of the tied entries here.
    tied = [i for i, s in enumerate(scores) if scores.count(s) > 1]
    assert (decision.application, decision.tie_break, decision.departs) == (
        world.entries[tied[0]], "criterion “Impact” (higher median)", False)
    assert AuditEntry.objects.get(action="award.tie_break").after["tie_break"] == decision.tie_break
    services.proposal_accept(edition=world.edition, category=world.category, user=member)
    assert AwardDecision.objects.filter(tier__isnull=False, application__isnull=False).count() == 6


def test_a_criterion_that_does_not_separate_the_tie_leaves_it_to_the_committee():
    world = award_world([9, 9, 7], medians=[5, 5, 4])
    Edition.objects.filter(pk=world.edition.pk).update(tie_break="criterion", tie_break_criterion="Impact")
    world.edition.refresh_from_db()
    with pytest.raises(ValidationError, match="tied on “Impact” too"):
        services.tie_break_apply(edition=world.edition, category=world.category, tier=world.tier("gold"),
                                 user=world.role("chair"))


def test_the_chairs_casting_decision_is_the_chairs_with_a_reason():
    world = award_world([9, 9, 7])
    gold = world.tier("gold")
    with pytest.raises(ValidationError, match="only the chair"):
        services.tie_break_apply(edition=world.edition, category=world.category, tier=gold,
                                 user=world.role("committee"),
                                 application=world.entries[1], reason="Better evidence")
    chair = world.role("chair")
    with pytest.raises(ValidationError) as refused:
        services.tie_break_apply(edition=world.edition, category=world.category, tier=gold, user=chair,
                                 application=world.entries[1])
    assert list(refused.value.error_dict) == ["reason"]
    with pytest.raises(ValidationError) as refused:
        services.tie_break_apply(edition=world.edition, category=world.category, tier=gold, user=chair,
                                 application=world.entries[2], reason="Not tied")
    assert list(refused.value.error_dict) == ["application"]
    [decision] = services.tie_break_apply(edition=world.edition, category=world.category, tier=gold, user=chair,
                                          application=world.entries[1], reason="Better evidence of impact")
    assert (decision.tie_break, decision.reason, decision.decided_by) == (
        "the chair's casting decision", "Better evidence of impact", chair)


def test_a_departure_from_the_ranking_needs_a_written_reason():
    world = award_world([9, 8, 7, 6, 5, 4, 3])
    member = world.role("committee")
    with pytest.raises(ValidationError) as refused:
        services.award_decide(edition=world.edition, tier=world.tier("gold"), application=world.entries[6],
                              user=member, reason="   ")
    assert list(refused.value.error_dict) == ["reason"]
    assert AwardDecision.objects.count() == 0
    decision = services.award_decide(edition=world.edition, tier=world.tier("gold"), application=world.entries[6],
                                     user=member, reason="The only project already scaled to the whole city.")
    assert (decision.departs, decision.proposed_rank) == (True, 7)
    # The proposed entry needs no reason.
    decision = services.award_decide(edition=world.edition, tier=world.tier("silver"), application=world.entries[0],
                                     user=member)
    assert decision.departs is False
    audit = AuditEntry.objects.filter(action="award.decide").order_by("id").first()
    assert (audit.actor, audit.before, audit.after["departs"], audit.after["reason"]) == (
        member, None, True, "The only project already scaled to the whole city.")
    # Gold is full now.
    with pytest.raises(ValidationError, match="All 1 Gold places are decided"):
        services.award_decide(edition=world.edition, tier=world.tier("gold"), application=world.entries[1],
                              user=member, reason="x")


def test_a_place_left_empty_needs_a_reason_and_the_proposal_fills_the_others():
    world = award_world([9, 8, 7, 6, 5, 4, 3])
    member = world.role("chair")
    with pytest.raises(ValidationError) as refused:
        services.tier_place_leave_empty(tier=world.tier("bronze"), user=member, reason="")
    assert list(refused.value.error_dict) == ["reason"]
    services.tier_place_leave_empty(tier=world.tier("bronze"), user=member, reason="No third project of that level.")
    services.proposal_accept(edition=world.edition, category=world.category, user=member)
    assert _decided(world) == [("bronze", None, True), ("gold", "Entry 1", False), ("silver", "Entry 2", False),
                               ("silver", "Entry 3", False), ("bronze", "Entry 4", False), ("bronze", "Entry 5", False)]


def test_an_entry_moved_to_another_category_is_awarded_there_and_keeps_its_own_category():
    world = award_world([9, 8, 7])
    other = award_world([6, 5], edition=world.edition, name="Tech-innovative", tiers=(("winner", 1),))
    member = world.role("committee")
    entry = world.entries[1]
    with pytest.raises(ValidationError, match="considered in another category"):
        services.award_decide(edition=world.edition, tier=other.tier("winner"), application=entry, user=member,
                              reason="x")
    with pytest.raises(ValidationError) as refused:
        services.entry_move_category(application=entry, category=other.category, user=member, reason="")
    assert list(refused.value.error_dict) == ["reason"]
    services.entry_move_category(application=entry, category=other.category, user=member,
                                 reason="Its platform is the technology story of the year.")
    decision = services.award_decide(edition=world.edition, tier=other.tier("winner"), application=entry,
                                     user=member, reason="Stronger than the category's own entries.")
    entry.refresh_from_db()
    assert (decision.category, decision.departs, entry.category) == (other.category, True, world.category)
    assert AuditEntry.objects.get(action="award.move_category").after == {
        "category": other.category.pk, "reason": "Its platform is the technology story of the year."}
    # Its own category's proposal goes on without it.
    services.proposal_accept(edition=world.edition, category=world.category, user=member)
    assert AwardDecision.objects.get(tier=world.tier("gold")).application == world.entries[0]
    assert [d.application for d in AwardDecision.objects.filter(tier=world.tier("silver"))] == [world.entries[2]]
    # Moving it back is refused while it holds a prize.
    with pytest.raises(ValidationError, match="already has a prize"):
        services.entry_move_category(application=entry, category=world.category, user=member, reason="Back")
    assert CategoryConsideration.objects.count() == 1


def test_an_edition_award_needs_a_citation_and_respects_its_recipients():
    world = award_world([9, 8, 7])
    award = EditionAwardFactory(edition=world.edition, name="Leadership award", kind="leadership", max_recipients=1)
    member = world.role("committee")
    with pytest.raises(ValidationError) as refused:
        services.edition_award_give(award=award, application=world.entries[0], citation=" ", user=member)
    assert list(refused.value.error_dict) == ["citation"]
    services.edition_award_give(award=award, application=world.entries[0], citation="A mayor's vision.", user=member)
    with pytest.raises(ValidationError, match="at most 1 recipients"):
        services.edition_award_give(award=award, application=world.entries[1], citation="Also", user=member)
    # An entry may hold a category prize and an edition award.
    services.proposal_accept(edition=world.edition, category=world.category, user=member)
    assert AwardDecision.objects.filter(application=world.entries[0]).count() == 2


def test_a_revoked_decision_is_gone_and_its_before_is_kept_in_the_audit_trail():
    world = award_world([9, 8, 7])
    member = world.role("chair")
    [gold, *_] = services.proposal_accept(edition=world.edition, category=world.category, user=member)
    with pytest.raises(ValidationError):
        services.award_decision_revoke(decision=gold, user=member, reason="")
    services.award_decision_revoke(decision=gold, user=member, reason="Withdrawn by the city.")
    entry = AuditEntry.objects.get(action="award.revoke")
    assert (entry.before["application"], entry.after) == (world.entries[0].pk,
                                                          {"revoked": True, "reason": "Withdrawn by the city."})
    assert not AwardDecision.objects.filter(tier=world.tier("gold")).exists()


@pytest.mark.parametrize("state, message", [
    (Edition.State.FINALISED, "finalised"), (Edition.State.PUBLISHED, "finalised"),
    (Edition.State.SCREENING, "judging or in deliberation"),
])
def test_every_decision_is_refused_outside_judging_and_deliberation(state, message):
    world = award_world([9, 8, 7], state=Edition.State.DELIBERATION)
    award = EditionAwardFactory(edition=world.edition)
    user = world.role("chair")
    lock_edition(world.edition, state)
    calls = [
        lambda: services.proposal_accept(edition=world.edition, category=world.category, user=user),
        lambda: services.award_decide(edition=world.edition, tier=world.tier("gold"), application=world.entries[0],
                                      user=user),
        lambda: services.tier_place_leave_empty(tier=world.tier("gold"), user=user, reason="x"),
        lambda: services.entry_move_category(application=world.entries[0], category=world.category, user=user,
                                             reason="x"),
        lambda: services.edition_award_give(award=award, application=world.entries[0], citation="x", user=user),
        lambda: services.tie_break_apply(edition=world.edition, category=world.category, tier=world.tier("gold"),
                                         user=user),
        lambda: services.minutes_add(edition=world.edition, user=user, held_on=date(2026, 11, 20), text="x"),
    ]
    for call in calls:
        with pytest.raises(ValidationError, match=message):
            call()
    assert (AwardDecision.objects.count(), AuditEntry.objects.count()) == (0, 0)


def _odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def test_minutes_keep_a_pdf_or_odt_file_and_refuse_anything_else():
    world = award_world([9])
    user = world.role("committee")
    minutes = services.minutes_add(edition=world.edition, user=user, held_on=date(2026, 11, 20), text="Met.",
                                   file=SimpleUploadedFile("signed.pdf", make_pdf()))
    assert minutes.file.name.endswith("minutes-2026-11-20.pdf")
    odt = services.minutes_add(edition=world.edition, user=user, held_on=date(2026, 11, 21), text="Met again.",
                               file=SimpleUploadedFile("notes.odt", _odt()))
    assert odt.file.name.endswith(".odt")
    with pytest.raises(ValidationError) as refused:
        services.minutes_add(edition=world.edition, user=user, held_on=date(2026, 11, 22), text="x",
                             file=SimpleUploadedFile("minutes.pdf", b"MZ\x90\x00 not a pdf at all"))
    assert list(refused.value.error_dict) == ["file"]
    assert DeliberationMinutes.objects.count() == 2
    assert AuditEntry.objects.filter(action="minutes.add").count() == 2

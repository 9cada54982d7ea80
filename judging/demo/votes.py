"""The World Smart City Awards path of the judged demo: category round → finalists → final round → committee vote.

`seed_world_vote` plans the final round (before the category round closes, so the edition keeps judging), closes
the category round, shortlists the top FINALISTS of each category for the final round's committee vote,
assigns and opens it (its judges' queues are left for
the newcomer who logs in as a demo judge), and has the three demo committee members vote. Their ballots
give one winner per category; in the last category committee3 belongs to the leading finalist's
organisation, so the ballot page shows that entry as recused and the count a tie further down.
Every write goes through the services; running it again changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from judging.models import Ballot, EntryResult, JudgingRound, Shortlisting
from judging.services import assignment_runs, round_jobs, shortlist, votes
from judging.services import rounds as round_services
from portal.models import Edition, EditionRole, Membership, User
from portal.services import membership_add, role_grant

from .people import demo_user

FINAL_ROUND_NAME = "Final round"
FINALISTS = 3
COMMITTEE_USERS = [
    ("committee1@demo.example", "Demo Committee One"),
    ("committee2@demo.example", "Demo Committee Two"),
    ("committee3@demo.example", "Demo Committee Three"),
]
# Each member's ranking of a category's finalists by their place in the category round (0 = first), per
# category in order; None marks the finalist committee3 is recused from. Category 2 departs from the scores.
BALLOTS = [
    ([[0], [1], [2]], [[1], [0], [2]], [[0], [2], [1]]),
    ([[1], [0], [2]], [[1], [2], [0]], [[0], [1], [2]]),
    ([[0], [1], [2]], [[0], [2], [1]], [[1, 2]]),
]
RECUSED_CATEGORY, RECUSED_FINALIST = 2, 0


def committee_members(edition: Edition, *, password: str) -> list[User]:
    """committee1..3@demo.example, committee members of `edition`."""
    members = []
    for email, name in COMMITTEE_USERS:
        user = demo_user(email, name, password=password)
        role_grant(edition=edition, user=user, role=EditionRole.Role.COMMITTEE)
        members.append(user)
    return members


def _finalists(category_round: JudgingRound, category_id: int) -> list[int]:
    """The category's shortlisted entries, best of the category round first."""
    listed = set(Shortlisting.objects.filter(round=category_round, application__category_id=category_id)
                 .values_list("application_id", flat=True))
    ranked = EntryResult.objects.filter(round=category_round, application_id__in=listed).order_by(
        "rank", "application_id").values_list("application_id", flat=True)
    return list(ranked)


def seed_world_vote(edition: Edition, *, category_round: JudgingRound, secretariat: User,
                    password: str) -> JudgingRound:
    members = committee_members(edition, password=password)
    # The final round is planned before the category round closes: closing the edition's last unfinished round
    # would end its judging (the edition would move to deliberation).
    categories = list(category_round.categories.order_by("position", "pk"))
    final = JudgingRound.objects.filter(edition=edition, name=FINAL_ROUND_NAME).first()
    if final is None:
        final = round_services.round_create(
            edition=edition, user=secretariat, name=FINAL_ROUND_NAME, categories=categories,
            position=category_round.position + 1, source=JudgingRound.Source.SHORTLIST,
            previous_round=category_round, judges_per_entry=3, deadline=timezone.now() + timedelta(days=14),
            reminder_hours=[24], committee_vote=True,
        )
    if category_round.state == JudgingRound.State.OPEN:
        category_round = round_jobs.round_close(round=category_round, user=secretariat)
    if not Shortlisting.objects.filter(round=category_round).exists():
        shortlist.shortlist_top(judging_round=category_round, per_category=FINALISTS, user=secretariat)
    if final.state == JudgingRound.State.SCHEDULED:
        run = round_jobs.assignment_run_create(round=final, user=secretariat, enqueue=False)
        assignment_runs.round_assign(run=run)
        final.refresh_from_db()
    if final.state == JudgingRound.State.ASSIGNING:
        final = round_services.round_open(round=final, user=secretariat)

    for number, category in enumerate(categories):
        finalists = _finalists(category_round, category.pk)
        if len(finalists) < FINALISTS:
            continue
        if number == RECUSED_CATEGORY:
            organisation = EntryResult.objects.get(round=category_round,
                                                   application_id=finalists[RECUSED_FINALIST]).application.organisation
            membership_add(organisation=organisation, user=members[2], role=Membership.Role.MEMBER)
        for member, places in zip(members, BALLOTS[number % len(BALLOTS)], strict=True):
            if Ballot.objects.filter(round=final, category=category, voter=member).exists():
                continue
            ranking = [[finalists[place] for place in group] for group in places]
            votes.ballot_save(judging_round=final, category=category, voter=member, ranking=ranking)
    return final

"""Rounds: their settings and THE round state machine.

A round moves scheduled → assigning (`round_start_assigning`, or the first run of the assigner)
→ open (`round_open`: judges score) → closed (`round_jobs.round_close`: results are computed)
→ scored (`round_mark_scored`, when the results are in). The edition follows: the first round to open moves it from
screening to judging, closing the last unfinished round moves it to deliberation. Every move goes through `round_move`,
which locks the row, checks `ROUND_TRANSITIONS`, saves and writes the audit entry; nothing else
writes `JudgingRound.state`. (`round_close` sits in round_jobs.py because it enqueues the
aggregation, whose service calls `round_mark_scored` here: keeping them apart keeps tasks leaves.)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Edition, User, Webhook
from portal.services import audit_log, snapshot, webhooks
from portal.services import editions as edition_services

from ..models import Assignment, JudgingRound, Review
from ..selectors.assignment import ACTIVE_STATES, round_has_running_assigner
from ..tasks.notifications import notify_judges
from .assignment_summaries import assignment_summaries_refresh
from .locks import ensure_edition_unlocked, ensure_results_unlocked, round_lock
from .rubrics import round_rubric_gaps

RoundState = JudgingRound.State

# Rounds whose assignments may still change; closed and scored rounds are history.
CHANGEABLE_ROUND_STATES = (RoundState.SCHEDULED, RoundState.ASSIGNING, RoundState.OPEN)
# Rounds that keep the edition judging: once none is left (the last one closed) the edition moves to deliberation.
UNFINISHED_ROUND_STATES = CHANGEABLE_ROUND_STATES

# Every move a round's state may make.
ROUND_TRANSITIONS: dict[str, frozenset[str]] = {
    RoundState.SCHEDULED: frozenset({RoundState.ASSIGNING}),
    RoundState.ASSIGNING: frozenset({RoundState.OPEN}),
    RoundState.OPEN: frozenset({RoundState.CLOSED}),
    RoundState.CLOSED: frozenset({RoundState.SCORED}),
    RoundState.SCORED: frozenset(),
}

ROUND_FIELDS = ("name", "position", "source", "previous_round", "judges_per_entry", "deadline", "blind",
                "reminder_hours", "committee_vote", "connected_panels")


def ensure_round_changeable(judging_round: JudgingRound) -> None:
    if judging_round.state not in CHANGEABLE_ROUND_STATES:
        raise ValidationError(
            _("The round “%(round)s” is %(state)s: its assignments no longer change.")
            % {"round": judging_round.name, "state": judging_round.get_state_display().lower()},
            code="round_closed",
        )


def round_move(judging_round: JudgingRound, to: str, *, user: User | None) -> JudgingRound:
    """The one writer of a round's state: lock the row, check the move, save, audit. Inside a transaction."""
    locked = round_lock(judging_round.pk)
    before = locked.state
    if to not in ROUND_TRANSITIONS[before]:
        raise ValidationError(
            _("The round “%(round)s” is %(state)s: it cannot become %(to)s.")
            % {"round": locked.name, "state": locked.get_state_display().lower(), "to": RoundState(to).label.lower()},
            code="state",
        )
    judging_round.state = to
    judging_round.save(update_fields=["state"])
    audit_log(actor=user, action=f"round.{to}", target=judging_round, edition_id=judging_round.edition_id,
              before={"state": before}, after={"state": to})
    if to == RoundState.CLOSED:
        webhooks.emit(edition_id=judging_round.edition_id, event=Webhook.Event.ROUND_CLOSED, data={
            "round_id": judging_round.pk, "name": judging_round.name, "closed_at": timezone.now(),
            "categories": list(judging_round.categories.order_by("position", "pk").values_list("slug", flat=True)),
        })
    return judging_round


# --- settings ---------------------------------------------------------------------------------------------


def _check_round_categories(judging_round: JudgingRound, categories: Iterable) -> list:
    categories = list(categories)
    if not categories:
        raise ValidationError({"categories": _("A round covers at least one category.")})
    if any(category.edition_id != judging_round.edition_id for category in categories):
        raise ValidationError({"categories": _("A round covers categories of its own edition only.")})
    return categories


@transaction.atomic
def round_create(*, edition: Edition, user: User | None, name: str, categories: Iterable, deadline: datetime,
                 position: int = 1, source: str = JudgingRound.Source.ELIGIBLE,
                 previous_round: JudgingRound | None = None, judges_per_entry: int = 3, blind: bool = False,
                 reminder_hours: list[int] | None = None, committee_vote: bool = False,
                 connected_panels: bool = False) -> JudgingRound:
    ensure_edition_unlocked(edition)
    judging_round = JudgingRound(
        edition=edition, name=name.strip(), position=position, source=source, previous_round=previous_round,
        judges_per_entry=judges_per_entry, deadline=deadline, blind=blind, reminder_hours=reminder_hours or [],
        committee_vote=committee_vote, connected_panels=connected_panels,
    )
    categories = _check_round_categories(judging_round, categories)
    judging_round.full_clean()
    judging_round.save()
    judging_round.categories.set(categories)
    assignment_summaries_refresh(judging_round=judging_round, category_ids=[c.pk for c in categories])  # all zero
    audit_log(actor=user, action="round.create", target=judging_round, edition=edition,
              after={**snapshot(judging_round), "categories": sorted(c.pk for c in categories)})
    return judging_round


@transaction.atomic
def round_update(*, round: JudgingRound, user: User | None, data: dict) -> JudgingRound:  # noqa: A002
    """Change a round's settings (not its state). `data` holds any of ROUND_FIELDS and `categories`.

    Only while the round can still change (scheduled, assigning, open: a deadline may move while judges
    score); a closed round's settings are those its results were computed under.
    """
    judging_round = round_lock(round.pk)
    if judging_round.state not in CHANGEABLE_ROUND_STATES:
        raise ValidationError(
            _("The round “%(round)s” is %(state)s: its settings no longer change.")
            % {"round": judging_round.name, "state": judging_round.get_state_display().lower()},
            code="round_closed",
        )
    before = {**snapshot(judging_round), "categories": sorted(judging_round.categories.values_list("pk", flat=True))}
    for name in ROUND_FIELDS:
        if name in data:
            setattr(judging_round, name, data[name])
    judging_round.full_clean()
    judging_round.save(update_fields=list(ROUND_FIELDS))  # never the state: _round_move writes it
    if "categories" in data:
        judging_round.categories.set(_check_round_categories(judging_round, data["categories"]))
    after = {**snapshot(judging_round), "categories": sorted(judging_round.categories.values_list("pk", flat=True))}
    if after["judges_per_entry"] != before["judges_per_entry"]:  # the summaries keep the entries short of k
        assignment_summaries_refresh(judging_round=judging_round)
    elif added := set(after["categories"]) - set(before["categories"]):  # the page reads a row per category
        assignment_summaries_refresh(judging_round=judging_round, category_ids=added)
    if after != before:
        audit_log(actor=user, action="round.update", target=judging_round, edition_id=judging_round.edition_id,
                  before=before, after=after)
    return judging_round


@transaction.atomic
def round_scoring_settings_update(*, round: JudgingRound, user: User | None,  # noqa: A002 - as round_open
                                  explanation_to_applicants: bool, aggregation_method: str | None = None
                                  ) -> JudgingRound:
    """The round's scoring settings: whether applicants read their explanation card after publication, and how the
    scores are combined (results already computed keep their method; the next computation uses the new one).
    Where prize tiers end is each category's PrizeTier rows, set on the awards set-up page."""
    judging_round = round_lock(round.pk)
    ensure_results_unlocked(judging_round)
    fields = ("explanation_to_applicants", "aggregation_method")
    before = {field: getattr(judging_round, field) for field in fields}
    judging_round.explanation_to_applicants = explanation_to_applicants
    if aggregation_method is not None:
        judging_round.aggregation_method = aggregation_method
    judging_round.full_clean(exclude=["categories"])
    after = {field: getattr(judging_round, field) for field in fields}
    if after != before:
        judging_round.save(update_fields=[field for field in fields if after[field] != before[field]])
        audit_log(actor=user, action="round.scoring_settings", target=judging_round,
                  edition_id=judging_round.edition_id, before=before, after=after)
    return judging_round


# --- the state machine ------------------------------------------------------------------------------------


@transaction.atomic
def round_start_assigning(*, round: JudgingRound, user: User | None) -> JudgingRound:  # noqa: A002
    """scheduled → assigning. A round already assigning or open stays as it is."""
    judging_round = round_lock(round.pk)
    ensure_round_changeable(judging_round)
    if judging_round.state == RoundState.SCHEDULED:
        round_move(judging_round, RoundState.ASSIGNING, user=user)
    return judging_round


@transaction.atomic
def round_open(*, round: JudgingRound, user: User | None) -> JudgingRound:  # noqa: A002
    """assigning → open: judges may score, and each is e-mailed the entries they have.

    The first round to open ends the screening: the edition moves on to judging with it.
    """
    judging_round = round_lock(round.pk)
    if judging_round.state != RoundState.ASSIGNING:
        raise ValidationError(_("Only a round being assigned can be opened for scoring."), code="state")
    if round_has_running_assigner(round=judging_round):
        raise ValidationError(_("Wait until the assigner has finished."), code="running")
    if not Assignment.objects.filter(round=judging_round, state__in=ACTIVE_STATES).exists():
        raise ValidationError(_("Nobody is assigned yet: run the assigner first."), code="empty")
    if gaps := round_rubric_gaps(judging_round):
        raise ValidationError(_("The round cannot open until each of its categories has a complete rubric: "
                                "%(gaps)s") % {"gaps": " ".join(gaps)}, code="rubric")
    round_move(judging_round, RoundState.OPEN, user=user)
    if judging_round.edition.state in (Edition.State.SCREENING, Edition.State.DELIBERATION):
        # The first round ends the screening; a round opened after the last one closed takes the edition back
        # from deliberation to judging (its work is not done yet).
        edition_services.edition_start_judging(edition=judging_round.edition, user=user)
    notify_judges.delay_on_commit(round_id=judging_round.pk)
    return judging_round


@transaction.atomic
def round_mark_scored(*, judging_round: JudgingRound, user: User | None) -> bool:
    """closed → scored once its results are computed. Rounds in any other state keep it."""
    if round_lock(judging_round.pk).state != RoundState.CLOSED:
        return False
    round_move(judging_round, RoundState.SCORED, user=user)
    return True


def round_ensure_deletable(judging_round: JudgingRound) -> None:
    """Refuse to delete a round that judges have scored in (their reviews would go with it) or a locked one."""
    ensure_edition_unlocked(judging_round.edition)
    if Review.objects.filter(assignment__round=judging_round).exists():
        raise ValidationError(
            _("“%(round)s” has reviews and cannot be deleted: judges' scores are never thrown away.")
            % {"round": judging_round.name}, code="has_reviews")


@transaction.atomic
def round_delete(*, round: JudgingRound, user: User | None) -> None:  # noqa: A002 - as round_open
    """Delete a round nobody has scored in yet (its assignments go with it); audited with what it was."""
    judging_round = JudgingRound.objects.select_for_update().select_related("edition").get(pk=round.pk)
    round_ensure_deletable(judging_round)
    audit_log(actor=user, action="round.delete", target=judging_round, edition=judging_round.edition,
              before={**snapshot(judging_round), "categories": sorted(
                  judging_round.categories.values_list("pk", flat=True))})
    judging_round.delete()

"""The guards every judging write shares: the edition's final lock and the round's row lock.

Once the chair has finalised an edition (and after publication) nothing of its judging changes. The lock
holds in depth:

1. Services. Every service that writes scores, reviews, assignments, runs, results, the shortlist,
   calibration entries, rubrics, rounds, prizes, decisions, minutes or ballots asks
   `ensure_edition_unlocked` (directly, through `ensure_results_unlocked`, or through `round_lock`, which
   every round and assignment write takes) before it writes. The check reads the edition's state from the
   database under a shared row lock (PostgreSQL `FOR SHARE`), so it serialises with `edition_finalise`, which
   holds `FOR UPDATE` on the same row: a score racing finalisation is either in before it or refused after.
2. The model guard (judging/signals.py): `pre_save`/`pre_delete` receivers refuse a change to any of those
   rows whose edition is locked, whoever calls `save()` or `delete()` (the admin, a shell, a script).
3. Bulk paths send no signals, so the service guard covers them. The writers that use them, each of which
   checks the lock first:
   - `aggregation.round_aggregate` (QuerySet.delete of EntryResult/JudgeResult, COPY or bulk_create through
     bulk_copy.write_rows): `ensure_results_unlocked` under the round lock.
   - `assignment_runs._replace_assignments` (QuerySet.delete, bulk_update, bulk_create of Assignment):
     `round_lock` inside `_run_record`; `round_assign` refuses a locked edition before it claims the run.
   - `assignment_summaries.assignment_summaries_refresh` (QuerySet.delete, bulk_create of
     CategoryAssignmentSummary): only called by the assignment and round writers above, after their checks.
   - `scoring._flush` (bulk_create with update_conflicts of CriterionScore; the Review's save skips the
     model guard's query through `edition_checked`): `ensure_can_score`, then `ensure_edition_unlocked` in
     `_prepare`, in the same transaction. `assignments.assignment_set_state` saves the same way.
   - `scoring.queue_order_ensure` (bulk_update of Assignment.queue_position): does nothing in a locked
     edition.
   - `shortlist.shortlist_top` (bulk_create of Shortlisting): `_ensure_shortlist_editable`.
   - `rubrics.rubric_freeze` (QuerySet.update of Rubric.frozen_at): only reached from a review save.
   - `aggregation_runs.aggregation_run_move`/`_progress` (QuerySet.update of AggregationRun) and the
     assigner's `_Progress` (QuerySet.update of AssignmentRun): bookkeeping of a job; a job in a locked
     edition can only be marked failed.
4. The admin (judging/admin/locks.py) shows a locked edition's rows read-only; tasks refuse a locked
   edition and mark their run failed with the lock's sentence; seed_demo skips locked editions.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from portal.models import Edition

from ..models import JudgingRound

LOCKED_EDITION_STATES = (Edition.State.FINALISED, Edition.State.PUBLISHED)


class EditionLocked(ValidationError):
    """A change refused because the edition is finalised or published."""


def edition_is_locked(edition: Edition) -> bool:
    """The edition's state as this object knows it (for pages deciding what to show)."""
    return edition.state in LOCKED_EDITION_STATES


def lock_message() -> str:
    return _("The edition is finalised: nothing in it changes any more.")


def edition_state_for_write(edition_id: int) -> str | None:
    """The edition's state as stored now; inside a transaction on PostgreSQL, with a shared lock on its row.

    `FOR SHARE` lets writers of the same edition run side by side, but waits for (and then sees) a
    finalisation in progress, which holds `FOR UPDATE`.
    """
    table = connection.ops.quote_name(Edition._meta.db_table)
    share = " FOR SHARE" if connection.vendor == "postgresql" and connection.in_atomic_block else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT state FROM {table} WHERE id = %s{share}", [edition_id])  # noqa: S608 - fixed names
        row = cursor.fetchone()
    return row[0] if row else None


def ensure_edition_unlocked(edition: Edition, *, message: str | None = None, code: str = "finalised") -> None:
    """Refuse any change in a finalised or published edition; `message` says what no longer changes.

    Checks the state as stored (not only as `edition` remembers it), under a shared row lock in a transaction.
    """
    locked = edition_is_locked(edition) or (
        edition.pk is not None and edition_state_for_write(edition.pk) in LOCKED_EDITION_STATES
    )
    if locked:
        raise EditionLocked(message or lock_message(), code=code)


# Set on a row while a service saves it right after `ensure_edition_unlocked` for its edition in the same
# transaction: the model guard (judging/signals.py) then skips its own query, which would read the same state.
CHECKED_ATTRIBUTE = "_edition_unlocked_checked"


@contextmanager
def edition_checked(*instances):
    """Save `instances` inside the block without the model guard's query.

    Only for a service that has just called `ensure_edition_unlocked` on their edition in this transaction (the
    state read under its shared row lock holds until the commit); the mark is removed when the block ends.
    """
    for instance in instances:
        setattr(instance, CHECKED_ATTRIBUTE, True)
    try:
        yield
    finally:
        for instance in instances:
            instance.__dict__.pop(CHECKED_ATTRIBUTE, None)


def ensure_results_unlocked(judging_round: JudgingRound) -> None:
    """Once the chair has finalised the edition, its results are locked for good: no recompute changes them.

    One query (the edition's state as stored), whether or not the round's edition is loaded.
    """
    cached = judging_round._state.fields_cache.get("edition")
    if (cached is not None and edition_is_locked(cached)) or (
        edition_state_for_write(judging_round.edition_id) in LOCKED_EDITION_STATES
    ):
        raise EditionLocked(_("The edition is finalised: its results are locked for good."), code="finalised")


def round_lock(round_id: int) -> JudgingRound:
    """Every write to a round's state or assignments holds this row lock, so they happen one after another.

    It also refuses a round of a locked edition: every round and assignment write goes through here.
    """
    judging_round = JudgingRound.objects.select_for_update(of=("self",)).select_related("edition").get(pk=round_id)
    ensure_edition_unlocked(judging_round.edition)
    return judging_round

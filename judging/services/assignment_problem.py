"""The assigner's input: a round read from the database into the pure solver's `AssignmentProblem`.

`round_problem(round)` reads the round (one query per table) and says what the solver must keep
(fixed pairs):

* reviews already started (state in progress or submitted, or a review row exists);
* assignments made by hand (source manual) that are still not conflicted;
* calibration pairs: every active judge with expertise in a calibration entry's category
  who is not conflicted with it.

A pair the secretariat released is not offered to the solver again (it may be re-added by
hand). An entry with more fixed judges than the round wants (a calibration entry scored by the
whole category, or a judge added by hand on top of k) is complete: its pairs are kept
outside the flow and use up the judges' capacity. Capacity applies per round. The
fingerprint lets a run notice that its inputs changed between the solve and the write.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from ..algorithms.assignment import AssignmentProblem
from ..models import Assignment, JudgeProfile, JudgingRound
from ..selectors.assignment import (
    ACTIVE_STATES,
    STARTED_STATES,
    EntryTable,
    JudgeTable,
    pair_scores,
    round_entries,
)

State = Assignment.State


@dataclass(frozen=True)
class RoundProblem:
    """A round as the solver sees it, plus what maps the solution back to rows."""

    round_id: int
    problem: AssignmentProblem  # the entries that still need the flow, and the judges as columns
    entry_ids: np.ndarray  # (N,) application id of each problem row
    judge_ids: np.ndarray  # (M,) judge profile id of each problem column
    active_judges: np.ndarray  # (M,) bool; an inactive judge is a column only to keep their started reviews
    outside_pairs: np.ndarray  # (P, 2) (application id, judge id) of complete entries, kept without the flow
    outside_affinity: np.ndarray  # (P,)
    outside_load: np.ndarray  # (M,)
    calibration: frozenset[tuple[int, int]]  # (application id, judge id)
    started: int  # started reviews kept
    conflicted_started: tuple[int, ...]  # ids of started assignments that are now conflicted: cannot be kept
    entries: int  # all the round's entries, complete ones included
    fingerprint: str


def round_problem(round: JudgingRound) -> RoundProblem:  # noqa: A002
    """Build the round's assignment problem: about a dozen queries, whatever the number of entries and judges."""
    judging_round = round
    edition = judging_round.edition
    k = judging_round.judges_per_entry
    categories = list(judging_round.categories.order_by("position", "name", "pk").values_list("pk", "name"))
    entries = EntryTable.of(round_entries(round=judging_round))
    everyone = JudgeTable.of(JudgeProfile.objects.filter(edition_id=judging_round.edition_id))
    active_rows = list(
        Assignment.objects.filter(round=judging_round, state__in=ACTIVE_STATES).values_list(
            "pk", "application_id", "judge_id", "state", "source", "review__id"
        )
    )
    released_rows = list(
        Assignment.objects.filter(round=judging_round, state=State.RELEASED).values_list(
            "pk", "application_id", "judge_id")
    )
    calibration_ids = np.array(
        sorted(judging_round.calibration_entries.values_list("application_id", flat=True)), dtype=np.int64
    )

    started_rows = [r for r in active_rows if r[3] in STARTED_STATES or r[5] is not None]
    started_ids = {r[0] for r in started_rows}
    manual_rows = [r for r in active_rows if r[4] == Assignment.Source.MANUAL and r[0] not in started_ids]
    # Columns: the active judges, and inactive ones only as holders of reviews they started.
    started_judges = np.array(sorted({r[2] for r in started_rows}), dtype=np.int64)
    columns = everyone.active | np.isin(everyone.ids, started_judges)
    judges = JudgeTable(
        ids=everyone.ids[columns], user_ids=everyone.user_ids[columns],
        countries=tuple(c for c, keep in zip(everyone.countries, columns, strict=True) if keep),
        capacity=everyone.capacity[columns], active=everyone.active[columns],
    )
    n, m = entries.ids.size, judges.ids.size
    scores = pair_scores(edition=edition, entries=entries, judges=judges)
    allowed = scores.allowed

    def cells(rows: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Matrix positions of assignment rows whose entry and judge are in the problem."""
        if not rows:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0, dtype=np.int64)
        data = np.array([(r[1], r[2], r[0]) for r in rows], dtype=np.int64)
        row = np.clip(np.searchsorted(entries.ids, data[:, 0]), 0, max(n - 1, 0))
        column = np.clip(np.searchsorted(judges.ids, data[:, 1]), 0, max(m - 1, 0))
        inside = (entries.ids[row] == data[:, 0]) & (judges.ids[column] == data[:, 1]) if n and m else row < 0
        return row[inside], column[inside], data[inside, 2]

    # A pair the secretariat released is not given back by the assigner (only by hand).
    released = np.zeros((n, m), dtype=bool)
    released_row, released_column, _ids = cells(released_rows)
    released[released_row, released_column] = True

    fixed = np.zeros((n, m), dtype=bool)
    started_row, started_column, started_ids = cells(started_rows)
    still_allowed = allowed[started_row, started_column]
    conflicted_started = tuple(sorted(started_ids[~still_allowed].tolist()))
    fixed[started_row[still_allowed], started_column[still_allowed]] = True
    manual_row, manual_column, _ids = cells(manual_rows)
    keep_manual = allowed[manual_row, manual_column] & judges.active[manual_column]
    fixed[manual_row[keep_manual], manual_column[keep_manual]] = True
    calibration_rows = np.flatnonzero(np.isin(entries.ids, calibration_ids))
    calibration_cells = (scores.expert[calibration_rows] & allowed[calibration_rows] & ~released[calibration_rows]
                         & judges.active[None, :])
    fixed[calibration_rows] |= calibration_cells
    calibration_row, calibration_column = np.nonzero(calibration_cells)
    calibration = frozenset(
        zip(entries.ids[calibration_rows[calibration_row]].tolist(), judges.ids[calibration_column].tolist(),
            strict=True)
    )

    # Entries with more fixed judges than k are complete: kept as they are, outside the flow.
    complete = fixed.sum(axis=1) > k
    outside_row, outside_column = np.nonzero(fixed & complete[:, None])
    outside_pairs = np.column_stack([entries.ids[outside_row], judges.ids[outside_column]]).astype(np.int64)
    outside_affinity = scores.affinity[outside_row, outside_column].astype(np.int64)
    outside_load = np.bincount(outside_column, minlength=m).astype(np.int64)

    flow_rows = np.flatnonzero(~complete)
    flow_fixed = fixed[flow_rows]
    fixed_row, fixed_column = np.nonzero(flow_fixed)
    fixed_load = np.bincount(fixed_column, minlength=m).astype(np.int64)
    # Started reviews are kept even when the judge's capacity has since been lowered below them.
    capacity = np.where(judges.active, judges.capacity, 0) - outside_load
    capacity = np.maximum(np.maximum(capacity, 0), fixed_load)
    affinity = scores.affinity[flow_rows] if complete.any() else scores.affinity
    flow_allowed = (allowed[flow_rows] & ~released[flow_rows] & judges.active[None, :]) | flow_fixed
    category_index = {pk: i for i, (pk, _name) in enumerate(categories)}
    entry_group = np.array([category_index[c] for c in entries.category_ids[flow_rows].tolist()], dtype=np.int64)
    problem = AssignmentProblem(
        per_entry=k,
        capacity=capacity,
        affinity=affinity,
        allowed=flow_allowed,
        fixed=np.column_stack([fixed_row, fixed_column]).astype(np.int64),
        entry_group=entry_group,
        group_names=tuple(name for _pk, name in categories),
    )

    digest = hashlib.sha256()
    for part in (np.array([k, len(conflicted_started)]), entries.ids[flow_rows], judges.ids, judges.active, capacity,
                 affinity, np.packbits(flow_allowed), problem.fixed, outside_pairs, np.array(conflicted_started),
                 np.array(sorted(calibration), dtype=np.int64)):
        digest.update(np.ascontiguousarray(part).tobytes())
        digest.update(b"|")
    return RoundProblem(
        round_id=judging_round.pk,
        problem=problem,
        entry_ids=entries.ids[flow_rows],
        judge_ids=judges.ids,
        active_judges=judges.active,
        outside_pairs=outside_pairs,
        outside_affinity=outside_affinity,
        outside_load=outside_load,
        calibration=calibration,
        started=int(still_allowed.sum()),
        conflicted_started=conflicted_started,
        entries=n,
        fingerprint=digest.hexdigest(),
    )


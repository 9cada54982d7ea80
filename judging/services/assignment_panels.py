"""Connected panels for a round that asks for them: the assigner's solution repaired so that each category's judges
are linked through shared entries (`judging.algorithms.connectivity` says how and why).

Called by `assignment_runs.round_assign` after the exact solve and its check, before the write. Entries kept outside
the solve (a calibration entry scored by the whole category) link their judges too. The run records what the repair
did (`AssignmentRun.panels`): the swaps, the reviews added beyond the round's number per entry, and the categories
it could not join, by name, with their number of panels.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from submissions.models import Application

from ..algorithms.assignment import AssignmentSolution
from ..algorithms.connectivity import connect_panels
from .assignment_problem import RoundProblem


def connect_round_panels(built: RoundProblem, solution: AssignmentSolution) -> tuple[AssignmentSolution, dict]:
    """(the repaired solution, what the repair did: {"swaps", "added", "split"}). At most one query, for the
    categories of the entries kept outside the solve."""
    problem = built.problem
    entry_group = (np.zeros(problem.affinity.shape[0], dtype=np.int64) if problem.entry_group is None
                   else np.asarray(problem.entry_group, dtype=np.int64))
    repair = connect_panels(
        pairs=solution.pairs, entry_group=entry_group, allowed=problem.allowed, capacity=problem.capacity,
        affinity=problem.affinity, fixed=problem.fixed, extra_load=built.outside_load,
        linked=_outside_links(built),
    )
    names = problem.group_names
    record = {
        "swaps": len(repair.swaps),
        "added": len(repair.added),
        "split": {(names[g] if g < len(names) else str(g)): count for g, count in repair.split.items()},
    }
    if not repair.changed:
        return solution, record
    pairs = repair.pairs
    repaired = dataclasses.replace(
        solution, pairs=pairs, objective=int(problem.affinity[pairs[:, 0], pairs[:, 1]].sum()),
        loads=np.bincount(pairs[:, 1], minlength=problem.affinity.shape[1]),
    )
    return repaired, record


def _outside_links(built: RoundProblem) -> list[tuple[int, np.ndarray]]:
    """Per entry kept outside the solve: (its category's group, the judge columns on it). One query."""
    problem = built.problem
    if not len(built.outside_pairs) or problem.entry_group is None:
        return []
    outside = np.unique(built.outside_pairs[:, 0]).tolist()
    category_of = dict(Application.objects.filter(pk__in=[*outside, *built.entry_ids.tolist()])
                       .values_list("pk", "category_id"))
    # The solver's group of each category, read off the entries in the solve (their rows carry both).
    group_of_category = {category_of[a]: g for a, g in zip(built.entry_ids.tolist(), problem.entry_group.tolist(),
                                                           strict=True) if a in category_of}
    column_of = {judge_id: column for column, judge_id in enumerate(built.judge_ids.tolist())}
    judges_on: dict[int, list[int]] = {}
    for application_id, judge_id in built.outside_pairs.tolist():
        if judge_id in column_of:
            judges_on.setdefault(application_id, []).append(column_of[judge_id])
    return [(int(group_of_category[category_of[a]]), np.array(judges, dtype=np.int64))
            for a, judges in judges_on.items() if category_of.get(a) in group_of_category]

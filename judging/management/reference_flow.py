"""The benchmark's yardstick: one plain min-cost flow (OR-Tools) over every allowed pair, no pruning, no proof.

Same model and load limits as the assigner (entries supply the judges they need, judges
absorb their lower limit, judge->sink arcs carry the rest up to the upper limit), so its
objective must equal the assigner's; only the way there differs.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from judging.algorithms.assignment import AssignmentProblem
from judging.algorithms.assignment.problem import prepare


def reference_objective(problem: AssignmentProblem, low: np.ndarray, high: np.ndarray) -> int | None:
    """Total affinity of a full-graph min-cost flow under [low, high]; None if infeasible."""
    data = prepare(problem)
    n, m = data.n_entries, data.n_judges
    entries, judges = np.nonzero(data.free)
    low_free = np.maximum(low - data.fixed_load, 0)
    high_free = high - data.fixed_load
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        entries.astype(np.int32),
        (judges + n).astype(np.int32),
        np.ones(len(entries), dtype=np.int64),
        -data.affinity[entries, judges],
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(n, n + m, dtype=np.int32),
        np.full(m, n + m, dtype=np.int32),
        (high_free - low_free).astype(np.int64),
        np.zeros(m, dtype=np.int64),
    )
    supplies = np.concatenate([data.need, -low_free, [-(int(data.need.sum()) - int(low_free.sum()))]])
    flow.set_nodes_supplies(np.arange(n + m + 1, dtype=np.int32), supplies.astype(np.int64))
    if flow.solve() != min_cost_flow.SimpleMinCostFlow.OPTIMAL:
        return None
    return data.fixed_affinity - int(flow.optimal_cost())

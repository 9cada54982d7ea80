"""One min-cost flow (OR-Tools) over a given set of entry->judge arcs, under given load limits.

Nodes: entries 0..N-1, judges N..N+M-1, sink N+M. No source node: each entry supplies
the judges it still needs. Load lower bounds use the standard node-supply
transformation: the judge->sink arc carries only the part above `low`, and the judge
node itself absorbs `low` units (supply -low), so they are exact constraints, not
penalties. The network is built afresh for each solve: OR-Tools' SimpleMinCostFlow
cannot start from a previous flow, and building a pruned network costs little.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from .problem import Prepared


def solve_flow(
    data: Prepared, arc_entries: np.ndarray, arc_judges: np.ndarray, low: np.ndarray, high: np.ndarray
) -> np.ndarray | None:
    """Which of the free arcs (arc_entries[a], arc_judges[a]) an optimal flow uses; None if infeasible."""
    low_free = np.maximum(low - data.fixed_load, 0)
    high_free = high - data.fixed_load
    if np.any(high_free < low_free):
        return None
    n, m = data.n_entries, data.n_judges
    sink = n + m
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        arc_entries.astype(np.int32),
        (arc_judges + n).astype(np.int32),
        np.ones(len(arc_entries), dtype=np.int64),
        -data.affinity[arc_entries, arc_judges],
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(n, n + m, dtype=np.int32),
        np.full(m, sink, dtype=np.int32),
        (high_free - low_free).astype(np.int64),
        np.zeros(m, dtype=np.int64),
    )
    supplies = np.concatenate([data.need, -low_free, [-(int(data.need.sum()) - int(low_free.sum()))]])
    flow.set_nodes_supplies(np.arange(n + m + 1, dtype=np.int32), supplies.astype(np.int64))

    status = flow.solve()
    if status == min_cost_flow.SimpleMinCostFlow.INFEASIBLE:
        return None
    if status != min_cost_flow.SimpleMinCostFlow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status!r}")
    return np.asarray(flow.flows(np.arange(len(arc_entries), dtype=np.int32))) > 0

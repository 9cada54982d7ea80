"""Exact judge assignment: balanced min-cost flow plus an independent LP-duality bound.

OR-Tools solves the flow and the max flow behind the shortfall report; the load
balancing, the dual prices and the bound that certifies optimality are ours, because
no library computes them for this model.

The package is pure: numpy arrays in, numpy arrays out, no Django, so the service
layer, a Celery task and the benchmark command can all share it. `problem` holds the
input and output types, `solver` the load limits and the shortfall, `pruned` the solve
on each entry's best candidate judges and the duality proof that it is optimal for the
full problem (widening the candidates until it is), `flow` one min-cost flow, `bound`
the judge prices and the dual bound, `checks` the independent audit of a solution.

Model
-----
Entries i (N), judges j (M), k judges per entry. Decision x_ij in {0, 1}:

    maximise    sum a_ij x_ij
    subject to  sum_j x_ij = k                     for every entry
                low_j <= sum_i x_ij <= high_j      for every judge (high_j <= capacity_j)
                x_ij = 0 where the pair is not allowed (conflict)
                x_ij = 1 for fixed pairs (reviews already started)

As a network: entry --(cap 1, cost -a_ij)--> judge --[low_j, high_j]--> sink, with
every entry supplying k units. The constraint matrix is totally unimodular, so the
integral min-cost flow is also optimal for the LP relaxation, which is what lets the
dual bound meet the objective exactly.
"""

from .bound import dual_bound
from .checks import check_solution
from .problem import AssignmentProblem, AssignmentSolution, ProgressCallback
from .solver import balanced_limits, solve_assignment

__all__ = [
    "AssignmentProblem",
    "AssignmentSolution",
    "ProgressCallback",
    "balanced_limits",
    "check_solution",
    "dual_bound",
    "solve_assignment",
]

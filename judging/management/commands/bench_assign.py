"""Benchmark the exact assignment solver on a synthetic instance; prints one JSON line.

    python manage.py bench_assign --entries 2000 --judges 150 --per-entry 3 --seed 1

Nothing touches the database: the instance is built in memory, so the numbers measure
the solver alone and can be compared across machines and commits. In the same run, a
plain full-graph min-cost flow (`reference_flow`) solves the instance under the same load
limits: `cpu_seconds` and `reference_cpu_seconds` compare the two on this machine, now,
and `reference_objective` must equal `objective`. `peak_mb` is the process's peak resident
memory after the assigner (instance included), before the reference runs;
`reference_peak_mb` the peak after it.
"""

from __future__ import annotations

import json
import resource
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from judging.algorithms.assignment import check_solution, solve_assignment
from judging.management.reference_flow import reference_objective
from judging.management.synthetic import synthetic_problem


class Command(BaseCommand):
    help = "Solve a synthetic judge-assignment instance and print timing, objective, bound and checks as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entries", type=int, required=True)
        parser.add_argument("--judges", type=int, required=True)
        parser.add_argument("--per-entry", type=int, default=3)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--categories", type=int, default=4)
        parser.add_argument("--same-country", action="store_true", help="also forbid judge and entry from one country")
        parser.add_argument(
            "--no-reference", dest="reference", action="store_false",
            help="skip the plain full-graph min-cost flow solved for comparison",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        problem = synthetic_problem(
            entries=options["entries"],
            judges=options["judges"],
            per_entry=options["per_entry"],
            categories=options["categories"],
            seed=options["seed"],
            same_country=options["same_country"],
        )
        cpu_started = time.process_time()
        solution = solve_assignment(problem)
        cpu_seconds = time.process_time() - cpu_started
        peak_mb = _peak_mb()
        violations = check_solution(problem, solution)
        # The gap is relative to the bound; 0 means the bound proves the result optimal.
        gap = (solution.bound - solution.objective) / abs(solution.bound) if solution.bound else 0.0
        result = {
            "entries": options["entries"],
            "judges": options["judges"],
            "per_entry": options["per_entry"],
            "seconds": round(solution.seconds, 3),
            "cpu_seconds": round(cpu_seconds, 3),
            "objective": solution.objective,
            "bound": solution.bound,
            "gap": gap,
            "violations": len(violations),
            "min_load": int(solution.loads.min()) if solution.loads.size else 0,
            "max_load": int(solution.loads.max()) if solution.loads.size else 0,
            "rounds": solution.rounds,
            "arcs": solution.arcs,
            "proof_arcs": solution.proof_arcs,
            "peak_mb": peak_mb,
        }
        if options["reference"] and solution.feasible:
            cpu_started = time.process_time()
            reference = reference_objective(problem, solution.load_low, solution.load_high)
            result["reference_cpu_seconds"] = round(time.process_time() - cpu_started, 3)
            result["reference_objective"] = reference
            result["reference_peak_mb"] = _peak_mb()
        self.stdout.write(json.dumps(result))


def _peak_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in KiB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

"""Benchmark the exact assignment solver on a synthetic instance; prints one JSON line.

    python manage.py bench_assign --entries 2000 --judges 150 --per-entry 3 --seed 1

Nothing touches the database: the instance is built in memory, so the numbers measure
the solver alone and can be compared across machines and commits.
"""

from __future__ import annotations

import json
import resource
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from judging.algorithms.assignment import check_solution, solve_assignment
from judging.management.synthetic import synthetic_problem


class Command(BaseCommand):
    help = "Solve a synthetic judge-assignment instance and print timing, objective, bound and checks as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entries", type=int, required=True)
        parser.add_argument("--judges", type=int, required=True)
        parser.add_argument("--per-entry", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--categories", type=int, default=4)
        parser.add_argument("--same-country", action="store_true", help="also forbid judge and entry from one country")

    def handle(self, *args: Any, **options: Any) -> None:
        problem = synthetic_problem(
            entries=options["entries"],
            judges=options["judges"],
            per_entry=options["per_entry"],
            categories=options["categories"],
            seed=options["seed"],
            same_country=options["same_country"],
        )
        solution = solve_assignment(problem)
        violations = check_solution(problem, solution)
        # The gap is relative to the bound; 0 means the bound proves the result optimal.
        gap = (solution.bound - solution.objective) / abs(solution.bound) if solution.bound else 0.0
        result = {
            "entries": options["entries"],
            "judges": options["judges"],
            "per_entry": options["per_entry"],
            "seconds": round(solution.seconds, 3),
            "objective": solution.objective,
            "bound": solution.bound,
            "gap": gap,
            "violations": len(violations),
            "min_load": int(solution.loads.min()) if solution.loads.size else 0,
            "max_load": int(solution.loads.max()) if solution.loads.size else 0,
            # ru_maxrss is in KiB on Linux.
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        self.stdout.write(json.dumps(result))

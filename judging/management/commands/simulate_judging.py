"""Does the bias correction beat the raw mean? A simulation with the real assigner and the real aggregation.

    python manage.py simulate_judging --entries 280 --judges 20 --per-entry 5 --trials 50 --seed 1

Each trial draws entries with a known true quality and judges with a known leniency and
a noise of their own (judging.management.simulation.simulate), assigns judges to entries with the real min-cost-flow
assigner (judging.algorithms.assignment.solve_assignment) on an instance built like
judging.management.synthetic.synthetic_problem — each judge an expert in one or two categories,
bids, 2 % random conflicts, capacity 20 % above the fair share — scores, aggregates
with the real aggregate(), and measures per category the Kendall tau to the true order
and whether the true top 6 comes out as the top 6 (exactly, as a set: top_recovered_*; and the share of
the true top 6 found in the estimated top 6: top_overlap_*). It prints one JSON line.

The exact top-6 measure is a rare event (a few trial-categories in a hundred for either score), so at
50 trials it is noisy: `--trials 200` or other seeds show how stable a difference is.
"""

import json
import math
import time

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from judging.algorithms.assignment import AssignmentProblem, solve_assignment
from judging.management.simulation import simulate

EXPERTISE_POINTS, EAGER, WILLING, NOT_WILLING = 10, 5, 2, -5


def problem_for(rng: np.random.Generator, entries: int, judges: int, per_entry: int,
                entry_category: np.ndarray) -> AssignmentProblem:
    """An assignment instance like synthetic_problem's, for the simulation's own entry categories."""
    categories = int(entry_category.max()) + 1
    expertise = np.zeros((judges, categories), dtype=bool)
    # Every category gets experts: judges take categories in turn, and half of them know a second one.
    expertise[np.arange(judges), np.arange(judges) % categories] = True
    has_second = rng.random(judges) < 0.5
    second = rng.integers(0, categories, size=judges)
    expertise[np.arange(judges)[has_second], second[has_second]] = True

    affinity = np.where(expertise[:, entry_category].T, EXPERTISE_POINTS, 0).astype(np.int64)
    bid = rng.random((entries, judges))
    affinity += np.select([bid < 0.03, bid < 0.08, bid < 0.11], [EAGER, WILLING, NOT_WILLING], default=0)
    allowed = ~((bid >= 0.11) & (bid < 0.115)) & (rng.random((entries, judges)) >= 0.02)
    capacity = np.full(judges, math.ceil(entries * per_entry / judges * 1.2), dtype=np.int64)
    return AssignmentProblem(per_entry=per_entry, capacity=capacity, affinity=affinity, allowed=allowed,
                             entry_group=entry_category,
                             group_names=tuple(f"category {c + 1}" for c in range(categories)))


class Command(BaseCommand):
    help = "Simulate judging with known truth; compare the raw mean with the bias-corrected score. One JSON line."

    def add_arguments(self, parser):
        parser.add_argument("--entries", type=int, default=280)
        parser.add_argument("--judges", type=int, default=20)
        parser.add_argument("--per-entry", type=int, default=5)
        parser.add_argument("--trials", type=int, default=50)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--categories", type=int, default=2,
                            help="Seoul's two main categories by default.")
        parser.add_argument("--top", type=int, default=6, help="The prize places per category (Seoul: 1+2+3).")

    def handle(self, *args, **options):
        solver_seconds: list[float] = []
        objectives: list[tuple[int, int]] = []

        def assign(rng, entries, judges, per_entry, entry_category):
            problem = problem_for(rng, entries, judges, per_entry, np.asarray(entry_category))
            solution = solve_assignment(problem)
            if not solution.feasible:
                raise CommandError(f"the assigner found no feasible assignment: shortfall {solution.shortfall}")
            solver_seconds.append(solution.seconds)
            objectives.append((solution.objective, solution.bound))
            return solution.pairs

        started = time.perf_counter()
        try:
            result = simulate(
                entries=options["entries"], judges=options["judges"], per_entry=options["per_entry"],
                trials=options["trials"], seed=options["seed"], categories=options["categories"],
                top=options["top"], assign=assign,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        result.update({
            "seed": options["seed"],
            "categories": options["categories"],
            "top": options["top"],
            "corrected_beats_raw": {
                "tau": result["tau_corrected"] > result["tau_raw"],
                "top_recovered": result["top_recovered_corrected"] > result["top_recovered_raw"],
                "top_overlap": result["top_overlap_corrected"] > result["top_overlap_raw"],
            },
            "assigner_optimal": all(objective == bound for objective, bound in objectives),
            "assigner_seconds_mean": round(float(np.mean(solver_seconds)), 4) if solver_seconds else None,
            "seconds": round(time.perf_counter() - started, 3),
        })
        for key in ("tau_raw", "tau_corrected", "top_recovered_raw", "top_recovered_corrected", "top_overlap_raw",
                    "top_overlap_corrected"):
            result[key] = round(result[key], 4)
        self.stdout.write(json.dumps(result))

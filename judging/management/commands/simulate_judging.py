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

With `--scenario NAME` (repeatable, or `all`) it compares the methods instead, on panels that differ the way real
ones do (judging.management.scenarios: offset, scale, reliability, outlier, heavy-tail, split-panels,
category-leniency, ceiling), and prints a table per scenario: for the raw mean, a per-judge z-score, method 1
(judge offsets) and method 2 (calibrated judges), Kendall tau, the top-6 share, exact top-6 recovery, interval
coverage and the boundary flags' recall and precision against the entries that land in the wrong tier, each with
its standard error:

    python manage.py simulate_judging --scenario all --categories 3 --trials 40 --bootstrap 200

The exact top-6 measure is a rare event (a few trial-categories in a hundred for either score), so at
50 trials it is noisy: `--trials 200` or other seeds show how stable a difference is.
"""

import dataclasses
import json
import math
import time

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from judging.algorithms.assignment import AssignmentProblem, solve_assignment
from judging.management import scenarios
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
        parser.add_argument("--scenario", action="append", choices=(*scenarios.SCENARIOS, "all"),
                            help="Compare the aggregation methods on a named scenario (repeatable; `all`).")
        parser.add_argument("--bootstrap", type=int, default=200, help="Resamples for the intervals (scenarios).")
        parser.add_argument("--calibration", type=int, default=3,
                            help="Calibration entries per category scored by every judge (split-panels only).")

    def handle(self, *args, **options):
        if options["scenario"]:
            return self._scenarios(options)
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

    def _scenarios(self, options) -> None:
        names = scenarios.SCENARIOS if "all" in options["scenario"] else tuple(dict.fromkeys(options["scenario"]))

        def assign(rng, entries, judges, per_entry, entry_category, allowed):
            problem = problem_for(rng, entries, judges, per_entry, np.asarray(entry_category))
            solution = solve_assignment(dataclasses.replace(problem, allowed=problem.allowed & allowed))
            if not solution.feasible:
                raise CommandError(f"the assigner found no feasible assignment: shortfall {solution.shortfall}")
            return solution.pairs

        columns = ("kendall tau", "top-6 share", "exact top-6", "coverage", "flag recall", "flag precision")
        self.stdout.write(f"{options['entries']} entries in {options['categories']} categories, {options['judges']} "
                          f"judges, {options['per_entry']} per entry, {options['trials']} trials, seed {options['seed']}, "
                          f"{options['bootstrap']} bootstrap resamples, 90 % intervals; mean ± standard error")
        for name in names:
            started = time.perf_counter()
            figures = scenarios.run(
                name, trials=options["trials"], seed=options["seed"], entries=options["entries"],
                judges=options["judges"], per_entry=options["per_entry"], categories=options["categories"],
                calibration=options["calibration"] if name == "split-panels" else 0,
                bootstrap=options["bootstrap"], assign=assign, top=options["top"],
            )
            self.stdout.write(f"\n{name} ({time.perf_counter() - started:.0f} s)")
            self.stdout.write(f"  {'method':24}" + "".join(f"{column:>17}" for column in columns))
            for method, named in figures.items():
                cells = "".join(
                    f"{named[column][0]:>10.3f} ±{named[column][1]:.3f}" if column in named else f"{'-':>17}"
                    for column in columns
                )
                self.stdout.write(f"  {method:24}{cells}")

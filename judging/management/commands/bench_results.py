"""Time the aggregation service on a large round in the configured database. Prints one JSON line.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        python manage.py bench_results --entries 10000 --judges 800 --per-entry 3 --criteria 6

It fills the database with a whole synthetic edition with bulk_create (organisations,
applications, judges, one closed round, a rubric, submitted reviews and their criterion
scores), then runs the real `round_aggregate` service — the same code as the task:
load the raw scores, recompute the totals, least squares + bootstrap, replace the
results in one transaction — `--repeat` times and reports the median. The bench
edition is removed at the end (and before filling, if an earlier run left one) unless
`--keep`. Never point it at a database holding real data you care about: it only
deletes its own "bench-..." editions, but it writes a lot.

How judges are drawn: each judge is an expert in one category (round robin) and one in
ten also in a second; each entry gets `--per-entry` distinct experts of its category
(the load stays balanced because judges take entries in turn). Scores are quality +
judge leniency + noise, clipped to the criterion's 1–10 scale.
"""

from __future__ import annotations

import json
import statistics
import time
import uuid
from dataclasses import dataclass

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from judging.models import (
    AggregationRun,
    Assignment,
    CalibrationEntry,
    Criterion,
    CriterionScore,
    EntryResult,
    JudgeProfile,
    JudgeResult,
    JudgingRound,
    Review,
    Rubric,
    Shortlisting,
    StageWeight,
)
from judging.services.aggregation import BOOTSTRAP, round_aggregate
from judging.services.assignment_summaries import assignment_summaries_refresh
from portal.models import AuditEntry, Edition, EditionRole, Organisation, User
from submissions.models import Application, Category
from submissions.services.screening_countries import screening_countries_rebuild

BENCH_SLUG = "bench-results"
BATCH = 5000
STAGES = [Application.Stage.CONCEPT, Application.Stage.PILOT, Application.Stage.IMPLEMENTED, Application.Stage.SCALED]
BANDS = [b for b in Organisation.PopulationBand.values]


@dataclass
class BenchEdition:
    edition: Edition
    round: JudgingRound
    categories: list[Category]
    judges: list[JudgeProfile]
    applications: list[Application]
    reviews: int
    scores: int
    seconds: float


def remove_bench_editions(prefix: str) -> int:
    """Delete every edition whose slug starts with `prefix`, with everything the bench wrote for it."""
    editions = list(Edition.objects.filter(slug__startswith=prefix))
    for edition in editions:
        rounds = JudgingRound.objects.filter(edition=edition)
        for model, lookup in (
            (CriterionScore, "review__assignment__round__in"), (Review, "assignment__round__in"),
            (EntryResult, "round__in"), (JudgeResult, "round__in"), (AggregationRun, "round__in"),
            (Shortlisting, "round__in"), (CalibrationEntry, "round__in"), (Assignment, "round__in"),
        ):
            qs = model.objects.filter(**{lookup: rounds})
            qs._raw_delete(qs.db)  # bulk SQL DELETE: the collector would load 180,000 rows first
        JudgingRound.categories.through.objects.filter(judginground__edition=edition).delete()
        rounds.delete()
        user_ids = sorted(
            set(JudgeProfile.objects.filter(edition=edition).values_list("user_id", flat=True))
            | set(EditionRole.objects.filter(edition=edition).values_list("user_id", flat=True))
        )
        JudgeProfile.expertise.through.objects.filter(judgeprofile__edition=edition).delete()
        JudgeProfile.objects.filter(edition=edition)._raw_delete(connection.alias)
        StageWeight.objects.filter(criterion__rubric__edition=edition).delete()
        Criterion.objects.filter(rubric__edition=edition).delete()
        Rubric.objects.filter(edition=edition).delete()
        organisation_ids = list(Application.objects.filter(edition=edition).values_list("organisation_id", flat=True))
        applications = Application.objects.filter(edition=edition)
        applications._raw_delete(applications.db)
        Category.objects.filter(edition=edition).delete()
        EditionRole.objects.filter(edition=edition).delete()
        AuditEntry.objects.filter(edition=edition).delete()
        edition.delete()
        for start in range(0, len(organisation_ids), BATCH):
            Organisation.objects.filter(pk__in=organisation_ids[start:start + BATCH]).delete()
        for start in range(0, len(user_ids), BATCH):
            User.objects.filter(pk__in=user_ids[start:start + BATCH]).delete()
    return len(editions)


def fill(*, entries: int, judges: int, per_entry: int, criteria: int, categories: int, seed: int,
         prefix: str = BENCH_SLUG, round_state: str = JudgingRound.State.CLOSED,
         heavy_judge: bool = False, criteria_scale: tuple[int, int] = (1, 10)) -> BenchEdition:
    """Write a synthetic edition with submitted reviews using bulk_create only (no services, no audit rows).

    With `heavy_judge` judge 0 takes every entry (one of the per_entry slots), for the 1,000-row queue.
    """
    if per_entry > judges or (heavy_judge and per_entry > 1 and judges < per_entry + 1):
        raise CommandError("more judges per entry than judges")
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    stamp = uuid.uuid4().hex[:8]
    now = timezone.now()
    with transaction.atomic():
        edition = Edition.objects.create(
            name=f"Bench {stamp}", slug=f"{prefix}-{stamp}", time_zone="Asia/Seoul", state=Edition.State.JUDGING,
            opens_at=now - timezone.timedelta(days=90), closes_at=now - timezone.timedelta(days=60),
        )
        cats = Category.objects.bulk_create(
            [Category(edition=edition, name=f"Category {c + 1}", slug=f"category-{c + 1}", position=c)
             for c in range(categories)]
        )
        rubric = Rubric.objects.create(edition=edition, name="Bench rubric")
        low, high = criteria_scale
        crits = Criterion.objects.bulk_create(
            [Criterion(rubric=rubric, name=f"Criterion {i + 1}", scale_min=low, scale_max=high,
                       weight=int(rng.integers(1, 4)), position=i) for i in range(criteria)]
        )
        StageWeight.objects.bulk_create(
            [StageWeight(criterion=crits[0], stage=Application.Stage.CONCEPT, weight=0)]
        )
        organisations = Organisation.objects.bulk_create(
            [Organisation(name=f"Bench organisation {stamp} {i}", kind=Organisation.Kind.CITY, country="KR",
                          city=f"City {i}", population_band=BANDS[i % len(BANDS)]) for i in range(entries)],
            batch_size=BATCH,
        )
        entry_category = np.arange(entries) % categories
        applications = Application.objects.bulk_create(
            [Application(edition=edition, category=cats[int(entry_category[i])], organisation=organisations[i],
                         status=Application.Status.ELIGIBLE, title=f"Bench entry {i}", stage=STAGES[i % len(STAGES)],
                         summary="A bench entry.")
             for i in range(entries)],
            batch_size=BATCH,
        )
        screening_countries_rebuild(edition=edition)  # bulk_create sends no signal: the screening list's countries
        users = User.objects.bulk_create(
            [User(email=f"bench-judge-{stamp}-{j}@bench.example", name=f"Bench judge {j}", password="!")
             for j in range(judges)],
            batch_size=BATCH,
        )
        EditionRole.objects.bulk_create(
            [EditionRole(edition=edition, user=user, role=EditionRole.Role.JUDGE) for user in users], batch_size=BATCH,
        )
        profiles = JudgeProfile.objects.bulk_create(
            [JudgeProfile(edition=edition, user=user, capacity=entries) for user in users], batch_size=BATCH,
        )
        judging_round = JudgingRound.objects.create(
            edition=edition, name="Bench round", position=1, judges_per_entry=per_entry,
            deadline=now - timezone.timedelta(days=1), state=round_state,
        )
        judging_round.categories.set(cats)

        # Experts per category, in turn; every judge knows one category, one in ten a second one.
        primary = np.arange(judges) % categories
        pools = [list(np.flatnonzero(primary == c)) for c in range(categories)]
        for j in np.flatnonzero(rng.random(judges) < 0.1):
            second = int(rng.integers(categories))
            if second != primary[j]:
                pools[second].append(int(j))
        pools = [np.array(pool if len(pool) >= per_entry else range(judges)) for pool in pools]
        cursor = [0] * categories
        pairs = []
        for i in range(entries):
            c = int(entry_category[i])
            pool = pools[c]
            chosen = [0] if heavy_judge else []
            while len(chosen) < per_entry:
                j = int(pool[cursor[c] % len(pool)])
                cursor[c] += 1
                if j not in chosen:
                    chosen.append(j)
            pairs.extend((i, j) for j in chosen)
        pairs = np.array(pairs, dtype=np.int64)

        assignments = Assignment.objects.bulk_create(
            [Assignment(round=judging_round, judge=profiles[j], application=applications[i],
                        state=Assignment.State.SUBMITTED, queue_position=0)
             for i, j in pairs.tolist()],
            batch_size=BATCH,
        )
        quality = rng.normal(0, 1.2, entries)
        leniency = rng.normal(0, 0.8, judges)
        raw = (low + high) / 2 + quality[pairs[:, 0]][:, None] + leniency[pairs[:, 1]][:, None] \
            + rng.normal(0, 1.0, (len(pairs), criteria))
        raw = np.clip(np.rint(raw), low, high).astype(int)
        reviews = Review.objects.bulk_create(
            [Review(assignment=a, state=Review.State.SUBMITTED, submitted_at=now, confidence=3) for a in assignments],
            batch_size=BATCH,
        )
        score_rows = (
            CriterionScore(review=review, criterion=crits[c], score=int(raw[r, c]))
            for r, review in enumerate(reviews) for c in range(criteria)
        )
        batch = []
        written = 0
        for row in score_rows:
            batch.append(row)
            if len(batch) == BATCH:
                CriterionScore.objects.bulk_create(batch)
                written += len(batch)
                batch = []
        CriterionScore.objects.bulk_create(batch)
        written += len(batch)
        Rubric.objects.filter(pk=rubric.pk).update(frozen_at=now)
        # bulk_create counts nothing: the round's page reads the summaries the assignment services keep.
        assignment_summaries_refresh(judging_round=judging_round)
    if connection.vendor == "postgresql":
        # What autovacuum does for a live database: earlier bench runs leave the tables full of dead rows
        # (each one deletes 10,000 results and the whole edition), which slowed the next measurement by a third.
        # (VACUUM cannot run inside a transaction, as in the tests of this command: ANALYZE alone there.)
        with connection.cursor() as cursor_:
            cursor_.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    return BenchEdition(edition, judging_round, list(cats), list(profiles), list(applications), len(reviews),
                        written, time.perf_counter() - started)


class Command(BaseCommand):
    help = "Fill the database with a large scored round and time the aggregation service. One JSON line."

    def add_arguments(self, parser):
        parser.add_argument("--entries", type=int, default=10_000)
        parser.add_argument("--judges", type=int, default=800)
        parser.add_argument("--per-entry", type=int, default=3)
        parser.add_argument("--criteria", type=int, default=6)
        parser.add_argument("--categories", type=int, default=4)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--repeat", type=int, default=3, help="Aggregation runs to time (median reported).")
        parser.add_argument("--keep", action="store_true", help="Leave the bench edition in the database.")
        parser.add_argument("--method", choices=JudgingRound.AggregationMethod.values,
                            default=JudgingRound.AggregationMethod.CALIBRATED,
                            help="How the round combines the scores (method 2, calibrated, by default).")

    def handle(self, *args, **options):
        removed = remove_bench_editions(BENCH_SLUG)
        bench = fill(entries=options["entries"], judges=options["judges"], per_entry=options["per_entry"],
                     criteria=options["criteria"], categories=options["categories"], seed=options["seed"])
        JudgingRound.objects.filter(pk=bench.round.pk).update(aggregation_method=options["method"])
        bench.round.aggregation_method = options["method"]
        runs = []
        for _ in range(max(1, options["repeat"])):
            runs.append(round_aggregate(judging_round=bench.round))
        point_only = round_aggregate(judging_round=bench.round, bootstrap=0)
        seconds = [run.seconds for run in runs]
        median = runs[seconds.index(sorted(seconds)[len(seconds) // 2])]
        result = {
            "database": connection.vendor,
            "method": median.method,
            "method_version": median.method_version,
            "entries": options["entries"],
            "judges": options["judges"],
            "per_entry": options["per_entry"],
            "criteria": options["criteria"],
            "categories": options["categories"],
            "reviews": median.reviews,
            "scores": median.scores,
            "entry_results": median.entries,
            "judge_results": median.judges,
            "bootstrap": BOOTSTRAP,
            "seconds": round(statistics.median(seconds), 3),
            "seconds_each": [round(s, 3) for s in seconds],
            "load_seconds": round(median.load_seconds, 3),
            "math_seconds": round(median.math_seconds, 3),
            "write_seconds": round(median.write_seconds, 3),
            "cpu_seconds_each": [round(run.cpu_seconds, 3) for run in runs],
            "math_cpu_seconds_each": [round(run.math_cpu_seconds, 3) for run in runs],
            "seconds_without_bootstrap": round(point_only.seconds, 3),
            "fill_seconds": round(bench.seconds, 1),
            "removed_earlier_bench_editions": removed,
        }
        if not options["keep"]:
            remove_bench_editions(bench.edition.slug)
        self.stdout.write(json.dumps(result))

"""From the raw scores in the database to a round's results: an idempotent recompute.

`round_aggregate` reads every criterion score of the round's submitted reviews in two
queries, recomputes each review's weighted total from them (rubrics.py explains the
formula; the stored ``Review.weighted_total`` is a convenience, not the source), hands
the totals to `aggregation_math.aggregate` (least squares on total = quality + judge
offset; its docstring says why rather than a per-judge z-score), and replaces the
round's EntryResult and JudgeResult rows and each category's summary (result_summaries.py)
in one transaction. Running it twice gives the same rows; a crash half-way leaves the
previous results in place.

Settings of the computation, fixed here and recorded on every result as method + version:

- prize boundaries: per category, where its PrizeTier rows end (Seoul's 1 gold, 2 silver,
  3 bronze end at ranks 1, 3 and 6; a category without tiers has none);
- a judge is corrected only with at least MIN_REVIEWS submitted reviews in the round;
- an entry is flagged for disagreement when its totals' standard deviation exceeds
  DISAGREEMENT_STDEV points on the 0–10 scale;
- the interval is a 90 % bootstrap percentile interval over BOOTSTRAP resamples of the
  judges, seeded by the round's id so that a recompute gives the same interval.

Runs are requested in round_jobs.py and their state written by aggregation_runs.py; the COPY reads and writes
in bulk_copy.py.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from submissions.models import Application

from ..algorithms import aggregation as aggregation_math
from ..models import (
    AggregationRun,
    Assignment,
    Criterion,
    CriterionScore,
    EntryResult,
    JudgeResult,
    JudgingRound,
    PrizeTier,
    Review,
    StageWeight,
)
from .aggregation_runs import aggregation_run_claim, aggregation_run_move, aggregation_run_progress
from .bulk_copy import fetch_integers, write_rows
from .locks import ensure_results_unlocked
from .result_summaries import result_summaries_replace
from .rounds import round_mark_scored
from .rubrics import TOTAL_SCALE

logger = logging.getLogger(__name__)

MIN_REVIEWS = 3
DISAGREEMENT_STDEV = 1.5
BOOTSTRAP = 200
CONFIDENCE = 0.9
# Bumped when the way totals are formed changes; the statistics have their own version.
TOTALS_VERSION = "1"
METHOD = aggregation_math.METHOD
METHOD_VERSION = f"{aggregation_math.METHOD_VERSION}.{TOTALS_VERSION}"


def method_of(judging_round: JudgingRound) -> tuple[str, str]:
    """The name and version recorded on results of this round's method (method 1's are METHOD, METHOD_VERSION)."""
    name, version = aggregation_math.METHODS[judging_round.aggregation_method]
    return name, f"{version}.{TOTALS_VERSION}"

Progress = Callable[[int, str], None]


@dataclass
class AggregationSummary:
    reviews: int
    entries: int
    judges: int
    scores: int
    skipped_reviews: int  # submitted but unusable (weights adding up to zero)
    seconds: float
    load_seconds: float
    math_seconds: float
    write_seconds: float
    method: str
    method_version: str
    # This process's processor time (the database server's not included): steadier than the wall clock on a
    # busy machine, for bench_results.
    cpu_seconds: float = 0.0
    math_cpu_seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Loaded:
    review_ids: np.ndarray
    entry: np.ndarray  # per review
    judge: np.ndarray
    category: np.ndarray
    total: np.ndarray
    criterion_medians: dict[int, str]  # entry id -> JSON text
    scores: int
    skipped: int


def _ignore(percent: int, message: str) -> None:
    return None


# The columns of the criteria's weights: the default weight, then one per development stage.
STAGES = ["", *Application.Stage.values]


def _criteria_table(criterion_ids: np.ndarray):
    """Scale and weights of the criteria in play: (ids, min, max, weight per STAGES column)."""
    rows = list(
        Criterion.objects.filter(pk__in=criterion_ids.tolist())
        .order_by("pk")
        .values_list("pk", "scale_min", "scale_max", "weight")
    )
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    low = np.array([r[1] for r in rows], dtype=float)
    high = np.array([r[2] for r in rows], dtype=float)
    weights = np.repeat(np.array([float(r[3]) for r in rows], dtype=float)[:, None], len(STAGES), axis=1)
    stage_column = {stage: i for i, stage in enumerate(STAGES)}
    for criterion_id, stage, weight in StageWeight.objects.filter(criterion_id__in=ids.tolist()).values_list(
        "criterion_id", "stage", "weight"
    ):
        weights[np.searchsorted(ids, criterion_id), stage_column[stage]] = float(weight)
    return ids, low, high, weights


def _load(judging_round: JudgingRound) -> _Loaded:
    """The round's submitted reviews with their totals recomputed from the raw criterion scores (two queries)."""
    counted = {"assignment__round": judging_round, "state": Review.State.SUBMITTED,
               "assignment__state": Assignment.State.SUBMITTED}
    # The stage as its weight column's number (none or unknown: 0), so that every column is an integer: the rows
    # come in one binary COPY message instead of 30,000 tuples.
    stage_column = Case(*(When(assignment__application__stage=stage, then=Value(i)) for i, stage in
                          enumerate(STAGES) if stage), default=Value(0), output_field=IntegerField())
    reviews = fetch_integers(
        Review.objects.filter(**counted)
        .order_by()
        .annotate(stage_column=stage_column)
        .values_list("pk", "assignment__application_id", "assignment__judge_id",
                     "assignment__application__category_id", "stage_column"),
        5,
    )
    scores = fetch_integers(
        CriterionScore.objects.filter(**{f"review__{key}": value for key, value in counted.items()},
                                      score__isnull=False)
        .order_by()
        .values_list("review_id", "criterion_id", "score"),
        3,
    )
    empty = np.zeros(0, dtype=np.int64)
    if not reviews.size or not scores.size:
        return _Loaded(empty, empty, empty, empty, np.zeros(0), {}, 0, len(reviews))

    reviews = reviews[np.argsort(reviews[:, 0], kind="stable")]  # by id, for the searchsorted below
    review_ids, entry, judge, category, stage_idx = (np.ascontiguousarray(column) for column in reviews.T)

    review_idx = np.searchsorted(review_ids, scores[:, 0])
    criterion_ids, low, high, weights = _criteria_table(np.unique(scores[:, 1]))
    criterion_idx = np.searchsorted(criterion_ids, scores[:, 1])
    raw = scores[:, 2].astype(float)

    # total = Σ w·n / Σ w with n the score on 0–10 (see rubrics.py).
    total, usable = aggregation_math.weighted_totals(
        review_idx=review_idx, criterion_idx=criterion_idx, stage_idx=stage_idx, raw=raw, low=low, high=high,
        weights=weights, n_reviews=review_ids.size, scale=TOTAL_SCALE,
    )
    skipped = int((~usable).sum())
    if skipped:
        logger.warning("round %s: %s submitted reviews have weights adding up to zero", judging_round.pk, skipped)

    medians = _criterion_medians(entry[review_idx], criterion_idx, raw, criterion_ids)
    keep = usable
    return _Loaded(review_ids[keep], entry[keep], judge[keep], category[keep], total[keep], medians,
                   len(scores), skipped)


def _criterion_medians(entry_of_score, criterion_idx, raw, criterion_ids) -> dict[int, str]:
    """Per entry, per criterion: the median of the judges' raw scores, on the criterion's own scale.

    Returned as each entry's JSON text, {"<criterion id>": {"median", "n"}}, written directly: json.dumps on
    10,000 small dicts costs a quarter of a second. Names and scales are the (frozen) rubric's, read with the
    card: repeating them in every entry's row made the JSON the largest part of the results' write.
    """
    n_criteria = criterion_ids.size
    entry_ids, entry_idx = np.unique(entry_of_score, return_inverse=True)
    code = entry_idx * n_criteria + criterion_idx
    order = np.lexsort((raw, code))
    code_sorted, raw_sorted = code[order], raw[order]
    starts = np.flatnonzero(np.r_[True, code_sorted[1:] != code_sorted[:-1]])
    counts = np.diff(np.r_[starts, code_sorted.size])
    median = (raw_sorted[starts + (counts - 1) // 2] + raw_sorted[starts + counts // 2]) / 2
    group_entry, group_criterion = np.divmod(code_sorted[starts], n_criteria)
    prefix = [f'"{int(cid)}": {{"median": ' for cid in criterion_ids.tolist()]
    parts = [f'{prefix[c]}{m!r}, "n": {n}}}'
             for c, m, n in zip(group_criterion.tolist(), median.tolist(), counts.tolist(), strict=True)]
    bounds = np.r_[np.flatnonzero(np.r_[True, group_entry[1:] != group_entry[:-1]]), group_entry.size].tolist()
    return {
        int(entry_ids[group_entry[a]]): "{" + ", ".join(parts[a:b]) + "}"
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    }


def prize_boundaries(judging_round: JudgingRound) -> dict[int, tuple[int, ...]]:
    """Per category of the round, the ranks where its prize tiers end (1 gold, 2 silver, 3 bronze: 1, 3, 6);
    a category without tiers has none (no overlap flags)."""
    boundaries: dict[int, list[int]] = {}
    for category_id, places in PrizeTier.objects.filter(category__rounds=judging_round).order_by(
            "category_id", "position").values_list("category_id", "places"):
        ranks = boundaries.setdefault(category_id, [])
        ranks.append((ranks[-1] if ranks else 0) + places)
    return {category_id: tuple(ranks) for category_id, ranks in boundaries.items()}


# The columns the results' reads filter, join and sort on (the leaderboard: round, category, rank, application;
# the judges' table: round, judge): the only ones whose statistics the planner uses for them.
ANALYZED_COLUMNS = {
    EntryResult: ("round", "category", "rank", "application"),
    JudgeResult: ("round", "judge"),
}


def results_analyze() -> None:
    """Refresh the planner's statistics of the results' tables, right after a recompute replaced a round's rows.

    Without it the leaderboard's first reads after a computation plan for the table as it was (one row where
    there are now 10,000: nested loops, 73 ms instead of 32) until autovacuum's analyze comes round. Only the
    columns the reads use (ANALYZED_COLUMNS): the table's row count is refreshed all the same, and the JSON and
    float columns, which no plan looks at, were most of ANALYZE's work. ANALYZE samples at most
    300 × default_statistics_target rows, so its cost stays bounded. PostgreSQL only: SQLite's planner has no
    statistics unless ANALYZE was ever run there (the portal never runs it), so none can go stale.
    """
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    tables = ", ".join(
        f"{quote(model._meta.db_table)} ({', '.join(quote(model._meta.get_field(name).column) for name in names)})"
        for model, names in ANALYZED_COLUMNS.items())
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def round_aggregate(*, judging_round: JudgingRound, on_progress: Progress | None = None,
                    bootstrap: int = BOOTSTRAP) -> AggregationSummary:
    """Recompute the round's results from the raw scores and replace them, all or nothing."""
    report = on_progress or _ignore
    started, cpu_started = time.perf_counter(), time.process_time()
    report(5, _("Reading the scores"))
    loaded = _load(judging_round)
    loaded_at, cpu_loaded_at = time.perf_counter(), time.process_time()

    report(30, _("Estimating the judges' offsets"))
    groups = dict(zip(loaded.entry.tolist(), loaded.category.tolist(), strict=True))
    entries, judges = aggregation_math.aggregate_arrays(
        loaded.entry,
        loaded.judge,
        loaded.total,
        min_reviews=MIN_REVIEWS,
        disagreement_threshold=DISAGREEMENT_STDEV,
        bootstrap=bootstrap,
        confidence=CONFIDENCE,
        seed=judging_round.pk,
        groups=groups,
        prize_boundaries=prize_boundaries(judging_round),
        method=judging_round.aggregation_method,
    )
    method, method_version = method_of(judging_round)
    computed_at, cpu_computed_at = time.perf_counter(), time.process_time()

    report(80, _("Writing the results"))
    entry_fields = [
        "round", "application", "category", "n_reviews", "mean", "median", "corrected", "spread", "stdev",
        "disagreement", "uncorrected_judges", "interval_low", "interval_high", "rank", "tied", "boundary_overlap",
        "criterion_medians", "correction", "method", "method_version", "tier_probabilities", "top_probability",
    ]
    entry_rows = [
        (judging_round.pk, r.entry, groups[r.entry], r.n_reviews, r.mean, r.median, r.corrected, r.spread, r.stdev,
         r.disagreement, r.uncorrected_judges, r.interval[0], r.interval[1], r.rank, r.tied, r.boundary_overlap,
         loaded.criterion_medians.get(r.entry, "{}"), r.corrected - r.mean, method, method_version,
         # json.dumps's text of a list of finite floats, without its per-call machinery (10,000 calls).
         "[" + ", ".join(map(float.__repr__, r.tier_probabilities)) + "]", r.top_probability)
        for r in entries
    ]
    judge_fields = ["round", "judge", "n_reviews", "offset", "corrected", "scale", "weight"]
    judge_rows = [(judging_round.pk, r.judge, r.n_reviews, r.offset, r.corrected, r.scale, r.weight) for r in judges]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Results are derived data, recomputed whole from the raw scores: losing this commit in a crash
            # costs a rerun, never a score, so it need not wait for the disk flush.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        # Serialises concurrent recomputes of one round; the last one to commit wins, whole.
        JudgingRound.objects.select_for_update().filter(pk=judging_round.pk).values_list("pk").first()
        ensure_results_unlocked(judging_round)
        EntryResult.objects.filter(round=judging_round).delete()
        JudgeResult.objects.filter(round=judging_round).delete()
        write_rows(EntryResult, entry_fields, entry_rows)
        write_rows(JudgeResult, judge_fields, judge_rows)
        result_summaries_replace(judging_round=judging_round,
                                 results=[(r.entry, groups[r.entry], r.corrected, r.mean) for r in entries])
        transaction.on_commit(results_analyze, robust=True)  # statistics are a hint: a failure is logged, never raised
    finished = time.perf_counter()
    report(100, _("Done"))
    return AggregationSummary(
        reviews=int(loaded.total.size), entries=len(entry_rows), judges=len(judge_rows), scores=loaded.scores,
        skipped_reviews=loaded.skipped, seconds=finished - started, load_seconds=loaded_at - started,
        math_seconds=computed_at - loaded_at, write_seconds=finished - computed_at,
        method=method, method_version=method_version, cpu_seconds=time.process_time() - cpu_started,
        math_cpu_seconds=cpu_computed_at - cpu_loaded_at,
    )


# --- a run, on demand or when a round closes -------------------------------------------------------------------


def aggregation_run_execute(*, run: AggregationRun, delivery: str | None = None) -> AggregationRun:
    """Carry out one run: progress on the run, results replaced, the run's outcome recorded.

    Idempotent: a run that already finished is left alone, and the same message coming back (`delivery` is the
    broker message's id) takes over a run whose worker died; the results are replaced whole, the same each time. Database errors propagate so that the task's retry runs it again; anything
    else marks the run failed, with the error, for the secretariat to see and retry.
    """
    claimed = aggregation_run_claim(run_id=run.pk, delivery=delivery)
    if claimed is None:
        return AggregationRun.objects.get(pk=run.pk)
    run = claimed

    def progress(percent: int, message: str) -> None:
        aggregation_run_progress(run, percent)

    judging_round = JudgingRound.objects.select_related("edition").get(pk=run.round_id)
    try:
        ensure_results_unlocked(judging_round)
        summary = round_aggregate(judging_round=judging_round, on_progress=progress)
    except Exception as error:
        if isinstance(error, OperationalError | InterfaceError):  # passing: the task retries the run
            aggregation_run_move(run, AggregationRun.State.PENDING)
            raise
        logger.exception("aggregation run %s failed", run.pk)
        message = error.messages[0] if isinstance(error, ValidationError) else f"{type(error).__name__}: {error}"
        aggregation_run_move(run, AggregationRun.State.FAILED, error=message[:2000], finished_at=timezone.now())
        return run
    with transaction.atomic():
        aggregation_run_move(run, AggregationRun.State.SUCCEEDED, progress=100, method=summary.method,
                             method_version=summary.method_version, reviews=summary.reviews,
                             seconds=summary.seconds, finished_at=timezone.now())
        round_mark_scored(judging_round=judging_round, user=run.created_by)
    return run


"""From the raw scores in the database to a round's results: an idempotent recompute.

`round_aggregate` reads every criterion score of the round's submitted reviews in two
queries, recomputes each review's weighted total from them (rubrics.py explains the
formula; the stored ``Review.weighted_total`` is a convenience, not the source), hands
the totals to `aggregation_math.aggregate` (least squares on total = quality + judge
offset; its docstring says why rather than a per-judge z-score), and replaces the
round's EntryResult and JudgeResult rows in one transaction. Running it twice gives the
same rows; a crash half-way leaves the previous results in place.

Settings of the computation, fixed here and recorded on every result as method + version:

- prize boundaries: the round's ``prize_boundaries`` (default [1, 3, 6]: Seoul's 1 gold,
  2 silver, 3 bronze per category), until prizes exist as data of their own;
- a judge is corrected only with at least MIN_REVIEWS submitted reviews in the round;
- an entry is flagged for disagreement when its totals' standard deviation exceeds
  DISAGREEMENT_STDEV points on the 0–10 scale;
- the interval is a 90 % bootstrap percentile interval over BOOTSTRAP resamples of the
  judges, seeded by the round's id so that a recompute gives the same interval.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.db import fetch_rows
from portal.models import User
from portal.services import audit_log
from submissions.models import Application
from worker.base import enqueue_on_commit

from ..models import (
    AggregationRun,
    Assignment,
    Criterion,
    CriterionScore,
    EntryResult,
    JudgeResult,
    JudgingRound,
    Review,
    StageWeight,
)
from ..algorithms import aggregation as aggregation_math
from .rubrics import TOTAL_SCALE
from .scoring import LOCKED_EDITION_STATES

logger = logging.getLogger(__name__)

MIN_REVIEWS = 3
DISAGREEMENT_STDEV = 1.5
BOOTSTRAP = 200
CONFIDENCE = 0.9
# Bumped when the way totals are formed changes; the statistics have their own version.
TOTALS_VERSION = "1"
METHOD = aggregation_math.METHOD
METHOD_VERSION = f"{aggregation_math.METHOD_VERSION}.{TOTALS_VERSION}"
WRITE_BATCH = 2000
DEFAULT_PRIZE_BOUNDARIES = (1, 3, 6)

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


_BINARY_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00"


def _fetch_integers(queryset, width: int) -> np.ndarray:
    """The rows of a values_list queryset of `width` integer columns as an (n, width) int64 array.

    On PostgreSQL the rows come as one two-dimensional int8 array in one binary COPY message, read straight
    into numpy: 180,000 score rows in a few hundredths of a second instead of a tenth for the tuples (our
    own ~25 lines: psycopg's readers build a Python object per value). Elsewhere through `fetch_rows`.
    NULLs are refused, not guessed.
    """
    if connection.vendor != "postgresql":
        rows = fetch_rows(queryset)
        return np.array(rows, dtype=np.int64).reshape(len(rows), width)
    sql, params = queryset.query.sql_with_params()
    names = [f"c{i}" for i in range(width)]
    row = ", ".join(f"{name}::int8" for name in names)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            f"COPY (SELECT array_agg(ARRAY[{row}]) FROM ({sql}) AS q ({', '.join(names)})) TO STDOUT (FORMAT BINARY)",
            params,
        ) as copy:
            data = b"".join(bytes(block) for block in copy)
    if not data.startswith(_BINARY_COPY_HEADER):
        raise ValueError("unexpected COPY BINARY header")
    at = 19 + int.from_bytes(data[15:19], "big")  # past the signature, flags and header extension
    field_length = int.from_bytes(data[at + 2:at + 6], "big", signed=True)
    if field_length < 0:  # array_agg of no rows is NULL
        return np.zeros((0, width), dtype=np.int64)
    array = memoryview(data)[at + 6:at + 6 + field_length]
    ndim, has_null = int.from_bytes(array[0:4], "big"), int.from_bytes(array[4:8], "big")
    if ndim != 2 or has_null:
        raise ValueError("NULL or malformed value in an integer COPY")
    rows, columns = int.from_bytes(array[12:16], "big"), int.from_bytes(array[20:24], "big")
    cells = np.frombuffer(array[28:], dtype=np.dtype([("length", ">i4"), ("value", ">i8")]))
    if columns != width or cells.size != rows * width or (cells["length"] != 8).any():
        raise ValueError("NULL or malformed value in an integer COPY")
    return cells["value"].astype(np.int64).reshape(rows, width)


_COPY_CHUNK = 1 << 20
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    """One value in PostgreSQL's COPY text format (as psycopg's write_row would send it)."""
    if value is None:
        return "\\N"
    if isinstance(value, (bool, np.bool_)):
        return "t" if value else "f"
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)  # numpy 2's repr of np.float64 is "np.float64(0.5)"
    if isinstance(value, int):
        return int.__repr__(int(value))
    text = str(value)
    # Four scans in C are far cheaper than translate() over 7 MB of JSON that almost never needs it.
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_COPY_ESCAPES)
    return text


def _copy_column(values: tuple) -> list[str] | tuple:
    """One column in COPY text format; a column of one plain type is converted in one C-level pass.

    Python's float repr ("nan", "inf") is valid PostgreSQL float input, case-insensitively.
    """
    kinds = set(map(type, values))
    if kinds == {float}:
        return list(map(float.__repr__, values))
    if kinds == {int}:
        return list(map(int.__repr__, values))
    if kinds == {str} and not any(special in text for text in values for special in "\\\t\n\r"):
        return values
    return [_copy_value(value) for value in values]


def _write(model, fields: list[str], rows: list[tuple]) -> None:
    """Insert rows: COPY on PostgreSQL (10,000 results in a tenth of a second), bulk_create elsewhere.

    Django's bulk_create on PostgreSQL spends most of its time adapting values in Python; COPY streams them.
    JSON values come already serialised as text.
    """
    if not rows:
        return
    if connection.vendor == "postgresql":
        meta = model._meta
        quote = connection.ops.quote_name
        columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
        cells = [_copy_column(column) for column in zip(*rows, strict=True)]
        text = "\n".join(map("\t".join, zip(*cells, strict=True))) + "\n"
        with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
        ) as copy:
            # One block of COPY text rather than write_row per row: the per-row adaptation costs
            # a fifth of a second for 10,000 results.
            for start in range(0, len(text), _COPY_CHUNK):
                copy.write(text[start:start + _COPY_CHUNK])
        return
    meta = model._meta
    attnames = [meta.get_field(name).attname for name in fields]
    json_columns = [i for i, name in enumerate(fields) if meta.get_field(name).get_internal_type() == "JSONField"]
    objects = []
    for row in rows:
        values = list(row)
        for i in json_columns:
            values[i] = json.loads(values[i])
        objects.append(model(**dict(zip(attnames, values, strict=True))))
    model.objects.bulk_create(objects, batch_size=WRITE_BATCH)


def _criteria_table(criterion_ids: np.ndarray):
    """Scale and weights of the criteria in play: (ids, min, max, weight per stage column)."""
    stages = [""] + list(Application.Stage.values)
    rows = list(
        Criterion.objects.filter(pk__in=criterion_ids.tolist())
        .order_by("pk")
        .values_list("pk", "scale_min", "scale_max", "weight")
    )
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    low = np.array([r[1] for r in rows], dtype=float)
    high = np.array([r[2] for r in rows], dtype=float)
    weights = np.repeat(np.array([float(r[3]) for r in rows], dtype=float)[:, None], len(stages), axis=1)
    stage_column = {stage: i for i, stage in enumerate(stages)}
    for criterion_id, stage, weight in StageWeight.objects.filter(criterion_id__in=ids.tolist()).values_list(
        "criterion_id", "stage", "weight"
    ):
        weights[np.searchsorted(ids, criterion_id), stage_column[stage]] = float(weight)
    return ids, low, high, weights, stage_column


def _load(judging_round: JudgingRound) -> _Loaded:
    """The round's submitted reviews with their totals recomputed from the raw criterion scores (two queries)."""
    counted = {"assignment__round": judging_round, "state": Review.State.SUBMITTED,
               "assignment__state": Assignment.State.SUBMITTED}
    reviews = fetch_rows(
        Review.objects.filter(**counted)
        .order_by("pk")
        .values_list("pk", "assignment__application_id", "assignment__judge_id",
                     "assignment__application__category_id", "assignment__application__stage")
    )
    scores = _fetch_integers(
        CriterionScore.objects.filter(**{f"review__{key}": value for key, value in counted.items()},
                                      score__isnull=False)
        .order_by()
        .values_list("review_id", "criterion_id", "score"),
        3,
    )
    empty = np.zeros(0, dtype=np.int64)
    if not reviews or not scores.size:
        return _Loaded(empty, empty, empty, empty, np.zeros(0), {}, 0, len(reviews))

    review_ids = np.fromiter((r[0] for r in reviews), dtype=np.int64, count=len(reviews))
    entry = np.fromiter((r[1] for r in reviews), dtype=np.int64, count=len(reviews))
    judge = np.fromiter((r[2] for r in reviews), dtype=np.int64, count=len(reviews))
    category = np.fromiter((r[3] for r in reviews), dtype=np.int64, count=len(reviews))
    stage_names = [r[4] or "" for r in reviews]

    review_idx = np.searchsorted(review_ids, scores[:, 0])
    criterion_ids, low, high, weights, stage_column = _criteria_table(np.unique(scores[:, 1]))
    criterion_idx = np.searchsorted(criterion_ids, scores[:, 1])
    stage_idx = np.array([stage_column.get(stage, 0) for stage in stage_names], dtype=np.int64)
    raw = scores[:, 2].astype(float)

    # total = Σ w·n / Σ w with n the score on 0–10 (see rubrics.py).
    normalised = TOTAL_SCALE * (raw - low[criterion_idx]) / (high[criterion_idx] - low[criterion_idx])
    weight = weights[criterion_idx, stage_idx[review_idx]]
    weight_sum = np.bincount(review_idx, weights=weight, minlength=review_ids.size)
    weighted = np.bincount(review_idx, weights=weight * normalised, minlength=review_ids.size)
    usable = weight_sum > 0
    total = np.divide(weighted, weight_sum, out=np.zeros_like(weighted), where=usable)
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


def prize_boundaries(judging_round: JudgingRound) -> tuple[int, ...]:
    """The round's prize boundaries; an empty list means none (no overlap flags)."""
    if judging_round.prize_boundaries is None:
        return DEFAULT_PRIZE_BOUNDARIES
    return tuple(int(rank) for rank in judging_round.prize_boundaries)


def round_aggregate(*, judging_round: JudgingRound, on_progress: Progress | None = None,
                    bootstrap: int = BOOTSTRAP) -> AggregationSummary:
    """Recompute the round's results from the raw scores and replace them, all or nothing."""
    report = on_progress or _ignore
    started = time.perf_counter()
    report(5, _("Reading the scores"))
    loaded = _load(judging_round)
    loaded_at = time.perf_counter()

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
    )
    computed_at = time.perf_counter()

    report(80, _("Writing the results"))
    entry_fields = [
        "round", "application", "category", "n_reviews", "mean", "median", "corrected", "spread", "stdev",
        "disagreement", "uncorrected_judges", "interval_low", "interval_high", "rank", "tied", "boundary_overlap",
        "criterion_medians", "correction", "method", "method_version",
    ]
    entry_rows = [
        (judging_round.pk, r.entry, groups[r.entry], r.n_reviews, r.mean, r.median, r.corrected, r.spread, r.stdev,
         r.disagreement, r.uncorrected_judges, r.interval[0], r.interval[1], r.rank, r.tied, r.boundary_overlap,
         loaded.criterion_medians.get(r.entry, "{}"), r.corrected - r.mean, METHOD, METHOD_VERSION)
        for r in entries
    ]
    judge_fields = ["round", "judge", "n_reviews", "offset", "corrected"]
    judge_rows = [(judging_round.pk, r.judge, r.n_reviews, r.offset, r.corrected) for r in judges]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Results are derived data, recomputed whole from the raw scores: losing this commit in a crash
            # costs a rerun, never a score, so it need not wait for the disk flush.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        # Serialises concurrent recomputes of one round; the last one to commit wins, whole.
        JudgingRound.objects.select_for_update().filter(pk=judging_round.pk).values_list("pk").first()
        EntryResult.objects.filter(round=judging_round).delete()
        JudgeResult.objects.filter(round=judging_round).delete()
        _write(EntryResult, entry_fields, entry_rows)
        _write(JudgeResult, judge_fields, judge_rows)
    finished = time.perf_counter()
    report(100, _("Done"))
    return AggregationSummary(
        reviews=int(loaded.total.size), entries=len(entry_rows), judges=len(judge_rows), scores=loaded.scores,
        skipped_reviews=loaded.skipped, seconds=finished - started, load_seconds=loaded_at - started,
        math_seconds=computed_at - loaded_at, write_seconds=finished - computed_at,
        method=METHOD, method_version=METHOD_VERSION,
    )


# --- runs: on demand and when a round closes ----------------------------------------------------------------


@transaction.atomic
def aggregation_request(*, judging_round: JudgingRound, user: User | None) -> AggregationRun:
    """Queue a recompute of the round's results (after commit). A run already waiting is reused, not doubled."""
    ensure_results_unlocked(judging_round)
    waiting = AggregationRun.objects.filter(round=judging_round, state=AggregationRun.State.PENDING).first()
    if waiting is not None:
        return waiting
    run = AggregationRun.objects.create(round=judging_round, created_by=user if user and user.is_authenticated else None)
    audit_log(actor=user, action="aggregation.request", target=judging_round, edition_id=judging_round.edition_id,
              after={"run": run.pk})
    from ..tasks.scoring import aggregate_round

    enqueue_on_commit(aggregate_round, run_id=run.pk)
    return run


def aggregation_after_round_closed(*, judging_round: JudgingRound, user: User | None) -> AggregationRun:
    """The hook the round's closing calls: results are computed as soon as no more scores can come in."""
    return aggregation_request(judging_round=judging_round, user=user)


@transaction.atomic
def round_close(*, round: JudgingRound, user: User | None) -> JudgingRound:  # noqa: A002 - as round_open
    """open → closed: judges can no longer score or edit; the results are computed after commit.

    Sits beside round_open (judging/services/assignment.py) in spirit: it is the round's state change that ends
    scoring, so it lives with the scoring side that it triggers.
    """
    judging_round = JudgingRound.objects.select_for_update().select_related("edition").get(pk=round.pk)
    if judging_round.state != JudgingRound.State.OPEN:
        raise ValidationError(_("Only a round open for scoring can be closed."), code="state")
    ensure_results_unlocked(judging_round)
    judging_round.state = JudgingRound.State.CLOSED
    judging_round.save(update_fields=["state"])
    audit_log(actor=user, action="round.closed", target=judging_round, edition_id=judging_round.edition_id,
              before={"state": JudgingRound.State.OPEN}, after={"state": JudgingRound.State.CLOSED})
    aggregation_after_round_closed(judging_round=judging_round, user=user)
    return judging_round


def _run_update(run: AggregationRun, **fields) -> None:
    for name, value in fields.items():
        setattr(run, name, value)
    AggregationRun.objects.filter(pk=run.pk).update(**fields)


def aggregation_run_execute(*, run: AggregationRun) -> AggregationRun:
    """Carry out one run: progress on the run, results replaced, the run's outcome recorded.

    Idempotent: a run that already succeeded is left alone. Database errors propagate so that the task's retry
    runs it again; anything else marks the run failed, with the error, for the secretariat to see and retry.
    """
    if run.state == AggregationRun.State.SUCCEEDED:
        return run
    _run_update(run, state=AggregationRun.State.RUNNING, progress=1, error="")

    def progress(percent: int, message: str) -> None:
        _run_update(run, progress=percent)

    judging_round = JudgingRound.objects.select_related("edition").get(pk=run.round_id)
    try:
        ensure_results_unlocked(judging_round)
        summary = round_aggregate(judging_round=judging_round, on_progress=progress)
    except Exception as error:
        if isinstance(error, OperationalError | InterfaceError):  # passing: the task retries the run
            _run_update(run, state=AggregationRun.State.PENDING)
            raise
        logger.exception("aggregation run %s failed", run.pk)
        message = error.messages[0] if isinstance(error, ValidationError) else f"{type(error).__name__}: {error}"
        _run_update(run, state=AggregationRun.State.FAILED, error=message[:2000],
                    finished_at=timezone.now())
        return run
    with transaction.atomic():
        _run_update(run, state=AggregationRun.State.SUCCEEDED, progress=100, method=summary.method,
                    method_version=summary.method_version, reviews=summary.reviews, seconds=summary.seconds,
                    finished_at=timezone.now())
        round_mark_scored(judging_round=judging_round, user=run.created_by)
    return run


def round_mark_scored(*, judging_round: JudgingRound, user: User | None) -> bool:
    """closed → scored once its results are computed. Rounds in any other state keep it."""
    moved = JudgingRound.objects.filter(pk=judging_round.pk, state=JudgingRound.State.CLOSED).update(
        state=JudgingRound.State.SCORED
    )
    if moved:
        judging_round.state = JudgingRound.State.SCORED
        audit_log(actor=user, action="round.scored", target=judging_round, edition_id=judging_round.edition_id,
                  before={"state": JudgingRound.State.CLOSED}, after={"state": JudgingRound.State.SCORED})
    return bool(moved)


@transaction.atomic
def round_scoring_settings_update(*, round: JudgingRound, user: User | None,  # noqa: A002 - as round_open
                                  prize_boundaries: list[int], explanation_to_applicants: bool) -> JudgingRound:
    """The round's scoring settings: where prize tiers end (for the boundary flags) and whether applicants read
    their explanation card after publication. New boundaries count from the next computation of the results."""
    judging_round = JudgingRound.objects.select_for_update().select_related("edition").get(pk=round.pk)
    ensure_results_unlocked(judging_round)
    before = {"prize_boundaries": judging_round.prize_boundaries,
              "explanation_to_applicants": judging_round.explanation_to_applicants}
    judging_round.prize_boundaries = list(prize_boundaries)
    judging_round.explanation_to_applicants = explanation_to_applicants
    judging_round.full_clean(exclude=["categories"])
    after = {"prize_boundaries": judging_round.prize_boundaries,
             "explanation_to_applicants": judging_round.explanation_to_applicants}
    if after != before:
        judging_round.save(update_fields=["prize_boundaries", "explanation_to_applicants"])
        audit_log(actor=user, action="round.scoring_settings", target=judging_round,
                  edition_id=judging_round.edition_id, before=before, after=after)
    return judging_round


def ensure_results_unlocked(judging_round: JudgingRound) -> None:
    """Once the chair has finalised the edition, its results are locked for good: no recompute changes them."""
    if judging_round.edition.state in LOCKED_EDITION_STATES:
        raise ValidationError(_("The edition is finalised: its results are locked for good."), code="finalised")


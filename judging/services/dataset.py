"""The verifiable results of a published edition: an anonymised dataset, and the recompute of its ranking.

`results_dataset` (read-only) gathers, for an edition that chose `publish_dataset`: the entries as published
(application id, title and category for entries that won something; an opaque stable id, the category and the
development stage, which the ranking needs, for every other entry), the judges as stable pseudonyms (an HMAC
of the judge's id with a per-edition key derived from SECRET_KEY), every submitted criterion score, the rubric
(criteria, scales, weights, weights per stage), the method and its version, and per round the published
ranking per category.

`dataset_recompute` needs nothing but such a dataset: it forms each review's total and runs the aggregation
with the project's own functions (judging.algorithms.aggregation: `weighted_totals`, `aggregate_arrays`),
with the settings recorded in the dataset, and compares the ranks with the published ones. The management
command `recompute_results` prints it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict

import numpy as np
from django.conf import settings

from portal.models import Edition
from submissions.models import Application

from ..algorithms import aggregation as aggregation_math
from ..models import (
    Assignment,
    AwardDecision,
    Criterion,
    CriterionScore,
    EntryResult,
    JudgingRound,
    Review,
    StageWeight,
)
from .aggregation import BOOTSTRAP, CONFIDENCE, DISAGREEMENT_STDEV, METHOD, METHOD_VERSION, MIN_REVIEWS
from .aggregation import prize_boundaries as round_prize_boundaries
from .rubrics import TOTAL_SCALE

FORMAT = "award-portal-results-dataset"
FORMAT_VERSION = 1
STAGES = [""] + list(Application.Stage.values)  # the stage columns of the weights, as the service uses them
CORRECTED_DECIMALS = 6


def _edition_key(edition: Edition) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), f"results-dataset:{edition.pk}".encode(), hashlib.sha256).digest()


def pseudonym(key: bytes, prefix: str, pk: int) -> str:
    """A stable pseudonym: the same person or entry always gets the same one in an edition's dataset."""
    return f"{prefix}-{hmac.new(key, f'{prefix}:{pk}'.encode(), hashlib.sha256).hexdigest()[:12]}"


def _rubrics(edition: Edition) -> list[dict]:
    criteria = list(Criterion.objects.filter(rubric__edition=edition).select_related("rubric__category")
                    .order_by("rubric_id", "position", "id"))
    stage_weights = defaultdict(dict)
    for criterion_id, stage, weight in StageWeight.objects.filter(criterion__in=criteria).values_list(
            "criterion_id", "stage", "weight"):
        stage_weights[criterion_id][stage] = str(weight)
    rubrics: dict[int, dict] = {}
    for criterion in criteria:
        rubric = rubrics.setdefault(criterion.rubric_id, {
            "name": criterion.rubric.name,
            "category": criterion.rubric.category.slug if criterion.rubric.category_id else None,
            "criteria": [],
        })
        rubric["criteria"].append({
            "id": criterion.pk, "name": criterion.name, "scale_min": criterion.scale_min,
            "scale_max": criterion.scale_max, "weight": str(criterion.weight),
            "stage_weights": stage_weights.get(criterion.pk, {}),
        })
    return list(rubrics.values())


def _round_reviews(judging_round: JudgingRound, entry_id, judge_id) -> list[dict]:
    """The round's submitted reviews, as the aggregation counts them, in the same (review id) order."""
    counted = {"assignment__round": judging_round, "state": Review.State.SUBMITTED,
               "assignment__state": Assignment.State.SUBMITTED}
    scores = defaultdict(dict)
    for review_id, criterion_id, score in CriterionScore.objects.filter(
            **{f"review__{key}": value for key, value in counted.items()}, score__isnull=False,
    ).values_list("review_id", "criterion_id", "score"):
        scores[review_id][str(criterion_id)] = score
    return [
        {"entry": entry_id(application_id), "judge": judge_id(judge), "scores": scores[review_id]}
        for review_id, application_id, judge in Review.objects.filter(**counted).order_by("pk").values_list(
            "pk", "assignment__application_id", "assignment__judge_id")
        if scores.get(review_id)
    ]


def results_dataset(*, edition: Edition) -> dict:
    """The anonymised dataset of an edition's results (see the module's docstring). Reads only."""
    key = _edition_key(edition)
    rounds = list(JudgingRound.objects.filter(edition=edition, entry_results__isnull=False).distinct()
                  .order_by("position"))
    results = list(EntryResult.objects.filter(round__in=rounds).select_related("category")
                   .order_by("round__position", "category_id", "rank", "application_id"))
    judge_ids = sorted(set(Assignment.objects.filter(round__in=rounds).values_list("judge_id", flat=True)))
    entry_ids = sorted(set(Assignment.objects.filter(round__in=rounds).values_list("application_id", flat=True))
                       | {r.application_id for r in results})
    awarded: dict[int, list[str]] = defaultdict(list)
    for decision in AwardDecision.objects.filter(edition=edition, application__isnull=False).select_related(
            "tier", "award", "category"):
        label = (f"{decision.tier.level}:{decision.category.slug}" if decision.tier_id
                 else f"{decision.award.kind}:{decision.award.name}")
        awarded[decision.application_id].append(label)
    applications = {a.pk: a for a in Application.objects.filter(pk__in=entry_ids).select_related("category")}
    entry_names = {pk: pseudonym(key, "E", pk) for pk in entry_ids}
    judge_names = {pk: pseudonym(key, "J", pk) for pk in judge_ids}

    entries = []
    for pk in entry_ids:  # in id order, which the recompute keeps
        application = applications[pk]
        entry = {"id": entry_names[pk], "category": application.category.slug, "stage": application.stage}
        if pk in awarded:
            entry.update(application_id=pk, title=application.title, awards=sorted(awarded[pk]))
        entries.append(entry)

    by_round = defaultdict(lambda: defaultdict(list))
    methods = {}
    for result in results:
        methods[result.round_id] = (result.method, result.method_version)
        by_round[result.round_id][result.category.slug].append({
            "entry": entry_names[result.application_id], "rank": result.rank, "tied": result.tied,
            "corrected": round(result.corrected, CORRECTED_DECIMALS),
        })
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "edition": {"slug": edition.slug, "name": edition.name,
                    "published_at": edition.published_at.isoformat() if edition.published_at else None},
        "method": {
            "name": METHOD, "version": METHOD_VERSION,
            "settings": {"total_scale": TOTAL_SCALE, "min_reviews": MIN_REVIEWS,
                         "disagreement_threshold": DISAGREEMENT_STDEV, "bootstrap": BOOTSTRAP,
                         "confidence": CONFIDENCE},
        },
        "rubrics": _rubrics(edition),
        "entries": entries,
        "judges": [judge_names[pk] for pk in judge_ids],
        "rounds": [
            {
                "name": judging_round.name, "position": judging_round.position, "seed": judging_round.pk,
                "prize_boundaries": list(round_prize_boundaries(judging_round)),
                "method": methods[judging_round.pk][0], "method_version": methods[judging_round.pk][1],
                "aggregation": judging_round.aggregation_method,
                "reviews": _round_reviews(judging_round, entry_names.__getitem__, judge_names.__getitem__),
                "ranking": {slug: rows for slug, rows in by_round[judging_round.pk].items()},
            }
            for judging_round in rounds
        ],
    }


# --- the recompute, from the dataset alone ------------------------------------------------------------------------


def _criteria_arrays(data: dict):
    criteria = sorted((c for rubric in data["rubrics"] for c in rubric["criteria"]), key=lambda c: c["id"])
    ids = [str(c["id"]) for c in criteria]
    low = np.array([float(c["scale_min"]) for c in criteria])
    high = np.array([float(c["scale_max"]) for c in criteria])
    weights = np.array([[float(c["stage_weights"].get(stage, c["weight"])) if stage else float(c["weight"])
                         for stage in STAGES] for c in criteria]).reshape(len(criteria), len(STAGES))
    return {cid: i for i, cid in enumerate(ids)}, low, high, weights


def _round_recompute(data: dict, round_data: dict, criteria) -> dict[str, list[dict]]:
    criterion_index, low, high, weights = criteria
    entries = {entry["id"]: (i, entry) for i, entry in enumerate(data["entries"])}
    judges = {judge: i for i, judge in enumerate(data["judges"])}
    stage_column = {stage: i for i, stage in enumerate(STAGES)}
    reviews = round_data["reviews"]
    review_idx, criterion_idx, raw = [], [], []
    for r, review in enumerate(reviews):
        for criterion_id, score in review["scores"].items():
            review_idx.append(r)
            criterion_idx.append(criterion_index[criterion_id])
            raw.append(float(score))
    if not reviews:
        return {}
    entry = np.array([entries[review["entry"]][0] for review in reviews], dtype=np.int64)
    judge = np.array([judges[review["judge"]] for review in reviews], dtype=np.int64)
    stage_idx = np.array([stage_column.get(entries[review["entry"]][1]["stage"] or "", 0) for review in reviews],
                         dtype=np.int64)
    method = data["method"]["settings"]
    total, usable = aggregation_math.weighted_totals(
        review_idx=np.array(review_idx, dtype=np.int64), criterion_idx=np.array(criterion_idx, dtype=np.int64),
        stage_idx=stage_idx, raw=np.array(raw), low=low, high=high, weights=weights, n_reviews=len(reviews),
        scale=float(method["total_scale"]),
    )
    groups = {int(e): data["entries"][int(e)]["category"] for e in entry[usable]}
    results, _judges = aggregation_math.aggregate_arrays(
        entry[usable], judge[usable], total[usable], min_reviews=int(method["min_reviews"]),
        disagreement_threshold=float(method["disagreement_threshold"]), bootstrap=int(method["bootstrap"]),
        confidence=float(method["confidence"]), seed=int(round_data["seed"]), groups=groups,
        prize_boundaries=tuple(round_data["prize_boundaries"]),
        method=_aggregation(round_data),
    )
    ranking: dict[str, list[dict]] = defaultdict(list)
    for result in sorted(results, key=lambda r: (r.rank, r.entry)):
        ranking[groups[result.entry]].append({
            "entry": data["entries"][result.entry]["id"], "rank": result.rank, "tied": result.tied,
            "corrected": round(result.corrected, CORRECTED_DECIMALS),
        })
    return dict(ranking)


def _aggregation(round_data: dict) -> str:
    """The method that computed the round: named in the dataset, or (datasets before method 2) told by its name."""
    if round_data.get("aggregation") in aggregation_math.METHODS:
        return round_data["aggregation"]
    calibrated_name = aggregation_math.METHODS[aggregation_math.CALIBRATED][0]
    return aggregation_math.CALIBRATED if round_data.get("method") == calibrated_name else aggregation_math.OFFSETS


def _same(published: list[dict], computed: list[dict]) -> bool:
    key = lambda rows: sorted((row["entry"], row["rank"], row["tied"]) for row in rows)  # noqa: E731
    if key(published) != key(computed):
        return False
    scores = {row["entry"]: row["corrected"] for row in published}
    return all(abs(scores[row["entry"]] - row["corrected"]) <= 10 ** -(CORRECTED_DECIMALS - 1) for row in computed)


def dataset_recompute(*, data: dict) -> list[dict]:
    """Per round and category: the recomputed ranking, the published one, and whether they agree."""
    if data.get("format") != FORMAT:
        raise ValueError(f"not a results dataset of this project (format {data.get('format')!r})")
    criteria = _criteria_arrays(data)
    report = []
    for round_data in data["rounds"]:
        computed = _round_recompute(data, round_data, criteria)
        published = round_data["ranking"]
        for slug in sorted(set(published) | set(computed)):
            report.append({
                "round": round_data["name"], "category": slug,
                "computed": computed.get(slug, []), "published": published.get(slug, []),
                "matches": _same(published.get(slug, []), computed.get(slug, [])),
            })
    return report

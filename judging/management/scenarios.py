"""Named judging scenarios with a known truth, and the figures that compare aggregation methods on them.

Behind `simulate_judging --scenario NAME` (not production code). Each scenario draws entries with a true quality
and a panel of judges who differ the way real panels do, assigns judges (the caller's assigner: the real one in
the command), scores, and asks each method for scores and (where it has them) intervals. The figures per method:
Kendall tau to the truth per category, the share of the true top 6 in the estimated top 6, exact top-6 recovery,
the interval coverage of the truth, and the boundary flags' precision and recall against the entries that land
in the wrong prize tier. Every figure is a mean over trials with its standard error.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.stats

from judging.algorithms.aggregation import least_squares
from judging.algorithms.aggregation.bootstrap import bootstrap_intervals
from judging.algorithms.aggregation.calibrated import _normalise, fit_calibrated
from judging.algorithms.aggregation.calibrated_bootstrap import bootstrap_calibrated
from judging.algorithms.aggregation.tiers import tier_flags, tier_of_ranks

SCENARIOS = ("offset", "scale", "reliability", "outlier", "heavy-tail", "split-panels", "category-leniency",
             "ceiling")
METHODS = ("raw mean", "z-score", "method 1 (offsets)", "method 2 (calibrated)")
TIERS = (1, 3, 6)  # Seoul: 1 gold, 2 silver, 3 bronze per category
BASE, SPREAD = 6.5, 1.2  # the points scale: an average judge gives 6.5 +- 1.2 on a 1-10 scale

Assigner = Callable[[np.random.Generator, int, int, int, np.ndarray, np.ndarray], np.ndarray]


@dataclass
class Panel:
    """One simulated competition: who scored what, and the truth on the points scale of the average judge."""

    entry: np.ndarray
    judge: np.ndarray
    score: np.ndarray
    category: np.ndarray  # per entry
    truth: np.ndarray  # per entry, on the estimate's scale (the pool's average judge)
    quality: np.ndarray  # per entry, the latent quality (for ranks)


def judge_allowed(rng: np.random.Generator, scenario: str, judges: int, categories: int,
                  entry_category: np.ndarray, calibration: int) -> np.ndarray:
    """Which judge may score which entry: every judge everything, except in split panels (each category's judges in
    two halves that share nothing but the calibration entries)."""
    allowed = np.ones((entry_category.size, judges), dtype=bool)
    if scenario == "split-panels":
        panel_of_judge = np.arange(judges) % 2
        for c in range(categories):
            members = np.flatnonzero(entry_category == c)
            half = members[: members.size // 2], members[members.size // 2:]
            allowed[half[0][:, None], np.flatnonzero(panel_of_judge == 1)[None, :]] = False
            allowed[half[1][:, None], np.flatnonzero(panel_of_judge == 0)[None, :]] = False
    return allowed


def draw(rng: np.random.Generator, scenario: str, *, entries: int, judges: int, per_entry: int, categories: int,
         calibration: int, assign: Assigner) -> Panel:
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; one of {', '.join(SCENARIOS)}")
    category = np.arange(entries) % categories
    quality = rng.normal(0.0, 1.0, entries)
    leniency = rng.normal(0.0, 0.6, judges)
    scale = np.ones(judges)
    noise = rng.uniform(0.3, 0.9, judges)
    category_leniency = np.zeros((judges, categories))
    if scenario == "offset":
        leniency = rng.normal(0.0, 1.0, judges)
    elif scenario == "scale":
        scale = np.exp(rng.normal(0.0, 0.45, judges))
    elif scenario == "reliability":
        noise = np.exp(rng.uniform(np.log(0.25), np.log(2.0), judges))
    elif scenario == "category-leniency":
        category_leniency = rng.normal(0.0, 0.8, (judges, categories))
    elif scenario == "ceiling":
        leniency = rng.normal(0.8, 0.6, judges)
    allowed = judge_allowed(rng, scenario, judges, categories, category, calibration)
    pairs = np.asarray(assign(rng, entries, judges, per_entry, category, allowed))
    e, j = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    if scenario == "split-panels" and calibration:
        # Calibration entries: the first `calibration` entries of each category, scored by every judge of it.
        extra_e, extra_j = [], []
        for c in range(categories):
            for entry in np.flatnonzero(category == c)[:calibration]:
                have = set(j[e == entry].tolist())
                for judge in range(judges):
                    if judge not in have:
                        extra_e.append(entry)
                        extra_j.append(judge)
        e, j = np.concatenate([e, extra_e]).astype(np.int64), np.concatenate([j, extra_j]).astype(np.int64)
    if scenario == "heavy-tail":
        error = rng.standard_t(2.5, e.size) * noise[j] / math.sqrt(2.5 / 0.5)
    else:
        error = rng.normal(0.0, 1.0, e.size) * noise[j]
    if scenario == "outlier":
        outliers = rng.random(e.size) < 0.05
        error[outliers] += rng.choice([-1, 1], outliers.sum()) * rng.uniform(2.5, 4.5, outliers.sum())
    score = BASE + leniency[j] + category_leniency[j, category[e]] + SPREAD * scale[j] * quality[e] + error
    if scenario == "ceiling":
        score = np.clip(score, 1.0, 10.0)
    # The truth on the estimate's scale: the true judges normalised as the calibrated fit normalises its own.
    a, b, truth = _normalise(BASE + leniency.copy(), scale.copy(), SPREAD * quality, np.ones(judges, bool),
                             np.zeros(judges, np.int64), np.zeros(entries, np.int64), np.ones(judges))
    # In each category the average judge also carries the panel's average leniency there.
    truth = truth + category_leniency.mean(axis=0)[category]
    return Panel(entry=e, judge=j, score=score, category=category, truth=truth, quality=quality)


def z_scores(panel: Panel, n_entries: int, n_judges: int) -> np.ndarray:
    """Each judge's scores standardised (the per-judge z-score), then averaged per entry, back on the points
    scale (panel mean and spread)."""
    e, j, y = panel.entry, panel.judge, panel.score
    count = np.bincount(j, minlength=n_judges)
    mean = np.bincount(j, weights=y, minlength=n_judges) / np.maximum(count, 1)
    sd = np.sqrt(np.bincount(j, weights=(y - mean[j]) ** 2, minlength=n_judges) / np.maximum(count - 1, 1))
    sd = np.where(sd > 0, sd, 1.0)
    z = (y - mean[j]) / sd[j]
    return y.mean() + y.std() * np.bincount(e, weights=z, minlength=n_entries) / np.maximum(
        np.bincount(e, minlength=n_entries), 1)


def estimates(panel: Panel, *, bootstrap: int, seed: int, confidence: float = 0.9) -> dict[str, tuple]:
    """Each method's (score, low, high) per entry; intervals only for the two model-based methods."""
    entries, judges = panel.category.size, int(panel.judge.max()) + 1
    e, j, y = panel.entry, panel.judge, panel.score
    raw = np.bincount(e, weights=y, minlength=entries) / np.maximum(np.bincount(e, minlength=entries), 1)
    fit_args = dict(entry_idx=e, judge_idx=j, totals=y, eligible=np.bincount(j, minlength=judges) >= 3,
                    n_entries=entries, n_judges=judges)
    old = least_squares.fit(judge_weight=np.ones(judges), **fit_args).corrected
    old_low, old_high = bootstrap_intervals(fit_args=fit_args, corrected=old, resamples=bootstrap,
                                            confidence=confidence, seed=seed)
    new_fit = fit_calibrated(entry_idx=e, judge_idx=j, totals=y, n_entries=entries, n_judges=judges,
                             entry_group=panel.category)
    new = new_fit.quality
    new_low, new_high, _samples = bootstrap_calibrated(
        point=new_fit, entry_idx=e, judge_idx=j, totals=y, n_entries=entries, n_judges=judges,
        entry_group=panel.category, resamples=bootstrap, confidence=confidence, seed=seed)
    return {
        "raw mean": (raw, None, None),
        "z-score": (z_scores(panel, entries, judges), None, None),
        "method 1 (offsets)": (old, old_low, old_high),
        "method 2 (calibrated)": (new, new_low, new_high),
    }


def run(scenario: str, *, trials: int, seed: int, entries: int, judges: int, per_entry: int, categories: int,
        calibration: int, bootstrap: int, assign: Assigner, top: int = 6) -> dict[str, dict[str, tuple]]:
    """Figures per method: name -> (mean, standard error)."""
    rng = np.random.default_rng(seed)
    figures: dict[str, dict[str, list[float]]] = {method: {} for method in METHODS}
    for trial in range(trials):
        panel = draw(rng, scenario, entries=entries, judges=judges, per_entry=per_entry, categories=categories,
                     calibration=calibration, assign=assign)
        for method, (score, low, high) in estimates(panel, bootstrap=bootstrap, seed=seed + trial).items():
            for name, value in _measure(panel, score, low, high, top=top).items():
                figures[method].setdefault(name, []).append(value)
    return {method: {name: _mean_se(values) for name, values in named.items()} for method, named in figures.items()}


def _measure(panel: Panel, score: np.ndarray, low, high, *, top: int) -> dict[str, float]:
    taus, shares, exact = [], [], []
    wrong_and_flagged = wrong_total = flagged_total = 0
    covered = []
    for c in np.unique(panel.category):
        members = np.flatnonzero((panel.category == c) & np.isfinite(score))
        if members.size <= top:
            continue
        taus.append(float(scipy.stats.kendalltau(panel.quality[members], score[members]).statistic))
        truth_top = set(members[np.argsort(-panel.quality[members])[:top]].tolist())
        found_top = set(members[np.argsort(-score[members])[:top]].tolist())
        shares.append(len(truth_top & found_top) / top)
        exact.append(float(truth_top == found_top))
        if low is not None:
            covered.extend(((low[members] <= panel.truth[members]) & (panel.truth[members] <= high[members])).tolist())
            true_rank = scipy.stats.rankdata(-panel.quality[members], method="min").astype(int)
            est_rank = scipy.stats.rankdata(-score[members], method="min").astype(int)
            wrong = tier_of_ranks(true_rank, TIERS) != tier_of_ranks(est_rank, TIERS)
            flags = tier_flags(score[members], low[members], high[members], est_rank, TIERS)
            wrong_total += int(wrong.sum())
            flagged_total += int(flags.sum())
            wrong_and_flagged += int((wrong & flags).sum())
    result = {"kendall tau": float(np.mean(taus)), "top-6 share": float(np.mean(shares)),
              "exact top-6": float(np.mean(exact))}
    if low is not None:
        result["coverage"] = float(np.mean(covered))
        if wrong_total:
            result["flag recall"] = wrong_and_flagged / wrong_total
        if flagged_total:
            result["flag precision"] = wrong_and_flagged / flagged_total
    return result


def _mean_se(values: list[float]) -> tuple[float, float]:
    array = np.asarray(values, dtype=float)
    if array.size < 2:
        return float(array.mean()), math.nan
    return float(array.mean()), float(array.std(ddof=1) / math.sqrt(array.size))


def random_assigner(rng: np.random.Generator, entries: int, judges: int, per_entry: int, category: np.ndarray,
                    allowed: np.ndarray) -> np.ndarray:
    """Each entry's judges drawn among those allowed, preferring the least loaded (balanced, like the assigner)."""
    load = np.zeros(judges)
    pairs = []
    for entry in rng.permutation(entries):
        candidates = np.flatnonzero(allowed[entry])
        chosen = candidates[np.lexsort((rng.random(candidates.size), load[candidates]))[:per_entry]]
        load[chosen] += 1
        pairs.extend((entry, judge) for judge in chosen)
    return np.asarray(pairs, dtype=np.int64)

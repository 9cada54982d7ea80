"""The judging simulation behind `simulate_judging`: synthetic competitions with a known truth (not production code).

Does the bias correction beat the raw mean? Each trial draws entries with a known quality
and judges with a known leniency and noise, asks an assigner for the pairs, scores them and
aggregates with the real `aggregate_arrays`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import scipy.stats

from judging.algorithms.aggregation import aggregate_arrays


def kendall_tau(a: Sequence[float], b: Sequence[float]) -> float:
    """Kendall's tau-b between two score lists (NaN when either is constant)."""
    return float(scipy.stats.kendalltau(a, b).statistic)


Assigner = Callable[[np.random.Generator, int, int, int, np.ndarray], np.ndarray]


# The simulated judges: leniency ~ Normal(0, LENIENCY_SD); each judge's own noise sd ~ Uniform(NOISE_SD_RANGE)
# (mean 0.7, as careful and careless judges sit on the same panel); true qualities ~ Normal(0, 1).
LENIENCY_SD = 1.0
NOISE_SD_RANGE = (0.3, 1.1)


def simulate(
    *,
    entries: int,
    judges: int,
    per_entry: int,
    trials: int,
    seed: int,
    categories: int = 2,
    top: int = 6,
    assign: Assigner,
) -> dict:
    """Compare raw means with corrected scores on synthetic competitions.

    Each trial draws true qualities (standard normal) for ``entries`` entries spread
    evenly over ``categories`` categories, and judges with a known leniency (normal, sd
    LENIENCY_SD) and a known noise of their own (sd uniform over NOISE_SD_RANGE); asks
    ``assign(rng, entries, judges, per_entry, entry_category)`` for an
    ``(entries * per_entry, 2)`` array of (entry, judge) pairs; scores each pair as
    quality + leniency + the judge's noise; aggregates; and measures per category the
    Kendall tau to the true order and the true top ``top``: whether it comes out exactly
    as the top ``top`` (``top_recovered_*``: the share of trial-categories where it does)
    and what share of it is found in the estimated top ``top`` (``top_overlap_*``).
    Returned figures are means over trials (tau averaged over categories first).
    """
    if min(entries, judges, per_entry, trials, categories, top) < 1:
        raise ValueError("every count must be at least 1")
    rng = np.random.default_rng(seed)
    entry_category = np.arange(entries) % categories
    tau = {"raw": [], "corrected": []}
    recovered = {"raw": [], "corrected": []}
    overlap = {"raw": [], "corrected": []}
    for _ in range(trials):
        quality = rng.normal(0.0, 1.0, entries)
        leniency = rng.normal(0.0, LENIENCY_SD, judges)
        noise_sd = rng.uniform(*NOISE_SD_RANGE, judges)
        pairs = np.asarray(assign(rng, entries, judges, per_entry, entry_category))
        if pairs.shape != (entries * per_entry, 2):
            raise ValueError(f"assign returned shape {pairs.shape}, expected {(entries * per_entry, 2)}")
        e, j = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
        scores = quality[e] + leniency[j] + rng.normal(0.0, 1.0, e.size) * noise_sd[j]
        results, _ = aggregate_arrays(e, j, scores, bootstrap=0,
                                      groups={i: int(entry_category[i]) for i in range(entries)})
        estimate = {"raw": np.full(entries, np.nan), "corrected": np.full(entries, np.nan)}
        for r in results:
            estimate["raw"][r.entry], estimate["corrected"][r.entry] = r.mean, r.corrected
        trial_tau = {"raw": [], "corrected": []}
        for cat in range(categories):
            members = np.flatnonzero((entry_category == cat) & ~np.isnan(estimate["raw"]))
            if members.size < 2:
                continue
            size = min(top, members.size)
            truth = set(members[np.argsort(-quality[members])[:size]].tolist())
            for name, values in estimate.items():
                trial_tau[name].append(kendall_tau(quality[members], values[members]))
                found = set(members[np.argsort(-values[members])[:size]].tolist())
                recovered[name].append(found == truth)
                overlap[name].append(len(found & truth) / size)
        for name in tau:
            tau[name].append(np.mean(trial_tau[name]) if trial_tau[name] else math.nan)

    def mean(values: list) -> float:
        return float(np.mean(values)) if values else math.nan

    return {
        "entries": entries,
        "judges": judges,
        "per_entry": per_entry,
        "trials": trials,
        "tau_raw": float(np.nanmean(tau["raw"])),
        "tau_corrected": float(np.nanmean(tau["corrected"])),
        "top_recovered_raw": mean(recovered["raw"]),
        "top_recovered_corrected": mean(recovered["corrected"]),
        "top_overlap_raw": mean(overlap["raw"]),
        "top_overlap_corrected": mean(overlap["corrected"]),
    }

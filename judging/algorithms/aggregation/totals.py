"""A review's weighted total from its raw criterion scores: total = Σ w·n / Σ w, n the score on 0–`scale`.

Shared by the service that aggregates a round from the database and by the recompute of a published dataset
(judging/services/dataset.py), so that both form totals by the very same arithmetic.
"""

import numpy as np


def weighted_totals(*, review_idx: np.ndarray, criterion_idx: np.ndarray, stage_idx: np.ndarray,
                    raw: np.ndarray, low: np.ndarray, high: np.ndarray, weights: np.ndarray, n_reviews: int,
                    scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Per review, its total and whether it is usable (its weights do not add up to zero).

    One row per score: `review_idx` and `criterion_idx` index the reviews and criteria, `raw` is the score;
    per criterion its scale (`low`, `high`) and a weight per stage column (`weights[criterion, stage]`); per
    review its stage column (`stage_idx`).
    """
    normalised = scale * (raw - low[criterion_idx]) / (high[criterion_idx] - low[criterion_idx])
    weight = weights[criterion_idx, stage_idx[review_idx]]
    weight_sum = np.bincount(review_idx, weights=weight, minlength=n_reviews)
    weighted = np.bincount(review_idx, weights=weight * normalised, minlength=n_reviews)
    usable = weight_sum > 0
    total = np.divide(weighted, weight_sum, out=np.zeros_like(weighted), where=usable)
    return total, usable

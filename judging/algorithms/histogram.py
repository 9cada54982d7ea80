"""Counts of values in equal-width bins: the committee's score charts, counted once when the results are written.

Pure Python, no Django: the aggregation stores the counts with a round's results, and a migration fills them
for results computed before they were stored.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

SCORE_BINS = 20  # the distribution charts' bins over the total scale 0–10
LOW, HIGH = 0.0, 10.0


def bin_counts(values: Iterable[float | None], *, low: float = LOW, high: float = HIGH,
               bins: int = SCORE_BINS) -> list[int]:
    """How many of `values` fall in each of `bins` equal bins from `low` to `high`; the last bin includes `high`,
    values outside go to the first or last bin, missing values (None, NaN) to none."""
    width = (high - low) / bins
    counts = [0] * bins
    for value in values:
        if value is None or math.isnan(value):
            continue
        counts[min(bins - 1, max(0, int((value - low) // width)))] += 1
    return counts

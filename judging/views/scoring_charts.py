"""Geometry of the committee's charts, drawn by the server as inline SVG.

No script and no style attribute (strict CSP): the templates place rectangles and lines
with these numbers and colour them with classes from static/judging/css/scoring.css.
Every chart also comes with its numbers as a table, for screen readers and for reading.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.text import Truncator

from ..algorithms.histogram import bin_counts

WIDTH = 640
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 48, 16, 12, 36


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def histogram(values: Sequence[float], *, low: float = 0.0, high: float = 10.0, bins: int = 20,
              height: int = 180) -> dict:
    """Bars of how many entries fall in each score bin (the last bin includes `high`)."""
    return histogram_of_counts(bin_counts(values, low=low, high=high, bins=bins), low=low, high=high, height=height)


def histogram_of_counts(counts: Sequence[int], *, low: float = 0.0, high: float = 10.0, height: int = 180) -> dict:
    """The histogram's bars from the count of each bin (stored with the results: `CategoryResultSummary`)."""
    bins = len(counts)
    width = bins and (high - low) / bins
    tallest = max(counts) or 1
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = height - MARGIN_TOP - MARGIN_BOTTOM
    bar_w = plot_w / bins
    bars = []
    for index, count in enumerate(counts):
        bar_h = plot_h * count / tallest
        start = low + index * width
        bars.append({
            "x": _fmt(MARGIN_LEFT + index * bar_w + 1), "y": _fmt(MARGIN_TOP + plot_h - bar_h),
            "width": _fmt(max(bar_w - 2, 1)), "height": _fmt(bar_h), "count": count,
            "low": f"{start:g}", "high": f"{start + width:g}", "label": f"{start:g}–{start + width:g}: {count}",
        })
    ticks = []
    step = 1 if high - low <= 10 else max(1, round((high - low) / 10))
    value = low
    while value <= high + 1e-9:
        ticks.append({"x": _fmt(MARGIN_LEFT + plot_w * (value - low) / (high - low)), "label": f"{value:g}"})
        value += step
    return {
        "width": WIDTH, "height": height, "bars": bars, "ticks": ticks, "max": tallest,
        "axis_y": _fmt(MARGIN_TOP + plot_h), "axis_x0": MARGIN_LEFT, "axis_x1": WIDTH - MARGIN_RIGHT,
        "label_y": _fmt(height - 8), "top_y": MARGIN_TOP + 10, "n": sum(counts),
        # What the template draws, as plain tuples its loops unpack: the bars that hold entries (x, y, width,
        # height, label) and the ticks (x, label). A dotted lookup and an `if` per value cost more than the chart.
        "drawn": [(bar["x"], bar["y"], bar["width"], bar["height"], bar["label"]) for bar in bars if bar["count"]],
        "tick_marks": [(tick["x"], tick["label"]) for tick in ticks],
    }


def leniency(judges: Sequence, *, row_height: int = 22) -> dict:
    """One horizontal bar per judge from the panel's zero: right = lenient, left = severe.

    `judges` are JudgeResult rows (offset, corrected, n_reviews, judge.user). Uncorrected judges get no bar but a
    hollow marker at zero, since their offset could not be estimated.
    """
    label_w = 200
    plot_left, plot_right = label_w, WIDTH - MARGIN_RIGHT
    extent = max([abs(j.offset) for j in judges] + [0.5])
    extent = math.ceil(extent * 2) / 2
    zero = (plot_left + plot_right) / 2
    scale = (plot_right - plot_left) / 2 / extent
    rows = []
    for index, judge in enumerate(judges):
        y = MARGIN_TOP + index * row_height
        offset = judge.offset if judge.corrected else 0.0
        x0, x1 = sorted((zero, zero + offset * scale))
        rows.append({
            "judge": judge, "name": (name := str(judge.judge.user)), "short_name": Truncator(name).chars(28),
            "offset": f"{judge.offset:.2f}", "y": _fmt(y), "text_y": _fmt(y + row_height * 0.7),
            "bar_x": _fmt(x0), "bar_w": _fmt(max(x1 - x0, 1)), "bar_h": row_height - 6, "bar_y": _fmt(y + 3),
            "cx": _fmt(zero), "cy": _fmt(y + row_height / 2),
            "css": "lenient" if offset > 0 else "severe",
        })
    height = MARGIN_TOP + len(judges) * row_height + MARGIN_BOTTOM
    ticks = []
    step = 0.5 if extent <= 2 else 1
    value = -extent
    while value <= extent + 1e-9:
        ticks.append({"x": _fmt(zero + value * scale), "label": f"{value:+g}" if value else "0"})
        value += step
    return {
        "width": WIDTH, "height": height, "rows": rows, "zero": _fmt(zero), "top": MARGIN_TOP,
        "axis_y": _fmt(height - MARGIN_BOTTOM + 4), "label_y": _fmt(height - MARGIN_BOTTOM + 20),
        "ticks": ticks, "label_x": str(label_w - 8),
        # What the template draws, as plain strings in tuples its loop unpacks (a number printed by the template is
        # localized first): per judge (short name, label's y, corrected, css class, bar's x, y, width and height,
        # name, offset, the marker's cx and cy), and the ticks (x, label).
        "marks": [(row["short_name"], row["text_y"], row["judge"].corrected, row["css"], row["bar_x"], row["bar_y"],
                   row["bar_w"], str(row["bar_h"]), row["name"], row["offset"], row["cx"], row["cy"]) for row in rows],
        "tick_marks": [(tick["x"], tick["label"]) for tick in ticks],
    }

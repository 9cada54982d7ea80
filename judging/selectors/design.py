"""Design warnings about a round's assignment: categories whose judges form panels that share no entry.

Scores can only be put on one scale where judges are linked through entries they both scored (directly or through
other judges). A category split into panels that share nothing leaves each panel's leniency in its scores, whatever
the method: in the simulations (`simulate_judging --scenario split-panels`) three calibration entries, scored by
every judge of the category, closed most of that gap. The round page shows this before the round opens, and says
so when every category's judges are one panel (a round may ask the assigner to keep them so: `connected_panels`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from submissions.models import Category

from ..models import Assignment, JudgingRound


@dataclass(frozen=True)
class SplitCategory:
    category: Category
    panels: int  # groups of judges that share no entry with each other
    sizes: tuple[int, ...]  # judges per panel, largest first


@dataclass(frozen=True)
class PanelDesign:
    split: list[SplitCategory]  # categories whose judges form more than one panel
    assigned: bool  # the round has active assignments

    @property
    def connected(self) -> bool:
        """Every category's judges form one panel (said only once there are assignments)."""
        return self.assigned and not self.split


def round_split_categories(*, round: JudgingRound,  # noqa: A002 - the model's name for it
                           categories: list[Category] | None = None) -> list[SplitCategory]:
    """The round's categories (given, when the caller has them already) whose active assignments fall into more
    than one panel of judges. One query."""
    return round_panel_design(round=round, categories=categories).split


def round_panel_design(*, round: JudgingRound,  # noqa: A002 - the model's name for it
                       categories: list[Category] | None = None) -> PanelDesign:
    """The split categories, and whether the round has assignments at all. One query."""
    rows = np.array(list(
        Assignment.objects.filter(round=round, state__in=Assignment.ACTIVE_STATES)
        .order_by().values_list("application__category_id", "application_id", "judge_id")  # unsorted: numpy groups
    ), dtype=np.int64).reshape(-1, 3)
    if not rows.size:
        return PanelDesign(split=[], assigned=False)
    split = []
    by_id = {category.pk: category for category in (categories if categories is not None else round.categories.all())}
    for category_id in np.unique(rows[:, 0]):
        mine = rows[rows[:, 0] == category_id]
        entries, entry_idx = np.unique(mine[:, 1], return_inverse=True)
        judges, judge_idx = np.unique(mine[:, 2], return_inverse=True)
        size = entries.size + judges.size
        graph = sp.coo_matrix((np.ones(mine.shape[0], dtype=np.int8), (entry_idx, entries.size + judge_idx)),
                              shape=(size, size))
        _count, labels = connected_components(graph, directed=False)
        panel_sizes = np.bincount(labels[entries.size:])
        panel_sizes = sorted((int(n) for n in panel_sizes if n), reverse=True)
        if len(panel_sizes) > 1 and int(category_id) in by_id:
            split.append(SplitCategory(by_id[int(category_id)], len(panel_sizes), tuple(panel_sizes)))
    return PanelDesign(split=split, assigned=True)

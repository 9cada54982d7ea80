"""Design warnings about a round's assignment: categories whose judges form panels that share no entry.

Scores can only be put on one scale where judges are linked through entries they both scored (directly or through
other judges). A category split into panels that share nothing leaves each panel's leniency in its scores, whatever
the method: in the simulations (`simulate_judging --scenario split-panels`) three calibration entries, scored by
every judge of the category, closed most of that gap. The round page shows this before the round opens, and says
so when every category's judges are one panel (a round may ask the assigner to keep them so: `connected_panels`).

`category_assignment_counts` is the one computation (it reads every assignment of the round, or of some of its
categories): the services that change assignments store its result in `CategoryAssignmentSummary`, in the same
transaction (services/assignment_summaries.py), and the page reads those rows (`round_assignment_summary`), so
that it costs the same whatever the round's size. A round not counted yet is counted here, from its assignments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Exists, OuterRef

from submissions.models import Application, Category

from ..algorithms.connectivity import category_counts
from ..models import Assignment, CategoryAssignmentSummary, JudgeProfile, JudgingRound
from .assignment import round_entries

SHORT_ENTRIES_STORED = 20  # per category: as many as the round's page lists


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


@dataclass(frozen=True)
class RoundAssignmentSummary:
    """What the round's page shows of its assignments, per category and for the whole round."""

    categories: list[tuple[Category, CategoryAssignmentSummary]]  # the round's categories, in order, each counted
    rows: int  # assignments in any state, every category (the page's list)
    design: PanelDesign
    stored: bool  # read from the stored rows (False: counted from the assignments just now)

    def entries_with_at_least(self, judges: int) -> int:
        """The round's entries (in its categories) with at least `judges` active judges."""
        return sum(summary.entries_with_at_least(judges) for _category, summary in self.categories)


def category_assignment_counts(*, round: JudgingRound,  # noqa: A002 - the model's name for it
                               category_ids: Iterable[int] | None = None) -> dict[int, CategoryAssignmentSummary]:
    """Unsaved summaries of the round's categories that have assignments, counted from every assignment of the
    round; with `category_ids`, only of those categories. One query."""
    assignments = Assignment.objects.filter(round=round)
    if category_ids is not None:
        assignments = assignments.filter(application__category_id__in=list(category_ids))
    rows = [(category_id, application_id, judge_id, state in Assignment.ACTIVE_STATES)
            for category_id, application_id, judge_id, state in assignments.order_by().values_list(
                "application__category_id", "application_id", "judge_id", "state")]
    counted = category_counts(np.array(rows, dtype=np.int64).reshape(-1, 4), judges_per_entry=round.judges_per_entry,
                              shown=SHORT_ENTRIES_STORED)
    return {category_id: CategoryAssignmentSummary(
        round=round, category_id=category_id, rows=counts.rows, assignments=counts.assignments, judges=counts.judges,
        entries_by_judges={str(n): c for n, c in counts.entries_by_judges.items()},
        panel_sizes=list(counts.panel_sizes), short_entries=[list(pair) for pair in counts.short_entries],
    ) for category_id, counts in counted.items()}


def round_assignment_summary(*, round: JudgingRound,  # noqa: A002 - the model's name for it
                             categories: list[Category] | None = None) -> RoundAssignmentSummary:
    """The round's stored summaries (one query), or, when one of its categories has none, the counts from its
    assignments (one query more). `categories`: the round's, when the caller has them already."""
    categories = categories if categories is not None else list(round.categories.order_by("position", "name"))
    by_category = {summary.category_id: summary
                   for summary in CategoryAssignmentSummary.objects.filter(round=round)}
    stored = all(category.pk in by_category for category in categories)
    if not stored:
        by_category = category_assignment_counts(round=round)
    mine = [(category, by_category.get(category.pk) or CategoryAssignmentSummary(round=round, category=category))
            for category in categories]
    split = [SplitCategory(category, len(summary.panel_sizes), tuple(summary.panel_sizes))
             for category, summary in mine if len(summary.panel_sizes) > 1]
    return RoundAssignmentSummary(
        categories=mine, rows=sum(summary.rows for summary in by_category.values()),
        design=PanelDesign(split=split, assigned=any(summary.assignments for summary in by_category.values())),
        stored=stored,
    )


def round_split_categories(*, round: JudgingRound,  # noqa: A002 - the model's name for it
                           categories: list[Category] | None = None) -> list[SplitCategory]:
    """The round's categories whose active assignments fall into more than one panel of judges."""
    return round_panel_design(round=round, categories=categories).split


def round_panel_design(*, round: JudgingRound,  # noqa: A002 - the model's name for it
                       categories: list[Category] | None = None) -> PanelDesign:
    """The split categories, and whether the round has assignments at all."""
    return round_assignment_summary(round=round, categories=categories).design


# --- the rest of the round page's counts and lists, read at a fixed cost ----------------------------------


def round_entry_counts(*, round: JudgingRound) -> dict[int, int]:  # noqa: A002
    """The round's entries per category: one grouped count of the applications' index, no assignment read."""
    return dict(round_entries(round=round).order_by().values("category_id").annotate(n=Count("*"))
                .values_list("category_id", "n"))


def round_short_entry_rows(*, round: JudgingRound, stored: Iterable[tuple[int, int]],  # noqa: A002
                           unassigned: int, limit: int) -> list[Application]:
    """The first `limit` short entries, fewest judges first, then by category and number, each with `judges`.

    Two kinds: the entries with an assignment but too few active judges, whose (id, judges) the round's summaries
    keep (`stored`: read again through the round's entries, so that one screened out since is not listed); and the
    `unassigned` entries that have no assignment at all (the counts say how many), the first of them in index
    order. In a round being assigned they are all its entries, or none; only entries that joined the round after
    its assignments were made (screened in later, a category added) are searched for among assigned ones.
    At most two queries, whatever the size."""
    entries = round_entries(round=round).select_related("organisation", "category")
    shown: list[Application] = []
    if unassigned:
        anyone = Assignment.objects.filter(round=round, application_id=OuterRef("pk"))
        shown = list(entries.filter(~Exists(anyone)).order_by("category__position", "id")[:min(limit, unassigned)])
        for entry in shown:
            entry.judges = 0
    judges = dict(stored)
    if judges:
        for entry in entries.filter(pk__in=list(judges)):
            entry.judges = judges[entry.pk]
            shown.append(entry)
    return sorted(shown, key=lambda e: (e.judges, e.category.position, e.pk))[:limit]


def round_judge_counts(*, round: JudgingRound) -> dict[bool, int]:  # noqa: A002
    """The edition's judges, counted by whether they are active: {True: n, False: m}. One query."""
    return dict(JudgeProfile.objects.filter(edition_id=round.edition_id).order_by().values("active")
                .annotate(n=Count("*")).values_list("active", "n"))

"""The judge's queue, one page at a time: what a page of it reads is the same at 100 entries as at 100,000.

The progress and the category filter's choices come from one grouped count (per state and category,
done by the database); the page's rows are a LIMIT/OFFSET on the index of the queue's order
(round, judge, queue position, id), joined to the entries for the page's rows only (`page_rows`). A row's number is its queue position, so a filtered list and
every page keep the numbers the judge knows. The one read that grows with the queue is a search of
the titles in a blind round: the titles the judge sees are redacted in Python, so the rows whose
stored title matches are redacted and searched again before paging (a search narrows them).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q

from portal.paging import page_rows

from ..forms.queue import QUEUE_STATES
from ..models import Assignment, JudgeProfile, JudgingRound
from .scoring import QueueProgress, QueueRow, queue_assignments, queue_rows

QUEUE_PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueSummary:
    progress: QueueProgress
    categories: list[str]
    counts: dict[tuple[str, str], int]  # (state, category name) -> entries

    def matching(self, *, state: str = "", category: str = "") -> int:
        return sum(n for (row_state, row_category), n in self.counts.items()
                   if (not state or row_state == state) and (not category or row_category == category))


def queue_summary(*, judge: JudgeProfile, judging_round: JudgingRound) -> QueueSummary:
    """The queue's progress and categories: one grouped count."""
    counts = {
        (state, category or ""): n for state, category, n in
        queue_assignments(judge=judge, judging_round=judging_round).order_by()
        .values_list("state", "application__category__name").annotate(n=Count("id"))
    }
    by_state = {state: sum(n for (row_state, _category), n in counts.items() if row_state == state)
                for state in Assignment.ACTIVE_STATES}
    return QueueSummary(
        progress=QueueProgress(done=by_state[Assignment.State.SUBMITTED],
                               in_progress=by_state[Assignment.State.IN_PROGRESS],
                               to_do=by_state[Assignment.State.ASSIGNED]),
        categories=sorted({category for _state, category in counts if category}),
        counts=counts,
    )


def number_filter(query: str) -> Q | None:
    """"#123" is the entry's number (as in the e-mails); bare digits the row's number or the entry's."""
    digits = query.removeprefix("#")
    if not (digits.isdecimal() and len(digits) <= 18):  # not isdigit: "²" is a digit that int() refuses
        return None
    number = int(digits)
    return Q(application_id=number) if query.startswith("#") else Q(application_id=number) | Q(queue_position=number)


def queue_page(*, judge: JudgeProfile, judging_round: JudgingRound, summary: QueueSummary, state_filter: str = "",
               category: str = "", query: str = "", page: str | int | None = 1,
               show_all: bool = False) -> tuple[list[QueueRow], Page | None, int]:
    """(the rows of the page, the page (None when the whole list is shown), how many rows match).

    The search reads the title as the queue shows it (redacted in a blind round) and the numbers the judge sees;
    never the organisation, so a search cannot reveal who applied."""
    assignments = queue_assignments(judge=judge, judging_round=judging_round)
    state = QUEUE_STATES.get(state_filter, "")
    if state:
        assignments = assignments.filter(state=state)
    if category:
        assignments = assignments.filter(application__category__name=category)
    query = query.strip()
    numbers = number_filter(query) if query else None
    if numbers is not None:
        assignments = assignments.filter(numbers)
    elif query:
        assignments = assignments.filter(application__title__icontains=query)
        if judging_round.blind:
            # The stored title may name the applicant where the judge reads "[withheld]": search what they read.
            rows = [row for row in queue_rows(assignments, judging_round=judging_round)
                    if query.casefold() in row.title.casefold()]
            if show_all:
                return rows, None, len(rows)
            paged = Paginator(rows, QUEUE_PAGE_SIZE).get_page(page)
            return list(paged), paged, len(rows)
    if show_all:
        rows = queue_rows(assignments, judging_round=judging_round)
        return rows, None, len(rows)
    paginator = Paginator(assignments, QUEUE_PAGE_SIZE)
    if not query:
        paginator.count = summary.matching(state=state, category=category)  # counted already: no COUNT query
    paged = paginator.get_page(page)
    return (queue_rows(page_rows(assignments, paged), judging_round=judging_round), paged, paginator.count)

"""The judge's queue, one page at a time: what a page of it reads is the same at 100 entries as at 100,000.

The progress comes from one count per state of the judge's own assignments (an index, no join) and the
category filter's choices from the round's categories; a category filter counts its matches once more. The
page's rows are a LIMIT/OFFSET on the index of the queue's order (round, judge, queue position, id), joined
to the entries for the page's rows only (`page_rows`). A row's number is its queue position, so a filtered list and
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
    categories: list[str]  # the round's categories, the filter's choices
    counts: dict[str, int]  # state -> the judge's entries

    def matching(self, *, state: str = "") -> int:
        return sum(n for row_state, n in self.counts.items() if not state or row_state == state)


def queue_summary(*, judge: JudgeProfile, judging_round: JudgingRound) -> QueueSummary:
    """The queue's progress (a count per state on the index assignment_queue_states: the judge's own assignments
    only, read from the index without a join) and the round's categories (a small table): two queries whose cost
    does not grow with the edition."""
    counts = dict(queue_assignments(judge=judge, judging_round=judging_round).order_by()
                  .values_list("state").annotate(n=Count("*")))
    by_state = {state: counts.get(state, 0) for state in Assignment.ACTIVE_STATES}
    return QueueSummary(
        progress=QueueProgress(done=by_state[Assignment.State.SUBMITTED],
                               in_progress=by_state[Assignment.State.IN_PROGRESS],
                               to_do=by_state[Assignment.State.ASSIGNED]),
        categories=list(judging_round.categories.order_by("name").values_list("name", flat=True).distinct()),
        counts=by_state,
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
    if not query and not category:
        paginator.count = summary.matching(state=state)  # counted already: no COUNT query
    paged = paginator.get_page(page)
    return (queue_rows(page_rows(assignments, paged), judging_round=judging_round), paged, paginator.count)

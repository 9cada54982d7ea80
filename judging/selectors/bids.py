"""Reads for the judge's bidding page: the entries open for bids, the judge's bids, and what rules a pair out."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.models import Edition
from submissions.models import Answer, Application, Category

from ..models import Bid, JudgeProfile, JudgingRound
from .assignment import CONFLICT_KINDS, ROUND_ENTRY_STATUSES, EntryTable, JudgeTable, pair_scores
from .scoring import Redactor, identity_terms, organisation_people

# Submitted entries may still be screened out; judges bid on them anyway, so that bids are in when screening ends.
BIDDABLE_STATUSES = (Application.Status.SUBMITTED, *ROUND_ENTRY_STATUSES)


def biddable_entries(*, edition: Edition, category_id: int | None = None, search: str = "") -> QuerySet[Application]:
    entries = (
        Application.objects.filter(edition=edition, status__in=BIDDABLE_STATUSES)
        .select_related("category", "organisation")
        .order_by("category__position", "category__name", "title", "pk")
    )
    if category_id:
        entries = entries.filter(category_id=category_id)
    if search:
        entries = entries.filter(title__icontains=search)
    return entries


def edition_categories(*, edition: Edition) -> list[Category]:
    return list(Category.objects.filter(edition=edition).order_by("position", "name"))


def judge_entry_bids(*, judge: JudgeProfile, application_ids: list[int]) -> dict[int, str]:
    return dict(
        Bid.objects.filter(judge=judge, application_id__in=application_ids).values_list("application_id", "level")
    )


def judge_category_bids(*, judge: JudgeProfile) -> dict[int, str]:
    return dict(Bid.objects.filter(judge=judge, category__isnull=False).values_list("category_id", "level"))


def edition_is_blind(*, edition: Edition) -> bool:
    """One blind round makes the bidding page blind too: a judge would otherwise learn there who applied."""
    return JudgingRound.objects.filter(edition=edition, blind=True).exists()


def entries_as_shown(*, entries: list[Application], blind: bool) -> list[Application]:
    """Gives each entry `shown_title` and `shown_summary`, the text the bidding page shows: as written, or in a
    blind edition with the applicant's name, city, website, people and any e-mail address withheld (titles and
    summaries often name the city). One query for the summaries, one for the applicants' people only when blind."""
    people = organisation_people(organisation_ids=[entry.organisation_id for entry in entries]) if blind else {}
    # The answer to the form's "summary" question (the default form's first), one query for the page.
    summaries = dict(Answer.objects.filter(
        application__in=[entry.pk for entry in entries], question__key="summary", question__retired_at__isnull=True,
    ).values_list("application_id", "text")) if entries else {}
    for entry in entries:
        redact = Redactor(identity_terms(entry.organisation, people=people.get(entry.organisation_id, [])),
                          active=blind)
        entry.shown_title, entry.shown_summary = redact(entry.title), redact(summaries.get(entry.pk, ""))
    return entries


def matching_as_shown(*, entries, search: str) -> list[Application]:
    """The entries whose title as a blind edition shows it contains `search`: searching for a withheld name or city
    must not tell the judge which titles hold it."""
    needle = search.casefold()
    return [entry for entry in entries_as_shown(entries=list(entries), blind=True)
            if needle in entry.shown_title.casefold()]


def judge_pair_conflicts(*, judge: JudgeProfile, entries: list[Application]) -> dict[int, list[str]]:
    """Per entry, the reasons (other than the judge's own bid) why the judge will never be assigned it."""
    if not entries:
        return {}
    table = EntryTable.of(Application.objects.filter(pk__in=[entry.pk for entry in entries]))
    scores = pair_scores(edition=judge.edition, entries=table,
                         judges=JudgeTable.of(JudgeProfile.objects.filter(pk=judge.pk)))
    reasons: dict[int, list[str]] = {}
    for row, application_id in enumerate(table.ids.tolist()):
        found = [str(CONFLICT_KINDS[kind]) for kind, matrix in scores.conflicts.items()
                 if kind != "bid" and matrix[row, 0]]
        if found:
            reasons[application_id] = found
    return reasons

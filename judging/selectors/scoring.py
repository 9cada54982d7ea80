"""Reads for scoring: the judge's queue and entry (redacted in blind rounds), and the committee's rounds.

The committee's leaderboard, breakdowns, charts' data and the shortlist are in results.py.
Every list is one query with its joins applied, whatever its length, so the pages keep the
same number of queries for 10 rows as for 1,000.

Blind rounds
------------
In a blind round the judge sees no organisation name, city, country or website, no
contact person or e-mail address, no partner line that names the organisation, and no
attachment's original name. Redaction works on the submitted snapshot: the organisation's
name, city and web host (from the snapshot and from the organisation as it is now) and its
members' names and addresses are replaced in every text, so is any e-mail address, links to
its web host are dropped, and attachments become "Attachment 1", "Attachment 2"...
Lists (the queue, the bids, a judge's e-mail) read the members of all their organisations in
one query (`organisation_people`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlparse

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django_countries import countries

from portal.models import Edition, Membership, Organisation
from submissions.models import Application, ApplicationSnapshot
from submissions.selectors import answers_as_read

from ..models import Assignment, CriterionScore, JudgeProfile, JudgingRound, Review

# --- identity and redaction -------------------------------------------------------------------------------


def _host(url: str) -> str:
    host = (urlparse(url if "//" in url else f"//{url}").hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


# Any e-mail address identifies someone; an applicant's text may hold one of a person who is not a member.
EMAIL_ADDRESS = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"

People = dict[int, list[tuple[str, str]]]


def organisation_people(*, organisation_ids) -> People:
    """The members of these organisations as (name, e-mail), per organisation: one query."""
    people: People = {}
    rows = Membership.objects.filter(organisation_id__in=set(organisation_ids)).values_list(
        "organisation_id", "user__name", "user__email")
    for organisation_id, name, email in rows:
        people.setdefault(organisation_id, []).append((name or "", email or ""))
    return people


def identity_terms(organisation: Organisation | None, snapshot_organisation: dict | None = None,
                   people=()) -> list[str]:
    """The strings that would tell a judge who applied: names, city, web host and the organisation's people
    (`people`: their (name, e-mail) pairs), longest first."""
    terms = set()
    for source in (snapshot_organisation or {}, {"name": getattr(organisation, "name", ""),
                                                 "city": getattr(organisation, "city", "")}):
        for key in ("name", "city"):
            value = (source.get(key) or "").strip()
            if len(value) >= 3:
                terms.add(value)
    website = getattr(organisation, "website", "") or ""
    if website and _host(website):
        terms.add(_host(website))
    for name, email in people:
        terms.update(value.strip() for value in (name, email) if len((value or "").strip()) >= 3)
    return sorted(terms, key=len, reverse=True)


class Redactor:
    """Replaces the identity terms and any e-mail address in a text (case-insensitive); a no-op outside blind
    rounds."""

    def __init__(self, terms: list[str], *, active: bool) -> None:
        self.active = active
        self.hosts = [term for term in terms if "." in term and " " not in term and "@" not in term]
        alternatives = [EMAIL_ADDRESS, *(re.escape(term) for term in terms)]
        self.pattern = re.compile("|".join(alternatives), re.IGNORECASE) if self.active else None
        self.mask = _("[withheld]")

    def names_it(self, text: str) -> bool:
        return bool(self.pattern and self.pattern.search(text or ""))

    def __call__(self, text: str) -> str:
        if not self.active or not text:
            return text or ""
        return self.pattern.sub(self.mask, text)

    def keeps_link(self, link: str) -> bool:
        if not self.active:
            return True
        host = _host(link)
        return not any(host == h or host.endswith(f".{h}") for h in self.hosts) and not self.names_it(link)


def _people_of(organisation_id: int | None, people: People | None, *, blind: bool) -> list[tuple[str, str]]:
    if not blind or organisation_id is None:
        return []
    if people is None:
        people = organisation_people(organisation_ids=[organisation_id])
    return people.get(organisation_id, [])


def redactor_for(*, application: Application, judging_round: JudgingRound,
                 snapshot_data: dict | None = None, people: People | None = None) -> Redactor:
    organisation = application.organisation
    return Redactor(identity_terms(organisation, (snapshot_data or {}).get("organisation"),
                                   _people_of(application.organisation_id, people, blind=judging_round.blind)),
                    active=judging_round.blind)


def entry_title(*, application: Application, judging_round: JudgingRound, people: People | None = None) -> str:
    """The entry's title as a judge of the round may read it (redacted in a blind round). Pass `people`
    (`organisation_people`) when titling many entries, else each title reads its organisation's members."""
    title = application.title or _("Untitled entry")
    if not judging_round.blind:
        return title
    return redactor_for(application=application, judging_round=judging_round, people=people)(title)


def attachment_download_name(*, number: int, name: str, content_type: str, blind: bool) -> str:
    """What a judge's download is called: the original name, or in a blind round "attachment-<n>.<ext>"."""
    if not blind:
        return name
    suffix = {"application/pdf": ".pdf"}.get(content_type) or (
        "." + name.rsplit(".", 1)[1].lower()[:8] if "." in name and name.rsplit(".", 1)[1].isalnum() else ""
    )
    return f"attachment-{number}{suffix}"


def latest_snapshot(*, application: Application) -> ApplicationSnapshot | None:
    return ApplicationSnapshot.objects.filter(application=application).order_by("-number").first()


def _partners_unnamed(data: dict, redact: Redactor) -> dict:
    """The partners' answer without the lines that name the applicant (a blind round): its own line of
    partners would say who applied even with the name withheld."""
    def unnamed(text):
        if not isinstance(text, str):
            return text
        return "\n".join(line for line in text.splitlines() if not redact.names_it(line))
    data = {**data}
    if isinstance(data.get("partners"), str):
        data["partners"] = unnamed(data["partners"])
    if data.get("answers"):
        data["answers"] = [{**item, "value": unnamed(item.get("value"))} if item.get("key") == "partners" else item
                           for item in data["answers"]]
    return data


def entry_for_judge(*, application: Application, judging_round: JudgingRound,
                    snapshot: ApplicationSnapshot | None) -> dict:
    """The submitted snapshot arranged as a judge reads it, with identity withheld in a blind round."""
    data = snapshot.data if snapshot else {}
    blind = judging_round.blind
    redact = redactor_for(application=application, judging_round=judging_round, snapshot_data=data)
    organisation = data.get("organisation") or {}
    kind, band, stage = organisation.get("kind") or "", organisation.get("population_band") or "", data.get("stage") or ""
    if blind:
        data = _partners_unnamed(data, redact)
    # A blind round's judge never sees the questions the secretariat marked as identifying the applicant.
    sections = answers_as_read(data, edition=judging_round.edition, category=application.category,
                               hide_identity=blind, redact=redact if blind else None)
    links = [line.strip() for line in (data.get("links") or "").splitlines() if line.strip()]
    attachments = []
    for number, attachment in enumerate(data.get("attachments") or [], start=1):
        attachments.append({
            "number": number,
            "name": _("Attachment %(number)s") % {"number": number} if blind else attachment.get("name", ""),
            "size": attachment.get("size"),
            "pages": attachment.get("pages"),
            "content_type": attachment.get("content_type", ""),
        })
    return {
        "blind": blind,
        "submitted": snapshot is not None,
        "number": snapshot.number if snapshot else None,
        "title": redact(data.get("title") or application.title or ""),
        "category": (data.get("category") or {}).get("name", ""),
        "organisation": None if blind else {
            "name": organisation.get("name", ""),
            "city": organisation.get("city", ""),
            "country": countries.name(organisation.get("country", "")) or organisation.get("country", ""),
        },
        "kind": Organisation.Kind(kind).label if kind in Organisation.Kind.values else "",
        "population_band": (
            Organisation.PopulationBand(band).label if band in Organisation.PopulationBand.values else ""
        ),
        "stage": Application.Stage(stage).label if stage in Application.Stage.values else "",
        "budget_usd": data.get("budget_usd"),
        "sections": sections,
        "links": [
            {"text": redact(link), "is_web": link.lower().startswith(("https://", "http://")) and not blind}
            for link in links if redact.keeps_link(link)
        ],
        "attachments": attachments,
    }


# --- the judge's side -----------------------------------------------------------------------------------


def judge_profile(*, user, edition: Edition) -> JudgeProfile | None:
    if not user.is_authenticated:
        return None
    return JudgeProfile.objects.filter(user=user, edition=edition).first()


def judge_rounds(*, judge: JudgeProfile) -> QuerySet[JudgingRound]:
    """The rounds in which the judge has active assignments, with their progress counted in the same query."""
    mine = Q(assignments__judge=judge, assignments__state__in=Assignment.ACTIVE_STATES)
    return (
        JudgingRound.objects.filter(edition_id=judge.edition_id)
        .annotate(
            mine=Count("assignments", filter=mine),
            done=Count("assignments", filter=mine & Q(assignments__state=Assignment.State.SUBMITTED)),
        )
        .filter(mine__gt=0)
        .order_by("position")
    )


@dataclass
class QueueRow:
    """One line of a judge's queue: only what the page shows, read as plain values (no model instances)."""

    pk: int
    application_id: int
    state: str
    title: str
    category: str
    url: str
    number: int = 0  # its place in the judge's queue (queue_position), the same on every page and filter


QUEUE_COLUMNS = ("pk", "application_id", "state", "application__title", "application__category__name",
                 "application__organisation__name", "application__organisation__city",
                 "application__organisation__website", "application__organisation_id", "queue_position")


def queue_assignments(*, judge: JudgeProfile, judging_round: JudgingRound) -> QuerySet[Assignment]:
    """The judge's active assignments in the round, in their queue order (the index assignment_queue_order)."""
    return (Assignment.objects.filter(round=judging_round, judge=judge, state__in=Assignment.ACTIVE_STATES)
            .order_by("queue_position", "id"))


def queue_rows(assignments: QuerySet[Assignment], *, judging_round: JudgingRound) -> list[QueueRow]:
    """`assignments` (all of a queue or one page of it) as the queue's rows: one query (and one for the applicants'
    people in a blind round), titles blind-safe.

    Reads plain values rather than models: a queue of 1,000 entries would otherwise build 5,000 model
    instances (and parse their dates) for a page that shows four columns.
    """
    review_url = reverse("judging:scoring_review", args=[0]).replace("/0/", "/{}/")
    untitled = _("Untitled entry")
    queue = []
    rows = list(assignments.values_list(*QUEUE_COLUMNS))
    people = organisation_people(organisation_ids=[row[-2] for row in rows]) if judging_round.blind else {}
    for pk, application_id, state, title, category, name, city, website, organisation_id, position in rows:
        title = title or untitled
        if judging_round.blind:
            terms = identity_terms(None, {"name": name, "city": city}, people.get(organisation_id, []))
            if website and _host(website):
                terms = sorted({*terms, _host(website)}, key=len, reverse=True)
            title = Redactor(terms, active=True)(title)
        queue.append(QueueRow(pk, application_id, state, title, category, review_url.format(pk), position))
    return queue


def judge_queue(*, judge: JudgeProfile, judging_round: JudgingRound) -> list[QueueRow]:
    """The judge's whole queue, in order (see `queue_rows`)."""
    return queue_rows(queue_assignments(judge=judge, judging_round=judging_round), judging_round=judging_round)


@dataclass
class QueueProgress:
    done: int
    in_progress: int
    to_do: int

    @property
    def total(self) -> int:
        return self.done + self.in_progress + self.to_do


def queue_progress(rows: list) -> QueueProgress:
    states = [row.state for row in rows]
    return QueueProgress(
        done=states.count(Assignment.State.SUBMITTED),
        in_progress=states.count(Assignment.State.IN_PROGRESS),
        to_do=states.count(Assignment.State.ASSIGNED),
    )


def review_assignment(*, pk: int, with_review: bool = True) -> Assignment | None:
    """One assignment with what its review page needs: round, edition, judge, entry, and (`with_review`) its review
    and scores."""
    assignments = Assignment.objects.select_related(
        "round__edition", "judge__user", "application__category", "application__organisation", "application__edition"
    )
    if with_review:
        assignments = assignments.select_related("review").prefetch_related(
            Prefetch("review__scores", queryset=CriterionScore.objects.order_by("criterion_id")))
    # get() rather than first(): one row by its key needs no ORDER BY, and ordering a select this wide by the
    # model's ordering (round, judge, ...) cost more CPU than reading it.
    try:
        return assignments.get(pk=pk)
    except Assignment.DoesNotExist:
        return None


def own_review(assignment: Assignment) -> Review | None:
    try:
        return assignment.review
    except Review.DoesNotExist:
        return None


# --- the committee's side ---------------------------------------------------------------------------------


def round_for_edition(*, edition: Edition, pk: int) -> JudgingRound | None:
    return JudgingRound.objects.filter(edition=edition, pk=pk).select_related("edition").first()


def committee_rounds(*, edition: Edition) -> QuerySet[JudgingRound]:
    return (
        JudgingRound.objects.filter(edition=edition)
        .prefetch_related("categories")
        .annotate(results=Count("entry_results", distinct=True))
        .order_by("position")
    )

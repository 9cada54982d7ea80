"""Reads for editions and applications, with their joins applied."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse

from portal.models import Edition, Organisation, User

from .answers import answer_values, display_value, item_label, snapshot_items
from .form_template import DEFAULT_QUESTIONS
from .models import Answer, Application, Attachment, Category, Question, ScreeningCountry, StatusChange


def current_questions_prefetch(prefix: str = "") -> Prefetch:
    """Prefetches an edition's current questions (as `current_questions`) for `form_questions` on many rows."""
    return Prefetch(f"{prefix}questions", to_attr="current_questions",
                    queryset=Question.objects.filter(retired_at__isnull=True).order_by("position", "id"))


def answers_prefetch() -> Prefetch:
    return Prefetch("answers", queryset=Answer.objects.select_related("question"))


def default_questions(*, edition: Edition) -> list[Question]:
    """The default form (the eight sections), unsaved, for an edition that has not saved a form of its own."""
    questions = []
    for position, (key, label, limit, required) in enumerate(DEFAULT_QUESTIONS):
        question = Question(edition=edition, key=key, kind=Question.Kind.LONG_TEXT, max_chars=limit,
                            required=required, position=position)
        question.label_en, question.label_ko = _in_language(label, "en"), _in_language(label, "ko")
        questions.append(question)
    return questions


def _in_language(text, language: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return str(text)


def form_questions(*, edition: Edition, category: Category | None = None) -> list[Question]:
    """The edition's current questions in order (for `category`: those asked in every category and in it),
    or the unsaved default form if the edition has none. Cached on the edition (or read from
    `current_questions_prefetch`)."""
    questions = getattr(edition, "current_questions", None)
    if questions is None:
        questions = list(Question.objects.filter(edition=edition, retired_at__isnull=True).order_by("position", "id"))
        edition.current_questions = questions
    if not questions:
        questions = default_questions(edition=edition)
    if category is None:
        return questions
    return [question for question in questions if question.category_id in (None, category.pk)]


def application_questions(*, application: Application) -> list[Question]:
    return form_questions(edition=application.edition, category=application.category)


def application_answer_values(*, application: Application) -> dict:
    """{question key: stored value} of the application's answers to its current questions (see answer_values)."""

    prefetched = "answers" in getattr(application, "_prefetched_objects_cache", {})
    answers = application.answers.all() if prefetched else application.answers.select_related("question")
    return answer_values(answers, application_questions(application=application))


def answers_as_read(data: dict, *, edition: Edition, category=None, hide_identity: bool = False,
                    redact=None) -> list[dict]:
    """The answers of `data` (a snapshot's or a draft's) as the content template shows them: a heading, or a
    label with its value as text, a link, or a file. `hide_identity` leaves out questions that identify the
    applicant (a blind round); `redact` withholds names in the texts."""
    questions = form_questions(edition=edition, category=category)
    rows = []
    for item in snapshot_items(data, questions=questions):
        if hide_identity and item.get("identifies_applicant"):
            continue
        if item.get("kind") == "heading":
            rows.append({"heading": item_label(item)})
            continue
        text = display_value(item)
        value = item.get("value")
        row = {"label": item_label(item), "text": redact(text) if redact else text, "kind": item.get("kind")}
        if item.get("kind") == "url" and isinstance(value, str) and value.lower().startswith(("https://", "http://")):
            row["url"] = value if not redact or redact(value) == value else ""
        if item.get("kind") == "file" and isinstance(value, dict) and value.get("attachment_id") and not redact:
            row["url"] = reverse("submissions:attachment_download", args=[value["attachment_id"]])
        rows.append(row)
    return rows


def organisation_entries_in_category(*, organisation: Organisation, category: Category) -> int:
    return (
        Application.objects.filter(organisation=organisation, category=category)
        .exclude(status=Application.Status.WITHDRAWN)
        .count()
    )


def open_editions() -> QuerySet[Edition]:
    return Edition.objects.filter(state=Edition.State.OPEN).prefetch_related("categories").order_by("closes_at")


def user_applications(*, user: User) -> QuerySet[Application]:
    """The applications of every organisation the user belongs to: nothing else."""
    return (
        Application.objects.filter(organisation__memberships__user=user)
        .select_related("edition", "category", "organisation")
        .prefetch_related(
            Prefetch("status_changes", queryset=StatusChange.objects.order_by("at", "id")),
            Prefetch("attachments", queryset=Attachment.objects.filter(removed_at__isnull=True)),
        )
        .order_by("edition__closes_at", "-updated_at")
        .distinct()
    )


def application_attachments(*, application: Application) -> QuerySet[Attachment]:
    return application.attachments.filter(removed_at__isnull=True).order_by("created_at")


def screening_applications(*, edition: Edition, with_attachment_counts: bool = True) -> QuerySet[Application]:
    """Submitted (and already screened) applications of an edition, by number: the order of the index
    application_screening_order, so a page of the list reads its own rows and nothing more.

    `attachment_count` (files not removed) is counted for every row with `with_attachment_counts` (the exports);
    the list's page counts its own rows' files instead (`attachment_counts`): the grouped count over the whole
    edition is what made every page cost as much as the edition.
    """
    applications = (
        Application.objects.filter(edition=edition)
        .exclude(status=Application.Status.DRAFT)
        .select_related("category", "organisation")
        .order_by("id")
    )
    if with_attachment_counts:
        applications = applications.annotate(
            attachment_count=Count("attachments", filter=Q(attachments__removed_at__isnull=True)))
    return applications


def attachment_counts(applications) -> None:
    """Set `attachment_count` (files not removed) on each of these applications (a page): one grouped query."""
    applications = list(applications)
    counts = dict(
        Attachment.objects.filter(application__in=[a.pk for a in applications], removed_at__isnull=True)
        .order_by().values_list("application_id").annotate(n=Count("id"))
    )
    for application in applications:
        application.attachment_count = counts.get(application.pk, 0)


def screening_countries(*, edition: Edition) -> list[tuple[str, str]]:
    """(code, name) of the countries the edition's submitted applications come from, by name, for the filter: the
    few rows kept as applications enter and leave the list (services/screening_countries.py)."""
    from django_countries import countries

    codes = ScreeningCountry.objects.filter(edition=edition).values_list("country", flat=True)
    return sorted(((code, countries.name(code)) for code in codes), key=lambda pair: str(pair[1]))


def screening_application(*, edition: Edition, pk: int) -> Application | None:
    """One application of the screening list with what its page shows: history (with who) and latest snapshot."""
    from .models import ApplicationSnapshot

    return (
        screening_applications(edition=edition)
        .filter(pk=pk)
        .prefetch_related(
            Prefetch("status_changes", queryset=StatusChange.objects.select_related("by").order_by("at", "id")),
            Prefetch("snapshots",
                     queryset=ApplicationSnapshot.objects.select_related("submitted_by").order_by("-number")),
        )
        .first()
    )

"""Reads for editions and applications, with their joins applied."""

from django.db.models import Count, Prefetch, Q, QuerySet

from portal.models import Edition, Organisation, User

from .models import Application, Attachment, Category, FormSection, StatusChange

# Used when an edition defines no sections of its own: every section, with these limits.
DEFAULT_SECTION_LIMITS = {
    FormSection.Field.SUMMARY: 600,
    FormSection.Field.PROBLEM: 3000,
    FormSection.Field.SOLUTION: 4000,
    FormSection.Field.IMPACT: 3000,
    FormSection.Field.INCLUSIVENESS: 2000,
    FormSection.Field.SCALABILITY: 2000,
    FormSection.Field.RESOURCES: 2000,
    FormSection.Field.PARTNERS: 1500,
}


def application_form_sections(*, edition: Edition) -> list[FormSection]:
    cached = getattr(edition, "_form_sections_cache", None)
    if cached is not None:
        return cached
    sections = list(edition.form_sections.all())
    if not sections:
        sections = [
            FormSection(edition=edition, field=field, max_chars=limit, required=field != FormSection.Field.PARTNERS,
                        position=position)
            for position, (field, limit) in enumerate(DEFAULT_SECTION_LIMITS.items())
        ]
    edition._form_sections_cache = sections
    return sections


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
    """(code, name) of the countries the edition's submitted applications come from, by name, for the filter."""
    from django_countries import countries

    codes = (
        Application.objects.filter(edition=edition)
        .exclude(status=Application.Status.DRAFT)
        .order_by()
        .values_list("organisation__country", flat=True)
        .distinct()
    )
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

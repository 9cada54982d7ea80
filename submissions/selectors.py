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


def screening_applications(*, edition: Edition) -> QuerySet[Application]:
    """Submitted (and already screened) applications of an edition, for the secretariat's list."""
    return (
        Application.objects.filter(edition=edition)
        .exclude(status__in=[Application.Status.DRAFT])
        .select_related("category", "organisation")
        .annotate(attachment_count=Count("attachments", filter=Q(attachments__removed_at__isnull=True)))
        .order_by("category__position", "organisation__name", "id")
    )


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

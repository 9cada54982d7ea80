"""The screening list's filters (django-filter). The list page and its exports share them."""

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.models import Edition, Organisation

from .models import Answer, Application, Category
from .selectors import screening_countries

SCREENING_STATUSES = [
    (value, label) for value, label in Application.Status.choices if value != Application.Status.DRAFT
]


# The list's sortable columns: URL value -> the fields ordered by. The id ends every ordering, so rows that tie
# (same status, same category) keep one order from page to page and on the detail's previous/next.
SORT_FIELDS = {
    "number": ("id",),
    "title": ("title",),
    "organisation": ("organisation__name",),
    "category": ("category__position", "category__name"),
    "status": ("status",),
    "submitted": ("submitted_at",),
}
SORT_LABELS = {
    "number": _("Number"), "title": _("Title"), "organisation": _("Organisation"), "category": _("Category"),
    "status": _("Status"), "submitted": _("Submitted at"),
}


def sort_choices() -> list[tuple[str, str]]:
    choices = []
    for key, label in SORT_LABELS.items():
        choices.append((key, format_lazy("{} ↑", label)))
        choices.append((f"-{key}", format_lazy("{} ↓", label)))
    return choices


class ScreeningFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Title, organisation or answers contain"))
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.none(), to_field_name="slug", label=_("Category"), empty_label=_("Any")
    )
    country = django_filters.ChoiceFilter(
        field_name="organisation__country", choices=[], label=_("Country"), empty_label=_("Any")
    )
    kind = django_filters.ChoiceFilter(
        field_name="organisation__kind", choices=Organisation.Kind.choices, label=_("Kind of organisation"),
        empty_label=_("Any"),
    )
    stage = django_filters.ChoiceFilter(
        choices=Application.Stage.choices, label=_("Development stage"), empty_label=_("Any")
    )
    status = django_filters.ChoiceFilter(choices=SCREENING_STATUSES, label=_("Status"), empty_label=_("Any"))
    o = django_filters.ChoiceFilter(method="sort", choices=sort_choices, label=_("Sort by"),
                                    empty_label=_("Number (the order of arrival)"))

    class Meta:
        model = Application
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, edition: Edition, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.edition = edition
        self.filters["category"].queryset = edition.categories.all()
        self.filters["country"].extra["choices"] = screening_countries(edition=edition)
        self.form.fields["category"].label_from_instance = lambda category: category.name

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        answers = Answer.objects.filter(application=OuterRef("pk"), text__icontains=value)
        return queryset.filter(Q(title__icontains=value) | Q(organisation__name__icontains=value) | Exists(answers))

    def sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        descending = value.startswith("-")
        fields = SORT_FIELDS.get(value.lstrip("-"))
        if not fields:
            return queryset
        ordering = [f"-{field}" if descending else field for field in fields]
        if "id" not in fields:
            ordering.append("-id" if descending else "id")
        return queryset.order_by(*ordering)

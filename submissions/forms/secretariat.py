"""The secretariat's forms: screening decisions and edition settings.

They check the shape of the input only; the rules (a reason to refuse, unique slugs, the
order of the dates) live in the services, whose errors the views put back on these forms.
"""

import zoneinfo
from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.bilingual import BilingualFormMixin, per_language
from portal.models import Edition, Organisation
from portal.services.editions import edition_details_version
from submissions.models import Application, Category


class ScreeningDecision:
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    CHOICES = [(ELIGIBLE, _("Eligible")), (INELIGIBLE, _("Ineligible"))]


class ScreenForm(forms.Form):
    """One application's eligibility decision."""

    decision = forms.ChoiceField(label=_("Decision"), choices=ScreeningDecision.CHOICES, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason the applicant will read"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when marking ineligible."),
    )

    @property
    def eligible(self) -> bool:
        return self.cleaned_data["decision"] == ScreeningDecision.ELIGIBLE


class BulkScreenForm(ScreenForm):
    """The same decision for every application ticked in the list (only those of this edition's list)."""

    applications = forms.ModelMultipleChoiceField(
        label=_("Applications"),
        queryset=Application.objects.none(),
        error_messages={"required": _("Tick at least one application.")},
    )

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = applications


# --- edition settings -----------------------------------------------------------------------------------

TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]
DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def wall_clock(value: datetime, zone) -> datetime:
    """An aware time as a datetime-local field shows it in `zone`: naive, to the minute."""
    return timezone.localtime(value, zone).replace(tzinfo=None, second=0, microsecond=0)


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time as typed, without a zone: the form places it in the edition's time zone.

    Django's own field would use the request's time zone, and the edition's zone may
    change in the same submission.
    """

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL_FORMAT)
    input_formats = [DATETIME_LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        return forms.fields.BaseTemporalField.to_python(self, value)

    def prepare_value(self, value):
        return value


class EditionSettingsForm(BilingualFormMixin, forms.Form):
    bilingual = {"name": (_("Name"), {"max_length": 200}), "programme": (_("Programme"), {"max_length": 200}),
                 "description": (_("Description"), {"textarea_rows": 4})}
    bilingual_required = ("name",)
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=TIME_ZONE_CHOICES,
        help_text=_("Opening and closing times are entered and shown in this time zone."),
    )
    opens_at = WallClockDateTimeField(label=_("Opens at"))
    closes_at = WallClockDateTimeField(label=_("Closes at"))
    # The details as the page loaded them (portal.services.editions.edition_details_version): a save over a
    # colleague's later one is refused.
    details_version = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    @classmethod
    def initial_for(cls, edition: Edition) -> dict:
        tz = edition.tz
        return {
            "details_version": edition_details_version(edition),
            **{field: getattr(edition, field) or "" for field in per_language("name", "programme", "description")},
            "time_zone": edition.time_zone,
            "opens_at": wall_clock(edition.opens_at, tz),
            "closes_at": wall_clock(edition.closes_at, tz),
        }

    def clean(self):
        cleaned = super().clean()
        zone_name = cleaned.get("time_zone")
        if not zone_name:
            return cleaned
        zone = zoneinfo.ZoneInfo(zone_name)
        for name in ("opens_at", "closes_at"):
            if cleaned.get(name) is not None:
                cleaned[name] = timezone.make_aware(cleaned[name], zone)
        return cleaned


class CategoryForm(BilingualFormMixin, forms.ModelForm):
    bilingual = {"name": (_("Name"), {"max_length": 200}), "description": (_("Description"), {"textarea_rows": 3})}
    bilingual_required = ("name",)
    allowed_kinds = forms.MultipleChoiceField(
        label=_("Organisation kinds admitted"),
        choices=Organisation.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick none to admit every kind of organisation."),
    )

    class Meta:
        model = Category
        fields = ["slug", "allowed_kinds", "max_entries_per_organisation", "position"]


class _UniqueWithinFormset(forms.BaseModelFormSet):
    """Two rows of one submission may not claim the same value of `unique_field` (the services check the database)."""

    unique_field = ""
    duplicate_message = ""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            value = form.cleaned_data.get(self.unique_field)
            if not value:
                continue
            if value in seen:
                form.add_error(self.unique_field, self.duplicate_message)
            seen.add(value)


class BaseCategoryFormSet(_UniqueWithinFormset):
    unique_field = "slug"
    duplicate_message = _("Two categories cannot share a slug.")


def category_formset(*, edition: Edition, data=None):
    """The edition's categories and a few empty rows; the page's script adds more, as many as a save needs."""
    has_categories = edition.categories.exists()
    formset_class = forms.modelformset_factory(
        Category, form=CategoryForm, formset=BaseCategoryFormSet, extra=2 if has_categories else 3, can_delete=True,
    )
    return formset_class(data, queryset=edition.categories.order_by("position", "name"), prefix="categories")

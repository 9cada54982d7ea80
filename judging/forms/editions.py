"""The organiser's form creating an edition, empty or copied from one whose secretariat they are.

It checks the shape of the input; the rules (a free slug, closing after opening, a known zone, who may copy)
live in the services, whose refusals the view puts back beside the fields.
"""

import zoneinfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from portal.bilingual import BilingualFormMixin
from portal.models import Edition
from submissions.forms.secretariat import TIME_ZONE_CHOICES, WallClockDateTimeField

UNKNOWN_ZONE = _("“%(value)s” is not a known time zone, e.g. Asia/Seoul.")


class EditionCreateForm(BilingualFormMixin, forms.Form):
    bilingual = {
        "name": (_("Name"), {"max_length": 200, "help_text": _(
            "As applicants and the public read it, e.g. “Seoul Smart City Prize 2027”.")}),
        "programme": (_("Programme"), {"max_length": 200, "help_text": _(
            "The award programme this edition belongs to, e.g. “Seoul Smart City Prize”.")}),
        "description": (_("Description"), {"textarea_rows": 4}),
    }
    bilingual_required = ("name",)
    slug = forms.SlugField(
        label=_("Web address"), max_length=80,
        error_messages={"required": _("Choose a web address: lower-case letters, digits and hyphens.")},
        help_text=_("The edition's pages live under /e/<address>/ and /editions/<address>/. Lower-case letters, "
                    "digits and hyphens; leave empty to use one made from the name."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone of the edition"), choices=TIME_ZONE_CHOICES,
        error_messages={"invalid_choice": UNKNOWN_ZONE},
        help_text=_("Every deadline of the edition is shown to applicants and judges in this zone, and the opening "
                    "and closing times below are read in it."),
    )
    opens_at = WallClockDateTimeField(label=_("The call opens at"))
    closes_at = WallClockDateTimeField(label=_("The call closes at"))
    copy_from = forms.TypedChoiceField(
        label=_("Copy the set-up of"), required=False, coerce=int, empty_value=None,
        error_messages={"invalid_choice": _("You can copy only an edition whose secretariat you are.")},
    )

    def __init__(self, *args, sources=(), **kwargs):
        """`sources`: the editions the user may copy (those whose secretariat they are)."""
        super().__init__(*args, **kwargs)
        named = self.is_bound and (self.data.get("name_en", "").strip() or self.data.get("name_ko", "").strip())
        if named and not self.data.get("slug", "").strip():
            # The suggestion made from the name, shown in the field if the page comes back with an error.
            self.data = self.data.copy()
            self.data["slug"] = slugify(named)[:80].strip("-")
        self.sources = {edition.pk: edition for edition in sources}
        self.fields["copy_from"].choices = [("", _("Nothing: start empty")),
                                            *((edition.pk, edition.name) for edition in sources)]
        self.fields["time_zone"].initial = settings.TIME_ZONE
        # Lets the page's script fill the address from the name while the organiser has not typed one.
        self.fields["slug"].widget.attrs["data-slug-from"] = "id_name_en"

    def clean(self):
        cleaned = super().clean()
        zone_name = cleaned.get("time_zone")
        if zone_name:
            zone = zoneinfo.ZoneInfo(zone_name)
            for name in ("opens_at", "closes_at"):
                if cleaned.get(name) is not None:
                    cleaned[name] = timezone.make_aware(cleaned[name], zone)
        return cleaned

    @property
    def source(self) -> Edition | None:
        return self.sources.get(self.cleaned_data.get("copy_from"))

    def edition_data(self) -> dict:
        """What the services take from this form (everything but the source)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "copy_from"}

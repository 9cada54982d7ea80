"""Texts a programme writes (an edition's name, its categories, form guidance, rubric criteria, awards) are entered
in English and in Korean. modeltranslation (see each app's translation.py) keeps them as `<field>_en` and
`<field>_ko` beside the field, and a reader gets their language's text, else the other one.

The secretariat's forms show both languages side by side; at least one of the two is needed where the field
itself is required. Services take either the per-language names or, for callers that write one language (the
demo, scripts), the plain name, which writes the active language.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

LANGUAGE_CODES = ("en", "ko")
LANGUAGE_LABELS = {"en": _("English"), "ko": _("Korean")}


def per_language(*names: str) -> tuple[str, ...]:
    """("name",) → ("name_en", "name_ko")."""
    return tuple(f"{name}_{code}" for name in names for code in LANGUAGE_CODES)


def with_languages(*names: str) -> tuple[str, ...]:
    """Each name, then its per-language names: a service applies the plain one first, so an explicit language
    given beside it wins."""
    return tuple(field for name in names for field in (name, *per_language(name)))


def language_pair(label, *, textarea_rows: int | None = None, max_length: int | None = None,
                  help_text: str = "") -> dict[str, forms.Field]:
    """Two optional form fields, "<label> (English)" and "<label> (Korean)", for one translated field."""
    fields = {}
    for code in LANGUAGE_CODES:
        widget = forms.Textarea(attrs={"rows": textarea_rows}) if textarea_rows else None
        fields[code] = forms.CharField(
            label=_("%(label)s (%(language)s)") % {"label": label, "language": LANGUAGE_LABELS[code]},
            required=False, max_length=max_length, widget=widget, help_text=help_text if code == "en" else "",
        )
    return fields


class BilingualFormMixin:
    """A form whose `bilingual` fields {name: (label, options)} come in both languages; `bilingual_required` lists
    those where one language at least must be filled. Add it before forms.Form / forms.ModelForm."""

    bilingual: dict[str, tuple] = {}
    bilingual_required: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, options) in self.bilingual.items():
            for code, field in language_pair(label, **options).items():
                existing = self.fields.get(f"{name}_{code}")
                if existing is not None:  # a ModelForm's own field for the model's per-language column: relabelled
                    existing.label, existing.required, existing.help_text = field.label, False, field.help_text
                    if options.get("textarea_rows"):
                        existing.widget.attrs["rows"] = options["textarea_rows"]
                    continue
                self.fields[f"{name}_{code}"] = field
                instance = getattr(self, "instance", None)
                if instance is not None and instance.pk and f"{name}_{code}" not in self.initial:
                    self.initial[f"{name}_{code}"] = getattr(instance, f"{name}_{code}") or ""
        self.order_fields(self._bilingual_order())

    def _bilingual_order(self) -> list[str]:
        order = []
        for name in self.fields:
            base, _sep, code = name.rpartition("_")
            if code in LANGUAGE_CODES and base in self.bilingual:
                continue
            if name in self.bilingual:
                order.extend(per_language(name))
            else:
                order.append(name)
        missing = [field for name in self.bilingual if per_language(name)[0] not in order
                   for field in per_language(name)]
        return [*missing, *order]  # translated fields the form does not otherwise list come first, in their order

    def clean(self):
        cleaned = super().clean()
        for name in self.bilingual_required:
            if any(field in self.errors for field in per_language(name)):
                continue  # already refused (too long, ...): that message says enough
            if not any((cleaned.get(field) or "").strip() for field in per_language(name)):
                label = self.bilingual[name][0]
                self.add_error(per_language(name)[0], _("Enter the %(label)s in English or in Korean (or both).")
                               % {"label": str(label).lower()})
        return cleaned

"""Form fields built from an edition's questions: one Django field per question, validated on the server by type.

`answer_field(question, strict=...)`: a draft (`strict=False`) takes any parsable value, required or not, and a
text over its limit (the limit is reported on submission, beside the field); submission (`strict=True`) checks
every limit and whether a required question is answered. The same field reads a stored value back
(`clean(stored)`), so what was saved is checked with the same rules when the application is submitted.
"""

from decimal import Decimal

from django import forms
from django.core.validators import FileExtensionValidator
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from submissions import attachments
from submissions.models import Question

Kind = Question.Kind
SHORT_TEXT_DEFAULT_LIMIT = 300
# The types a file question may accept: those the portal checks by content.
FILE_TYPE_CHOICES = [(extension.lstrip("."), extension.lstrip(".").upper())
                     for extension in sorted(set(attachments.ALLOWED_TYPES.values()))]


class MoneyInput(forms.TextInput):
    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _help(question: Question, notes: list[str]) -> str:
    lines = [question.help_text] if question.help_text else []
    if question.required:
        notes.insert(0, str(_("Required to submit.")))
    # The help text is the secretariat's: escaped here, as Django prints help text unescaped.
    return format_html_join(" ", "{}", ((text,) for text in [*lines, *notes]))


def plain(number: Decimal | None) -> Decimal | None:
    """1000.00 → 1000, 12.50 → 12.5: limits as a person writes them (normalize alone gives 1E+3)."""
    if number is None:
        return None
    return number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize()


def text_limit(question: Question) -> int | None:
    if question.kind == Kind.SHORT_TEXT:
        return question.max_chars or SHORT_TEXT_DEFAULT_LIMIT
    return question.max_chars


def answer_field(question: Question, *, strict: bool = False) -> forms.Field | None:
    """The form field asking `question` (None for a heading)."""
    required = strict and question.required
    common = {"label": question.label, "required": required}
    notes: list[str] = []
    kind = question.kind
    if kind == Kind.HEADING:
        return None
    if kind in Question.TEXT_KINDS:
        limit = text_limit(question)
        if limit:
            notes.append(str(_("At most %(count)s characters.") % {"count": f"{limit:,}"}))
        widget = (forms.Textarea(attrs={"rows": 8}) if kind == Kind.LONG_TEXT else forms.TextInput())
        if limit:
            widget.attrs["maxlength"] = limit
        field = forms.CharField(max_length=limit if strict else None, widget=widget, **common)
    elif kind in Question.NUMBER_KINDS:
        money = kind == Kind.MONEY
        minimum = plain(question.min_value) if question.min_value is not None else (Decimal(0) if money else None)
        maximum = plain(question.max_value)
        if minimum is not None or maximum is not None:
            notes.append(_number_range(minimum, maximum))
        if money:
            notes.insert(0, str(_("In %(currency)s, without separators, e.g. 250000.") % {
                "currency": question.currency or "USD"}))
        # A text box, not type=number: the browser would drop "1,000" silently; here it comes back with its error.
        field = forms.DecimalField(
            min_value=minimum, max_value=maximum, max_digits=18,
            decimal_places=2 if money else 6, widget=MoneyInput(),
            error_messages={"invalid": _("Enter a number, e.g. 1500 or 12.5, without separators.")}, **common,
        )
    elif kind == Kind.DATE:
        notes.append(str(_("As year-month-day, e.g. 2026-05-31.")))
        field = forms.DateField(widget=DateInput(), input_formats=["%Y-%m-%d"], **common)
    elif kind == Kind.CHOICE:
        field = forms.ChoiceField(choices=question.choice_pairs(), widget=forms.RadioSelect, **common)
    elif kind == Kind.MULTIPLE_CHOICE:
        field = forms.MultipleChoiceField(choices=question.choice_pairs(), widget=forms.CheckboxSelectMultiple,
                                          **common)
    elif kind == Kind.COUNTRY:
        field = forms.ChoiceField(choices=[("", _("Choose a country")), *countries], **common)
    elif kind == Kind.URL:
        notes.append(str(_("Starting with https://.")))
        field = forms.URLField(assume_scheme="https", max_length=500, **common)
    elif kind == Kind.CONSENT:
        field = forms.BooleanField(**common)
    elif kind == Kind.FILE:
        field = _file_field(question, common, notes)
    else:  # an unknown kind (a newer version's data read by older code): no input rather than a crash
        return None
    field.help_text = _help(question, notes)
    return field


def _number_range(minimum, maximum) -> str:
    if minimum is not None and maximum is not None:
        return str(_("Between %(min)s and %(max)s.") % {"min": minimum, "max": maximum})
    if minimum is not None:
        return str(_("At least %(min)s.") % {"min": minimum})
    return str(_("At most %(max)s.") % {"max": maximum})


class QuestionFileField(forms.FileField):
    """A file for one question: its types by extension here (the attachment service checks the content) and its
    size. A stored answer ({"name", "attachment_id", ...}) reads back as valid."""

    def __init__(self, *, max_bytes: int, extensions: list[str], **kwargs):
        self.max_bytes = max_bytes
        validators = [FileExtensionValidator(extensions)] if extensions else []
        super().__init__(validators=validators, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, dict) and data.get("attachment_id"):
            return data
        return super().clean(data, initial)

    def validate(self, value):
        super().validate(value)
        if value and getattr(value, "size", 0) > self.max_bytes:
            raise forms.ValidationError(
                _("“%(name)s” is %(size)s; at most %(limit)s is allowed here.")
                % {"name": value.name, "size": filesizeformat(value.size), "limit": filesizeformat(self.max_bytes)},
                code="too_large")


def _file_field(question: Question, common: dict, notes: list[str]) -> forms.Field:
    limit = attachments.MAX_ATTACHMENT_BYTES
    if question.max_file_mb:
        limit = min(limit, question.max_file_mb * 1024 * 1024)
    extensions = [extension for extension in question.file_types or [] if extension in dict(FILE_TYPE_CHOICES)]
    shown = ", ".join(extension.upper() for extension in extensions) or attachments.ALLOWED_DESCRIPTION
    notes.append(str(_("Accepted: %(types)s.") % {"types": shown}))
    notes.append(str(_("At most %(size)s.") % {"size": filesizeformat(limit)}))
    accept = ",".join(f".{extension}" for extension in extensions) if extensions else None
    widget = forms.ClearableFileInput(attrs={"accept": accept} if accept else {})
    return QuestionFileField(max_bytes=limit, extensions=extensions, widget=widget, **common)


def stored_for_form(question: Question, value):
    """A stored value as a form's initial or data value."""
    if value is None:
        return [] if question.kind == Kind.MULTIPLE_CHOICE else ""
    return value

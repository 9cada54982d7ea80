"""A GET filter form's fields as plain values (label, value, options with the selected one), for a template loop.

`form.as_div()` renders every field, label and option through the form renderer's templates: the screening
list's seven filters and their forty options cost more than its fifty rows. The filter forms here have only
text inputs and selects, so the page writes the markup itself (`portal/_filter_fields.html`) from these values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms


@dataclass(frozen=True)
class FilterField:
    name: str
    id: str
    label: str
    value: str
    options: list[tuple[str, str, bool]] = field(default_factory=list)  # (value, label, selected); empty: a text input
    errors: list[str] = field(default_factory=list)


def filter_fields(form: forms.Form) -> list[FilterField]:
    """Every field of `form` (bound or not) as a FilterField; validation runs once, as for `as_div`."""
    fields = []
    for bound in form:
        value = bound.value()
        value = "" if value is None else str(value)
        label = str(bound.label or "")
        if label and label[-1] not in ":?.!" and form.label_suffix:
            label += str(form.label_suffix)
        options = []
        if isinstance(bound.field.widget, forms.Select):
            options = [(str(getattr(option, "value", option)), str(text), str(getattr(option, "value", option)) == value)
                       for option, text in bound.field.choices]
        fields.append(FilterField(bound.html_name, bound.id_for_label, label, value, options,
                                  [str(error) for error in bound.errors]))
    return fields

"""A filter form's fields as plain values for the template's loop: labels, the typed text, the options with the
chosen one selected, and each field's errors."""

import pytest
from django import forms
from django.utils import translation

from portal.filter_fields import FilterField, filter_fields


class _Filters(forms.Form):
    q = forms.CharField(required=False, label="Contains")
    stage = forms.ChoiceField(required=False, choices=[("", "Any"), ("pilot", "Pilot"), ("scaled", "Scaled")],
                              label="Stage")
    where = forms.CharField(required=False, label="Where?")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_an_unbound_form_has_empty_values_and_the_first_option_unselected():
    assert filter_fields(_Filters()) == [
        FilterField("q", "id_q", "Contains:", ""),
        FilterField("stage", "id_stage", "Stage:", "", [("", "Any", True), ("pilot", "Pilot", False),
                                                         ("scaled", "Scaled", False)]),
        FilterField("where", "id_where", "Where?", ""),
    ]


def test_a_bound_form_keeps_the_typed_text_the_chosen_option_and_the_errors():
    fields = filter_fields(_Filters({"q": "<b>flood</b>", "stage": "nonsense"}))
    assert (fields[0].value, fields[0].errors) == ("<b>flood</b>", [])
    assert [option for option in fields[1].options if option[2]] == []
    assert fields[1].errors == ["Select a valid choice. nonsense is not one of the available choices."]
    assert [option for option in filter_fields(_Filters({"stage": "scaled"}))[1].options if option[2]] == [
        ("scaled", "Scaled", True)]

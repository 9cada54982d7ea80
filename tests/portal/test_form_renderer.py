"""The portal's form renderer writes exactly the HTML of Django's own, with and without errors."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from portal.form_renderer import PortalFormRenderer


class _Form(forms.Form):
    title = forms.CharField(max_length=20, help_text="Short.")
    body = forms.CharField(widget=forms.Textarea, required=False)
    stage = forms.ChoiceField(choices=[("", "—"), ("pilot", "Pilot")])
    kinds = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple,
                                      required=False)


@pytest.mark.parametrize("data", [None, {"title": "x" * 30, "stage": "nope"}, {"title": "ok", "stage": "pilot"}])
def test_every_field_renders_as_djangos_renderer_renders_it(data):
    ours, django = _Form(data, renderer=PortalFormRenderer()), _Form(data, renderer=DjangoTemplates())
    if data is not None:
        ours.is_valid(), django.is_valid()
    for name in ours.fields:
        assert ours[name].as_field_group() == django[name].as_field_group(), name
    if data and data["stage"] == "nope":
        assert "errorlist" in ours["title"].as_field_group()


def test_the_portal_uses_it(settings):
    assert settings.FORM_RENDERER == "portal.form_renderer.PortalFormRenderer"
    assert isinstance(_Form().renderer, PortalFormRenderer)

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Organisation


class OrganisationForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = ["name", "kind", "country", "city", "population_band", "website"]


class AuditFilterForm(forms.Form):
    """The audit trail's filters: a kind of action (see portal.audit_trail.KINDS) and a person of this edition."""

    kind = forms.ChoiceField(label=_("Kind"), required=False)
    actor = forms.TypedChoiceField(label=_("Person"), required=False, coerce=int, empty_value=None)

    def __init__(self, data=None, *, actors=()):
        super().__init__(data)
        from .audit_trail import KINDS

        self.fields["kind"].choices = [("", _("All kinds"))] + [(key, label) for key, (label, _p) in KINDS.items()]
        self.fields["actor"].choices = [("", _("Everyone"))] + [
            (user.pk, f"{user.name} <{user.email}>" if user.name else user.email) for user in actors
        ]

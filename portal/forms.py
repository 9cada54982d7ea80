from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import EditionRole, Organisation, Webhook
from .request_limits import file_input_limit_attrs


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


# --- people and roles (portal/views/roles.py, portal/views/role_invitations.py) --------------------------------


class RoleInviteForm(forms.Form):
    """One invitation: who, which role, in which language the mail is written."""

    email = forms.EmailField(label=_("E-mail address"))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=EditionRole.Role.choices)
    language = forms.ChoiceField(label=_("Language of the e-mail"), choices=settings.LANGUAGES)
    message = forms.CharField(label=_("Message (optional)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Added to the e-mail, e.g. what you expect of them and when."))


class RoleCsvForm(forms.Form):
    file = forms.FileField(label=_("CSV file"),
                           help_text=_("Columns: email, name, role, language. One person per line."))
    message = forms.CharField(label=_("Message (optional)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .services.role_invitations_csv import MAX_BYTES

        self.fields["file"].widget.attrs.update(file_input_limit_attrs(MAX_BYTES))


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("New role"), choices=EditionRole.Role.choices)


class AccountFromInvitationForm(forms.Form):
    """A person without an account accepts an invitation: their name and a password (the address is known)."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password (again)"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class WebhookForm(forms.Form):
    url = forms.URLField(label=_("Address (https://…)"), max_length=500, assume_scheme="https",
                         widget=forms.URLInput(attrs={"placeholder": "https://"}))
    events = forms.MultipleChoiceField(label=_("Tell it when"), widget=forms.CheckboxSelectMultiple,
                                       choices=Webhook.Event.choices)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

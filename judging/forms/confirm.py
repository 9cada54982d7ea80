"""The confirmation every irreversible judging step asks for: a box the user ticks, checked by the server."""

from django import forms
from django.utils.translation import gettext_lazy


class ConfirmForm(forms.Form):
    """Without `confirm`, a POST changes nothing: the page says again what would happen and asks for the box."""

    confirm = forms.BooleanField(
        label=gettext_lazy("Yes, I have read what happens and want to go on."),
        error_messages={"required": gettext_lazy("Tick the box to confirm; nothing was changed.")},
    )

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["confirm"].label = label

"""The judge's queue filter: search by title or number, by the state of the judge's review, by category.

The selector judging.selectors.queue.queue_page applies it in the database, one page at a time."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Assignment

State = Assignment.State

# The filter's values name what the judge sees: to do, a draft, submitted.
QUEUE_STATES = {"to_do": State.ASSIGNED, "draft": State.IN_PROGRESS, "submitted": State.SUBMITTED}


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Title or number"), required=False)
    state = forms.ChoiceField(label=_("Your review"), required=False, choices=[
        ("", _("Any")), ("to_do", _("To do")), ("draft", _("Draft (in progress)")), ("submitted", _("Submitted")),
    ])
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args, categories: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Any")), *((name, name) for name in categories)]

    @property
    def active(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())

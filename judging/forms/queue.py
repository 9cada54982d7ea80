"""The judge's queue filter: search by title or number, by the state of the judge's review, by category."""

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

    def matches(self, number: int, row) -> bool:
        """Whether the queue's row `number` passes the filter. The search reads the title as the queue shows it
        (redacted in a blind round) and the numbers the judge sees: the row's and the entry's (#id in e-mails);
        never the organisation, so a search cannot reveal who applied."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        state = QUEUE_STATES.get(data.get("state") or "")
        if state and row.state != state:
            return False
        if data.get("category") and row.category != data["category"]:
            return False
        query = (data.get("q") or "").strip()
        if not query:
            return True
        # "#123" is the entry's number (as in the e-mails); bare digits the row's number or the entry's.
        digits = query.removeprefix("#")
        if digits.isdecimal() and len(digits) <= 18:  # not isdigit: "²" is a digit that int() refuses
            return int(digits) == row.application_id or (not query.startswith("#") and int(digits) == number)
        return query.casefold() in row.title.casefold()

    @property
    def active(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())

"""Forms of the awards set-up (tiers, edition awards, settings) and of the committee's deliberation.

Entries are offered as plain choices built from the proposal the page already read (no query per form);
the view resolves the chosen id within the edition.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.bilingual import BilingualFormMixin
from portal.models import Edition
from portal.request_limits import file_input_limit_attrs
from submissions.attachments import MAX_ATTACHMENT_BYTES

from ..models import EditionAward, PrizeTier

REASON_HELP = _("Required whenever the decision differs from the ranking's proposal; kept in the audit trail.")


class PrizeTierForm(forms.Form):
    level = forms.ChoiceField(label=_("Tier"), choices=PrizeTier.Level.choices)
    places = forms.IntegerField(label=_("Number of prizes"), min_value=1, max_value=50, initial=1)
    position = forms.IntegerField(label=_("Order (1 = highest)"), min_value=1, max_value=20, initial=1)


class EditionAwardForm(BilingualFormMixin, forms.Form):
    bilingual = {"name": (_("Name"), {"max_length": 200}), "description": (_("Description"), {"textarea_rows": 2})}
    bilingual_required = ("name",)
    kind = forms.ChoiceField(label=_("Kind"), choices=EditionAward.Kind.choices)
    max_recipients = forms.IntegerField(label=_("At most this many recipients"), min_value=1, required=False,
                                        help_text=_("Leave empty for any number."))
    position = forms.IntegerField(label=_("Order"), min_value=1, max_value=100, initial=1)


class AwardSettingsForm(forms.Form):
    tie_break = forms.ChoiceField(label=_("Tie-break rule"), choices=Edition.TieBreak.choices,
                                  help_text=_("Applied only when the committee invokes it on a tie, and recorded."))
    tie_break_criterion = forms.ChoiceField(label=_("Tie-break criterion"), required=False)
    publish_scores = forms.BooleanField(label=_("Publish the winners' corrected scores"), required=False)
    publish_dataset = forms.BooleanField(label=_("Publish a verifiable, anonymised dataset"), required=False)

    def __init__(self, *args, criteria: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tie_break_criterion"].choices = [("", "—"), *((name, name) for name in criteria)]


class _EntryChoiceForm(forms.Form):
    application = forms.TypedChoiceField(label=_("Entry"), coerce=int)

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [("", "—"), *((application.pk, label) for application, label in entries)]


class DecideForm(_EntryChoiceForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=4000, help_text=REASON_HELP,
                             widget=forms.Textarea(attrs={"rows": 2}))


class TieBreakForm(_EntryChoiceForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, by_chair: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].required = by_chair
        if not by_chair:
            del self.fields["application"], self.fields["reason"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class MoveForm(_EntryChoiceForm):
    category = forms.TypedChoiceField(label=_("Consider it in"), coerce=int)
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c.pk, c.name) for c in categories]


class GiveAwardForm(_EntryChoiceForm):
    citation = forms.CharField(label=_("Citation"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("Published with the results."))


class MinutesForm(forms.Form):
    held_on = forms.DateField(label=_("Meeting date"), widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 5}))
    file = forms.FileField(label=_("File (PDF, Word or OpenDocument, up to 20 MB)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update(file_input_limit_attrs(MAX_ATTACHMENT_BYTES))

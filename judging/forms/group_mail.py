"""Forms of mail to a group: a mail template (subject and body in English and Korean), and the compose form (the
group's filter, the template, the one-time token). They parse input; judging/services/group_mail*.py decide."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.bilingual import BilingualFormMixin, per_language
from submissions.models import Application, Category

from ..models import GroupMail, JudgingRound, MailTemplate
from ..selectors.group_mail import JUDGES_ALL, JUDGES_DONE, JUDGES_LATE, GroupCriteria
from ..services.group_mail_texts import text_errors

Audience = GroupMail.Audience


class MailTemplateForm(BilingualFormMixin, forms.ModelForm):
    bilingual = {"subject": (_("Subject"), {"max_length": 300}), "body": (_("Body"), {"textarea_rows": 10})}
    bilingual_required = ("subject", "body")

    class Meta:
        model = MailTemplate
        fields = ["name", *per_language("subject", "body")]

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.edition = edition
        self.order_fields(["name", *per_language("subject", "body")])

    def clean(self):
        cleaned = super().clean()
        for field_name, messages in text_errors(cleaned).items():
            if field_name not in self.errors:
                self.add_error(field_name, messages)
        return cleaned


class GroupMailForm(forms.Form):
    """Whom to write to and with which template. Filters that do not apply to the chosen audience are ignored (the
    page says which apply); an empty filter is no filter."""

    audience = forms.ChoiceField(label=_("Write to"), choices=Audience.choices, initial=Audience.APPLICANTS,
                                 widget=forms.RadioSelect)
    statuses = forms.MultipleChoiceField(
        label=_("Application status (applicants)"), choices=Application.Status.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: every status."))
    categories = forms.ModelMultipleChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Applicants: their application's category; judges: a category they score in. None ticked: all."))
    round = forms.ModelChoiceField(
        label=_("Round"), queryset=JudgingRound.objects.none(), required=False, empty_label=_("Any round"),
        help_text=_("Applicants: the round's entries; judges: the round's judges (and its deadline for {deadline})."))
    shortlisted = forms.BooleanField(label=_("Only shortlisted entries (finalists)"), required=False,
                                     help_text=_("Applicants whose entry is on the round's shortlist, or on any "
                                                 "round's without a round."))
    judge_progress = forms.ChoiceField(
        label=_("Judges' progress"), initial=JUDGES_ALL, widget=forms.RadioSelect,
        choices=[(JUDGES_ALL, _("Every judge")),
                 (JUDGES_LATE, _("Late: reviews still open after an open round's deadline")),
                 (JUDGES_DONE, _("Done: every review submitted"))])
    template = forms.ModelChoiceField(label=_("Template"), queryset=MailTemplate.objects.none(),
                                      empty_label=_("Choose a template"))
    token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, error_messages={
        "required": _("This form is incomplete: open the page again."),
        "invalid": _("This form is incomplete: open the page again.")})

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = Category.objects.filter(edition=edition).order_by("position", "id")
        self.fields["round"].queryset = JudgingRound.objects.filter(edition=edition).order_by("position")
        self.fields["template"].queryset = MailTemplate.objects.filter(edition=edition).order_by("name")
        for name in ("categories", "round", "template"):
            self.fields[name].label_from_instance = lambda choice: choice.name  # no query per option

    def criteria(self) -> GroupCriteria:
        data = self.cleaned_data
        applicants = data["audience"] == Audience.APPLICANTS
        return GroupCriteria(
            audience=data["audience"],
            statuses=tuple(data["statuses"]) if applicants else (),
            category_ids=tuple(category.pk for category in data["categories"]),
            round_id=data["round"].pk if data["round"] else None,
            shortlisted=bool(data["shortlisted"]) if applicants else False,
            judge_progress=JUDGES_ALL if applicants else data["judge_progress"],
        )

"""Forms for the applicant's pages. They parse and display input; the services decide what is allowed."""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.models import Organisation
from portal.request_limits import file_input_limit_attrs
from submissions import attachments
from submissions.models import Application, Category, Question

from .answers import answer_field


class ApplyForm(forms.Form):
    """Which organisation enters which category: the two choices that start a draft."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), empty_label=None
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), widget=forms.RadioSelect,
        error_messages={"required": _("Choose a category."),
                        "invalid_choice": _("That category is not open for applications.")},
    )

    def __init__(self, *args, organisations, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["category"].queryset = categories
        self.fields["organisation"].error_messages["invalid_choice"] = _(
            "You can apply only for an organisation you belong to."
        )


class ApplicationDraftForm(forms.Form):
    """Every field of an application, all optional: a draft saves whatever has been entered.

    The edition's questions are added in its order, each a field of its type (forms.answers), named by the
    question's key. A text's limit is given to the browser as `maxlength`, a hint for the counter; a longer
    text is still saved, and submission reports it beside the field.
    """

    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            help_text=_("Required to submit. At most 200 characters."))
    stage = forms.ChoiceField(
        label=_("Development stage"), required=False,
        choices=[("", _("Choose a stage")), *Application.Stage.choices],
        help_text=_("Required to submit. Judges weigh the criteria by stage, "
                    "so a pilot competes fairly with a scaled programme."),
    )
    budget_usd = forms.IntegerField(
        label=_("Budget (US dollars)"), required=False, min_value=0,
        # A text box, not type=number: the browser would drop "1,000" silently; here it comes back with its error.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("The project's total budget, in whole US dollars, without separators."),
        error_messages={"invalid": _("Enter the budget as a whole number of US dollars, e.g. 250000.")},
    )
    links = forms.CharField(
        label=_("Links"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Web pages about the project, one per line, each starting with https://."),
    )

    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        fields = {"title": self.fields["title"]}
        self.questions = questions
        for question in questions:
            field = answer_field(question)
            if field is not None:
                fields[question.key] = field
        for name in ("stage", "budget_usd", "links"):
            fields[name] = self.fields[name]
        self.fields = fields

    def layout(self) -> list[dict]:
        """The form in order for the template: the title, then each question (a heading, or a field with its
        condition for the page's script), then the fixed fields."""
        rows = [{"field": self["title"]}]
        for question in self.questions:
            row = {"question": question}
            if question.kind == Question.Kind.HEADING:
                row["heading"] = question
            elif question.key in self.fields:
                row["field"] = self[question.key]
            else:
                continue
            rows.append(row)
        rows.extend({"field": self[name]} for name in ("stage", "budget_usd", "links"))
        return rows

    def _posted(self, name: str) -> bool:
        # A file question counts as posted only with a file chosen; an unchecked box or no ticked choice is absent
        # from a POST, so a question with choices counts as posted when the page said it showed it.
        if name in self.files:
            return True
        return name in self.data or f"{name}__shown" in self.data

    def posted_fields(self) -> list[str]:
        return [name for name in self.fields if self._posted(name)]

    def draft_data(self) -> dict:
        """The fields that were posted and parsed, to save now; the others stay on the form with their errors.

        A field absent from the POST is left alone, so a request that carries a few fields changes only those.
        """
        return {name: value for name, value in self.cleaned_data.items() if self._posted(name)}

    def differences_from(self, saved: dict) -> list[tuple[str, str]]:
        """(label, saved text) for each posted field whose text differs from `saved` (the stored draft's values)."""
        differences = []
        for name, field in self.fields.items():
            if name not in self.data or name not in saved or isinstance(saved[name], (list, dict, bool)):
                continue
            stored = "" if saved[name] is None else str(saved[name])
            if str(self.data.get(name) or "").replace("\r\n", "\n").strip() != stored.strip():
                shown = dict(field.choices).get(stored, stored) if hasattr(field, "choices") else stored
                differences.append((field.label, shown or _("(empty)")))
        return differences


class AttachmentForm(forms.Form):
    # The service checks emptiness, size and type by content, naming the file in its message.
    file = forms.FileField(
        label=_("Add a file"), allow_empty_file=True,
        error_messages={"required": _("Choose a file to upload.")},
        # A hint for the file picker only; the content decides.
        widget=forms.FileInput(
            attrs={"accept": ",".join([*attachments.ALLOWED_TYPES, *attachments.ALLOWED_TYPES.values()])}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = format_html(
            "{} {}",
            _("Accepted: %(types)s.") % {"types": attachments.ALLOWED_DESCRIPTION},
            _("At most %(size)s per file, %(count)s files per application.")
            % {"size": filesizeformat(attachments.MAX_ATTACHMENT_BYTES),
               "count": attachments.MAX_ATTACHMENTS_PER_APPLICATION},
        )
        self.fields["file"].widget.attrs.update(file_input_limit_attrs(attachments.MAX_ATTACHMENT_BYTES))


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The secretariat sees it. You may leave it empty."),
    )


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Colleague's e-mail address"),
        help_text=_("They receive a link to join; they log in or sign up with this address to accept."),
    )

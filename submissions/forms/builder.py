"""The secretariat's form builder: one question's settings. The service (services.questions) decides versions."""

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from portal.bilingual import BilingualFormMixin
from submissions.models import RESERVED_KEYS, Category, Question

from .answers import FILE_TYPE_CHOICES


class QuestionForm(BilingualFormMixin, forms.ModelForm):
    bilingual = {
        "label": (_("Label"), {"max_length": 300}),
        "help_text": (_("Help text"), {"textarea_rows": 2}),
        "choices": (_("Choices, one per line"), {
            "textarea_rows": 4,
            "help_text": _("For single and multiple choice. Answers keep the English line; list the Korean lines in "
                           "the same order.")}),
    }
    bilingual_required = ("label",)
    file_types = forms.MultipleChoiceField(
        label=_("File types accepted"), required=False, choices=FILE_TYPE_CHOICES,
        widget=forms.CheckboxSelectMultiple, help_text=_("For a file question. None ticked: every type the portal "
                                                         "accepts."),
    )
    condition_key = forms.ChoiceField(label=_("Shown only if question"), required=False)

    class Meta:
        model = Question
        fields = ["kind", "key", "category", "label_en", "label_ko", "help_text_en", "help_text_ko", "choices_en",
                  "choices_ko", "required", "max_chars", "min_value", "max_value", "currency",
                  "max_file_mb", "identifies_applicant", "condition_key", "condition_operator", "condition_value"]
        labels = {"kind": _("Type"), "condition_operator": _("Condition"),
                  "condition_value": _("Value that shows this question")}
        help_texts = {
            "max_chars": _("For short and long text. Empty: 300 for a short text, no limit for a long one."),
            "min_value": _("For a number or an amount of money."),
            "max_value": _("For a number or an amount of money."),
            "currency": _("For an amount of money, e.g. USD or KRW."),
            "max_file_mb": _("For a file. Empty: the portal's limit of 20 MB."),
            "condition_value": _("“equals”: the whole answer (for a choice, the English line); “contains”: part of "
                                 "it. For a consent box, “yes”."),
        }

    def __init__(self, *args, edition, earlier: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = edition
        self.fields["category"].queryset = Category.objects.filter(edition=edition).order_by("position", "name")
        self.fields["category"].empty_label = _("Every category")
        self.fields["category"].label_from_instance = lambda category: category.name
        self.fields["condition_key"].choices = [("", _("Always shown"))] + [
            (question.key, f"{question.label} ({question.key})") for question in earlier if question.answerable]
        self.fields["condition_operator"].choices = Question.Operator.choices
        self.fields["key"].required = False
        self.fields["key"].help_text = _("Letters, digits and underscores; made from the English label if empty. "
                                         "It names the answer in exports and cannot change later.")
        if self.instance.pk:
            self.fields["key"].disabled = True
            self.initial["file_types"] = list(self.instance.file_types or [])
        # The type first: it says which of the settings below apply.
        self.order_fields(["kind", "label_en", "label_ko", "help_text_en", "help_text_ko", "required", "key",
                           "category", "choices_en", "choices_ko"])
        for name in ("max_chars", "min_value", "max_value", "max_file_mb"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal"})

    def clean_key(self):
        if self.instance.pk:
            return self.instance.key
        key = (self.cleaned_data.get("key") or "").strip().lower().replace("-", "_")
        if key and not key.replace("_", "").isalnum():
            raise forms.ValidationError(_("Use only letters, digits and underscores."))
        if key in RESERVED_KEYS:
            raise forms.ValidationError(_("“%(key)s” is used by the form itself; choose another key.") % {"key": key})
        return key

    def clean(self):
        data = super().clean()
        if not self.instance.pk and not data.get("key"):
            base = slugify(data.get("label_en") or data.get("label_ko") or "").replace("-", "_")[:36] or "question"
            if base in RESERVED_KEYS:
                base = f"{base}_answer"
            taken = set(Question.objects.filter(edition=self.edition).values_list("key", flat=True))
            key, number = base, 2
            while key in taken:
                key, number = f"{base}_{number}", number + 1
            data["key"] = key
        if not data.get("condition_key"):
            data["condition_operator"], data["condition_value"] = Question.Operator.EQUALS, ""
        elif not (data.get("condition_value") or "").strip():
            self.add_error("condition_value", _("Give the value that shows this question."))
        return data

    def service_data(self) -> dict:
        data = {name: value for name, value in self.cleaned_data.items()}
        data["file_types"] = sorted(data.get("file_types") or [])
        return data

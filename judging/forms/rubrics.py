"""Forms of the rubric editor: a rubric, a criterion and its guidance per level, the weight profiles per
development stage, and copying a rubric. They parse input; the services in judging/services/rubrics.py decide."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.bilingual import BilingualFormMixin, per_language
from submissions.models import Application, Category

from ..models import Criterion, Rubric
from ..services.rubrics import criterion_version

# Every field of the criterion form, in order: the one place to add a field. Name and guidance in both languages.
CRITERION_FIELDS = [*per_language("name", "guidance"), "scale_min", "scale_max", "weight"]

LEVEL_ROWS_EMPTY = 2  # blank level rows offered below the stored ones


class RubricForm(BilingualFormMixin, forms.ModelForm):
    """A rubric's name and whom it serves: the edition's default, or one category."""

    bilingual = {"name": (_("Name"), {"max_length": 200})}
    bilingual_required = ("name",)

    class Meta:
        model = Rubric
        fields = [*per_language("name"), "category"]

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.edition = edition
        category = self.fields["category"]
        category.queryset = Category.objects.filter(edition=edition).order_by("position", "id")
        category.empty_label = _("The edition's default rubric (for every category without its own)")
        category.label = _("Used for")
        category.label_from_instance = lambda choice: choice.name  # its edition is this one: no query per option
        if self.instance.pk:  # whom a rubric serves is chosen once
            del self.fields["category"]


class CriterionForm(BilingualFormMixin, forms.ModelForm):
    bilingual = {"name": (_("Name"), {"max_length": 200}), "guidance": (_("Guidance"), {"textarea_rows": 3})}
    bilingual_required = ("name",)
    # The criterion as the page loaded it (services.rubrics.criterion_version): a save over a later one is refused.
    loaded_version = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    class Meta:
        model = Criterion
        fields = CRITERION_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = criterion_version(self.instance)

    def reload_version(self, version: str) -> None:
        """After a refused stale save: the page keeps the input and saves over `version` next time."""
        self.data = self.data.copy()
        self.data["loaded_version"] = version


class LevelForm(forms.Form):
    """One level of guidance: what scores from … to … mean. A row left wholly empty is ignored."""

    score_from = forms.IntegerField(label=_("From score"), required=False, min_value=0, max_value=1000)
    score_to = forms.IntegerField(label=_("To score"), required=False, min_value=0, max_value=1000)
    description = forms.CharField(label=_("What these scores mean (English)"), required=False, max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    description_ko = forms.CharField(label=_("What these scores mean (Korean)"), required=False, max_length=1000,
                                     widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        described = bool((data.get("description") or "").strip() or (data.get("description_ko") or "").strip())
        filled = [data.get("score_from") is not None, data.get("score_to") is not None, described]
        if any(filled) and not all(filled):
            raise forms.ValidationError(_("Give the range and its description, or leave the whole row empty."))
        return data


class BaseLevelFormSet(forms.BaseFormSet):
    def levels(self) -> list[dict]:
        """The filled rows, lowest range first, as Criterion.levels stores them."""
        rows = [form.cleaned_data for form in self.forms
                if form.cleaned_data.get("description") or form.cleaned_data.get("description_ko")]
        levels = []
        for row in rows:
            level = {"score_from": row["score_from"], "score_to": row["score_to"],
                     "description": (row.get("description") or "").strip()}
            if (row.get("description_ko") or "").strip():
                level["description_ko"] = row["description_ko"].strip()
            levels.append(level)
        return sorted(levels, key=lambda level: (level["score_from"], level["score_to"]))


def level_formset(data=None, *, criterion: Criterion | None = None, prefix: str = "levels"):
    """The criterion's levels as rows, plus empty ones. Posted rows are read without initial values, so that every
    row is compared with empty and none that the page showed unchanged is dropped as "not filled in"."""
    levels = list(criterion.levels) if criterion is not None and data is None else []
    formset_class = forms.formset_factory(LevelForm, formset=BaseLevelFormSet, extra=LEVEL_ROWS_EMPTY)
    return formset_class(data, initial=levels, prefix=prefix)


class StageWeightsForm(forms.Form):
    """The weight of each criterion for each development stage; empty means the criterion's default weight."""

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            stored = {stage_weight.stage: stage_weight.weight for stage_weight in criterion.stage_weights.all()}
            for stage, label in Application.Stage.choices:
                self.fields[self.field_name(criterion.pk, stage)] = forms.DecimalField(
                    label=_("Weight of “%(criterion)s” for the “%(stage)s” stage")
                    % {"criterion": criterion.name, "stage": label},
                    required=False, min_value=0, max_digits=6, decimal_places=3, initial=stored.get(stage),
                    widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal",
                                                    "placeholder": format(criterion.weight.normalize(), "f")}),
                )

    @staticmethod
    def field_name(criterion_id: int, stage: str) -> str:
        return f"w_{criterion_id}_{stage}"

    def weights(self) -> dict[tuple[int, str], Decimal | None]:
        return {(criterion.pk, stage): self.cleaned_data.get(self.field_name(criterion.pk, stage))
                for criterion in self.criteria for stage, _label in Application.Stage.choices}

    def rows(self):
        """(criterion, [bound field per stage]) for the table."""
        return [(criterion, [self[self.field_name(criterion.pk, stage)] for stage, _l in Application.Stage.choices])
                for criterion in self.criteria]


class RubricCopyForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Copy the rubric"), queryset=Rubric.objects.none())
    category = forms.ModelChoiceField(label=_("Into"), queryset=Category.objects.none(), required=False)

    def __init__(self, *args, sources, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources
        self.fields["source"].label_from_instance = lambda rubric: (
            f"{rubric.edition.name} · {rubric.name} ({rubric.category.name if rubric.category else _('default')})")
        self.fields["category"].queryset = Category.objects.filter(edition=edition).order_by("position", "id")
        self.fields["category"].empty_label = _("The edition's default rubric")
        self.fields["category"].label_from_instance = lambda choice: choice.name

"""Forms of the scoring pages. They parse input into what the services take; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import Organisation
from submissions.models import Application

from ..models import Criterion, CriterionScore, JudgingRound, Review
from ..services.scoring import COMMENT_MAX_CHARS, ReviewInput


class ScoreSelect(forms.Select):
    """A criterion's score: Django's select, its options written by one template rather than one include each."""

    template_name = "judging/widgets/score_select.html"


CONFIDENCE_CHOICES = [
    (1, _("1 — low: outside my field")),
    (2, _("2")),
    (3, _("3 — fair")),
    (4, _("4")),
    (5, _("5 — expert: I know this field well")),
]


class ReviewForm(forms.Form):
    """A score and a comment per criterion, the two overall comments and the confidence.

    Fields are named score_<criterion id> and comment_<criterion id>. Every field is optional here: a draft may be
    partial, and the submit service says which scores are still missing.
    """

    committee_comment = forms.CharField(
        label=_("Comment for the committee"), required=False, max_length=COMMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Read by the secretariat, the chair and the observers; never by the applicant."),
    )
    applicant_comment = forms.CharField(
        label=_("Comment for the applicant (optional)"), required=False, max_length=COMMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the applicant, without your name, once the results are published."),
    )
    confidence = forms.TypedChoiceField(
        label=_("How confident are you in this review?"), required=False, coerce=int, empty_value=None,
        choices=CONFIDENCE_CHOICES, widget=forms.RadioSelect,
    )
    # The review's version this page was loaded at: the service refuses a save from an older page.
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, criteria: list[Criterion], review: Review | None = None, **kwargs):
        if "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(review) if review is not None else {"version": 0}
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        fields = {}
        for criterion in criteria:
            fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=_("Score for %(name)s (%(low)s–%(high)s)")
                % {"name": criterion.name, "low": criterion.scale_min, "high": criterion.scale_max},
                required=False, coerce=int, empty_value=None,
                choices=[("", _("— not scored yet —"))]
                + [(value, str(value)) for value in range(criterion.scale_min, criterion.scale_max + 1)],
                widget=ScoreSelect,
            )
            fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment on %(name)s") % {"name": criterion.name}, required=False,
                max_length=COMMENT_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 2}),
            )
        # Criteria first, in rubric order; the overall fields after them.
        self.fields = {**fields, **self.fields}

    @staticmethod
    def initial_from(review: Review) -> dict:
        initial = {
            "committee_comment": review.committee_comment,
            "applicant_comment": review.applicant_comment,
            "confidence": review.confidence,
            "version": review.version if review.pk else 0,
        }
        scores: list[CriterionScore] = list(review.scores.all()) if review.pk else []
        for score in scores:
            initial[f"score_{score.criterion_id}"] = score.score
            initial[f"comment_{score.criterion_id}"] = score.comment
        return initial

    def criterion_rows(self):
        """(criterion, score field, comment field) for the template, in rubric order."""
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def review_input(self) -> ReviewInput:
        """What could be read from the posted data. Fields that did not validate are left out (kept as stored)."""
        cleaned = getattr(self, "cleaned_data", {})
        data = ReviewInput()
        for criterion in self.criteria:
            for prefix, target in (("score", data.scores), ("comment", data.comments)):
                name = f"{prefix}_{criterion.pk}"
                if name in self.data and name in cleaned:
                    target[criterion.pk] = cleaned[name]
        for name in ("committee_comment", "applicant_comment"):
            if name in self.data and name in cleaned:
                setattr(data, name, cleaned[name])
        if "confidence" in cleaned and ("confidence" in self.data or self.data.get("confidence_sent")):
            data.confidence = cleaned["confidence"]
            data.confidence_given = True
        data.version = cleaned.get("version") if "version" in self.data else None
        return data

    def reloaded_at(self, version: int) -> "ReviewForm":
        """This form's input, bound again with `version`: after a refused stale save the judge saves over it."""
        data = self.data.copy()
        data["version"] = str(version)
        form = ReviewForm(data, criteria=self.criteria)
        form.is_valid()
        return form


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you cannot judge this entry"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: you work with the applicant, or advised on the project."),
    )


class LeaderboardFilterForm(forms.Form):
    GROUP_CHOICES = [
        ("", _("No grouping: the whole category")),
        ("stage", _("Development stage")),
        ("band", _("Population band")),
        ("stage_band", _("Stage and population band")),
    ]
    stage = forms.ChoiceField(label=_("Development stage"), required=False,
                              choices=[("", _("All stages")), *Application.Stage.choices])
    band = forms.ChoiceField(label=_("Population band"), required=False,
                             choices=[("", _("All population bands")), *Organisation.PopulationBand.choices])
    group_by = forms.ChoiceField(label=_("Rank within peer bands"), required=False, choices=GROUP_CHOICES)


class CalibrationForm(forms.Form):
    application = forms.ModelChoiceField(label=_("Entry"), queryset=Application.objects.none())

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = candidates
        self.fields["application"].label_from_instance = lambda a: f"{a.title} — {a.organisation.name} ({a.category.name})"


class ShortlistTopForm(forms.Form):
    per_category = forms.IntegerField(label=_("Entries per category"), min_value=1, max_value=1000, initial=6)


class ShortlistAddForm(forms.Form):
    application = forms.ModelChoiceField(label=_("Entry"), queryset=Application.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = candidates
        self.fields["application"].label_from_instance = lambda a: f"{a.title} — {a.organisation.name} ({a.category.name})"


class ShortlistRemoveForm(forms.Form):
    reason = forms.CharField(label=_("Reason for taking it off"), max_length=2000)


class ScoringSettingsForm(forms.Form):
    aggregation_method = forms.ChoiceField(
        label=_("How the judges' scores are combined"), choices=JudgingRound.AggregationMethod.choices,
        widget=forms.RadioSelect, required=False,  # left out: the round keeps its method
        help_text=_("Method 2 (the default) learns from the entries judges share how each judge uses the scale, how "
                    "lenient they are (per category where they scored enough entries) and how consistent they are, "
                    "and gives outlying reviews less weight. Method 1 corrects leniency only. Results already "
                    "computed keep the method they were computed with; the next computation uses this one."),
    )
    explanation_to_applicants = forms.BooleanField(
        label=_("After publication, applicants read their entry's explanation card"), required=False,
        help_text=_("The per-criterion medians, the correction applied and the method, in the applicant's feedback."),
    )

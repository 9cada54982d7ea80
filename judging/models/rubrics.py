"""Rubrics: the criteria of an edition or category, and their weights per development stage."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Edition
from submissions.models import Application, Category


class Rubric(models.Model):
    """Criteria for an edition, or for one category of it (a category's rubric wins over the edition's)."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="rubrics")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="rubrics")
    name = models.CharField(_("name"), max_length=200)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True,
                                     help_text=_("Set when the first score is saved; a frozen rubric cannot change."))

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        constraints = [
            models.UniqueConstraint(fields=["edition", "category"], name="rubric_unique_category",
                                    condition=models.Q(category__isnull=False),
                                    violation_error_message=_("This category already has its own rubric.")),
            models.UniqueConstraint(fields=["edition"], name="rubric_unique_edition_default",
                                    condition=models.Q(category__isnull=True),
                                    violation_error_message=_("The edition already has a default rubric.")),
        ]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=200)
    guidance = models.TextField(_("guidance"), blank=True)
    scale_min = models.PositiveSmallIntegerField(_("lowest score"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("highest score"), default=10)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=3, default=1)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # A JSON list rather than a model of its own: levels are always read, copied and audited with their criterion,
    # so they cost the judge's form no extra query and appear in the criterion's audit before/after.
    levels = models.JSONField(
        _("guidance per level"), default=list, blank=True,
        help_text=_("What a score range means, e.g. 1–3: little evidence. Shown to judges beside the score."),
    )

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["rubric", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(scale_max__gt=models.F("scale_min")), name="criterion_scale_order"),
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="criterion_weight_non_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Not keyed to "levels": forms that leave the levels out (a ModelForm, the admin's inline) then show it at
        # the top instead of failing, since the scale fields they do hold may be what no longer fits.
        problems = criterion_level_problems(self.levels, scale_min=self.scale_min, scale_max=self.scale_max)
        if problems:
            raise ValidationError([ValidationError(problem, code="levels") for problem in problems])


LEVEL_KEYS = {"score_from", "score_to", "description"}


def level_description(level: dict, language: str) -> str:
    """A level's description in `language` ("ko" or another), else in the other language."""
    english, korean = level.get("description", ""), level.get("description_ko", "")
    return (korean or english) if language == "ko" else (english or korean)


def criterion_level_problems(levels, *, scale_min: int | None, scale_max: int | None) -> list[str]:
    """Why a list of levels ({"score_from", "score_to", "description"}, lowest first) is not valid, if it is not.

    Each level is a range of whole scores inside the criterion's scale, with a description; ranges do not overlap.
    """
    if not isinstance(levels, list):
        return [str(_("The levels must be a list."))]
    problems: list[str] = []
    previous_to = None
    for number, level in enumerate(levels, start=1):
        if not isinstance(level, dict) or not LEVEL_KEYS <= set(level) <= LEVEL_KEYS | {"description_ko"}:
            return [str(_("Level %(n)s is not a score range with a description.") % {"n": number})]
        low, high = level["score_from"], level["score_to"]
        # The description in English ("description") or Korean ("description_ko"): one at least.
        texts = [level["description"], level.get("description_ko", "")]
        if not (isinstance(low, int) and isinstance(high, int) and all(isinstance(text, str) for text in texts)
                and any(text.strip() for text in texts)):
            problems.append(str(_("Level %(n)s needs whole scores and a description.") % {"n": number}))
        elif low > high:
            problems.append(str(_("Level %(n)s: the range starts above where it ends (%(low)s–%(high)s).")
                                % {"n": number, "low": low, "high": high}))
        elif scale_min is not None and scale_max is not None and (low < scale_min or high > scale_max):
            problems.append(str(_("Level %(n)s (%(low)s–%(high)s) lies outside the scale %(min)s–%(max)s.")
                                % {"n": number, "low": low, "high": high, "min": scale_min, "max": scale_max}))
        elif previous_to is not None and low <= previous_to:
            problems.append(str(_("Level %(n)s overlaps the level before it: list levels from the lowest score up, "
                                  "without overlaps.") % {"n": number}))
        if isinstance(high, int):
            previous_to = high
    return problems


class StageWeight(models.Model):
    """A criterion's weight for entries at one development stage, overriding its default weight."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="stage_weights")
    stage = models.CharField(_("development stage"), max_length=20, choices=Application.Stage.choices)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["criterion", "stage"], name="stage_weight_unique"),
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="stage_weight_non_negative"),
        ]

"""Rubrics: the criteria of an edition or category, and their weights per development stage."""

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
                                    condition=models.Q(category__isnull=False)),
            models.UniqueConstraint(fields=["edition"], name="rubric_unique_edition_default",
                                    condition=models.Q(category__isnull=True)),
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

"""A judge's review of an assigned entry and its score per criterion."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .rounds import Assignment
from .rubrics import Criterion


class Review(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="review")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    committee_comment = models.TextField(_("comment for the committee"), blank=True)
    applicant_comment = models.TextField(_("comment for the applicant (optional)"), blank=True)
    confidence = models.PositiveSmallIntegerField(_("confidence"), null=True, blank=True,
                                                  help_text=_("1 (low) to 5 (expert)."))
    weighted_total = models.FloatField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Counts the saves: a form carries the version it was loaded at, and a save from an older one is refused
    # (judging.services.scoring), so one tab never silently overwrites another's.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confidence__isnull=True) | models.Q(confidence__gte=1, confidence__lte=5),
                name="review_confidence_range",
            )
        ]

    def __str__(self) -> str:
        return f"Review of {self.assignment}"


class CriterionScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="criterion_score_unique")]

"""Judges of an edition, their bids and their conflicts of interest."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from portal.models import Edition, Organisation
from submissions.models import Application, Category


class JudgeProfile(models.Model):
    """A steering-committee judge in one edition: what they know, where they come from, how much they take."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="judges")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="judge_profiles")
    country = CountryField(_("country"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), default=20, help_text=_("Most entries this judge scores."))
    expertise = models.ManyToManyField(Category, blank=True, related_name="expert_judges", verbose_name=_("expertise"))
    affiliations = models.ManyToManyField(
        Organisation, blank=True, related_name="affiliated_judges", verbose_name=_("affiliations"),
        help_text=_("Organisations the judge works for or with: never assigned their entries."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("judge")
        verbose_name_plural = _("judges")
        ordering = ["edition", "user__email"]
        constraints = [models.UniqueConstraint(fields=["edition", "user"], name="judge_unique_per_edition")]

    def __str__(self) -> str:
        return f"{self.user} · {self.edition}"


class Bid(models.Model):
    """A judge's preference for an entry or a whole category, as reviewers bid in HotCRP."""

    class Level(models.TextChoices):
        EAGER = "eager", _("Eager")
        WILLING = "willing", _("Willing")
        NOT_WILLING = "not_willing", _("Not willing")
        CONFLICT = "conflict", _("Conflict")

    judge = models.ForeignKey(JudgeProfile, on_delete=models.CASCADE, related_name="bids")
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.CASCADE, related_name="bids")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="bids")
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(application__isnull=False, category__isnull=True)
                           | models.Q(application__isnull=True, category__isnull=False)),
                name="bid_on_entry_or_category",
            ),
            models.UniqueConstraint(fields=["judge", "application"], name="bid_unique_entry",
                                    condition=models.Q(application__isnull=False)),
            models.UniqueConstraint(fields=["judge", "category"], name="bid_unique_category",
                                    condition=models.Q(category__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.judge} · {self.application or self.category} · {self.level}"


class Conflict(models.Model):
    """A declared or recorded conflict of interest. Automatic ones (organisation, country) are derived, not stored."""

    class Source(models.TextChoices):
        DECLARED = "declared", _("Declared by the judge")
        SECRETARIAT = "secretariat", _("Recorded by the secretariat")

    judge = models.ForeignKey(JudgeProfile, on_delete=models.CASCADE, related_name="conflicts")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="conflicts")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [models.UniqueConstraint(fields=["judge", "application"], name="conflict_unique_pair")]

    def __str__(self) -> str:
        return f"{self.judge} ✕ {self.application}"

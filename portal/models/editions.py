"""Editions (one year's call of a programme) and the roles people hold in them."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone, e.g. Asia/Seoul."), params={"value": value})


class Edition(models.Model):
    """One year's call of an award programme; everything that differs between programmes is data here."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for applications")
        CLOSED = "closed", _("Closed")
        SCREENING = "screening", _("Screening")
        JUDGING = "judging", _("Judging")
        DELIBERATION = "deliberation", _("Deliberation")
        FINALISED = "finalised", _("Finalised")
        PUBLISHED = "published", _("Published")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    programme = models.CharField(_("programme"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    conflict_same_country = models.BooleanField(
        _("judges never score entries from their own country"), default=False,
    )
    # Awards (issue 9): how ties are broken when the committee asks, what is published, and when the edition
    # was locked and published. Only portal.services.editions writes the two time stamps, with the state.
    class TieBreak(models.TextChoices):
        CHAIR = "chair", _("The chair's casting decision")
        CRITERION = "criterion", _("The higher score on a named criterion")

    tie_break = models.CharField(_("tie-break rule"), max_length=20, choices=TieBreak.choices, default=TieBreak.CHAIR)
    tie_break_criterion = models.CharField(
        _("tie-break criterion"), max_length=200, blank=True,
        help_text=_("The criterion's name, when ties are broken by a criterion."),
    )
    publish_scores = models.BooleanField(
        _("publish scores"), default=False, help_text=_("The public results show each winner's corrected score."),
    )
    publish_dataset = models.BooleanField(
        _("publish a verifiable dataset"), default=False,
        help_text=_("With the results, an anonymised dataset from which anyone can recompute the ranking."),
    )
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Data protection (issue 14): so many days after publication, the drafts and files of entries that won
    # nothing are removed (submissions.services.data_protection, run by beat). Empty: kept.
    retention_days = models.PositiveIntegerField(
        _("retention period (days after publication)"), null=True, blank=True,
        help_text=_("After this many days from publication, drafts and files of applications that won nothing "
                    "are removed. Leave empty to keep them."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["-opens_at"]
        # The table keeps the name it had when editions lived in submissions (the model moved, the data did not).
        db_table = "submissions_edition"
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="edition_closes_after_opening")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The closing time must come after the opening time.")})

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def is_accepting(self, now=None) -> bool:
        """Deadlines are compared on the server, in UTC."""
        now = now or timezone.now()
        return self.state == self.State.OPEN and self.opens_at <= now < self.closes_at


class EditionRole(models.Model):
    """A person's role in one edition; one person may hold several, in different editions."""

    class Role(models.TextChoices):
        SECRETARIAT = "secretariat", _("Secretariat")
        JUDGE = "judge", _("Judge")
        CHAIR = "chair", _("Chair")
        OBSERVER = "observer", _("Observer")
        COMMITTEE = "committee", _("Committee member")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="edition_roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("edition role")
        verbose_name_plural = _("edition roles")
        ordering = ["edition", "role", "user"]
        constraints = [models.UniqueConstraint(fields=["edition", "user", "role"], name="edition_role_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.edition}"

"""Organisations, their members, and owners' invitations of colleagues."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class Organisation(models.Model):
    class Kind(models.TextChoices):
        CITY = "city", _("City or district")
        COMPANY = "company", _("Company")
        INSTITUTE = "institute", _("Institute")
        NGO = "ngo", _("NGO")

    class PopulationBand(models.TextChoices):
        # Bands let small cities be compared with their peers (DESIGN.md, Seoul criteria).
        UNDER_100K = "lt100k", _("under 100,000")
        FROM_100K = "100k-1m", _("100,000 to 1 million")
        FROM_1M = "1m-5m", _("1 to 5 million")
        OVER_5M = "gt5m", _("over 5 million")
        NOT_APPLICABLE = "na", _("not applicable")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=120, blank=True)
    population_band = models.CharField(
        _("population band"), max_length=10, choices=PopulationBand.choices, default=PopulationBand.NOT_APPLICABLE
    )
    website = models.URLField(_("website"), blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="organisations")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "country"], name="organisation_unique_name_country")]

    def __str__(self) -> str:
        return f"{self.name} ({self.country.code})"


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} ({self.role})"


class Invitation(models.Model):
    """An organisation owner's invitation of a colleague, by e-mail, to join the organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        # The table keeps the name it had when invitations lived in submissions.
        db_table = "submissions_invitation"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

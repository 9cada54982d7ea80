from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person. E-mail is the login from the first migration on; there is no username."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("full name"), max_length=200, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name or self.email


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


class EditionRole(models.Model):
    """A person's role in one edition; one person may hold several, in different editions."""

    class Role(models.TextChoices):
        SECRETARIAT = "secretariat", _("Secretariat")
        JUDGE = "judge", _("Judge")
        CHAIR = "chair", _("Chair")
        OBSERVER = "observer", _("Observer")

    edition = models.ForeignKey("submissions.Edition", on_delete=models.CASCADE, related_name="roles")
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


class AuditEntry(models.Model):
    """Who changed what, when, with the values before and after. Written only by `portal.services.audit_log`."""

    edition = models.ForeignKey(
        "submissions.Edition", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(_("target"), max_length=300, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["edition", "-created_at"]), models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        when = f"{self.created_at:%Y-%m-%d %H:%M}" if self.created_at else "(unsaved)"
        return f"{when} {self.actor or '-'} {self.action} {self.target_repr}"

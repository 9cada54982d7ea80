import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from portal.models import Edition, Organisation


class Category(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    allowed_kinds = models.JSONField(
        _("organisation kinds admitted"),
        default=list,
        blank=True,
        help_text=_("Leave empty to admit every kind of organisation."),
    )
    max_entries_per_organisation = models.PositiveSmallIntegerField(_("entries per organisation"), default=1)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["edition", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["edition", "slug"], name="category_unique_slug")]

    def __str__(self) -> str:
        return f"{self.name} · {self.edition}"

    def clean(self) -> None:
        unknown = set(self.allowed_kinds or []) - set(Organisation.Kind.values)
        if unknown:
            raise ValidationError({"allowed_kinds": _("Unknown organisation kinds: %s") % ", ".join(sorted(unknown))})

    def admits(self, kind: str) -> bool:
        return not self.allowed_kinds or kind in self.allowed_kinds


def public_image_upload_to(instance: "Application", filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"public-images/{instance.edition_id}/{instance.pk}/{uuid.uuid4().hex}{suffix}"


class Application(models.Model):
    """An organisation's entry into one category of an edition. Only services change `status`."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ELIGIBLE = "eligible", _("Eligible")
        INELIGIBLE = "ineligible", _("Ineligible")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        # Nothing after screening is a status: the shortlist and the awards are judging's records.

    class Stage(models.TextChoices):
        CONCEPT = "concept", _("Concept")
        PILOT = "pilot", _("Pilot")
        IMPLEMENTED = "implemented", _("Implemented")
        SCALED = "scaled", _("Scaled")

    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="applications")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="applications")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="created_applications"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)

    title = models.CharField(_("title"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    problem = models.TextField(_("problem"), blank=True)
    solution = models.TextField(_("solution"), blank=True)
    impact_evidence = models.TextField(_("evidence of impact"), blank=True)
    inclusiveness = models.TextField(_("inclusiveness"), blank=True)
    scalability = models.TextField(_("scalability"), blank=True)
    stage = models.CharField(_("development stage"), max_length=20, choices=Stage.choices, blank=True)
    budget_usd = models.PositiveBigIntegerField(_("budget (US dollars)"), null=True, blank=True)
    resources = models.TextField(_("budget and resources"), blank=True)
    partners = models.TextField(_("partners"), blank=True)
    links = models.TextField(_("links"), blank=True, help_text=_("One web address per line."))

    screening_reason = models.TextField(_("screening reason"), blank=True)
    # Issue 9: an image the public pages may show if the entry wins, only with the applicant's consent.
    # Stored privately like every applicant file; judging.views.public streams it for awarded entries only.
    public_image = models.FileField(_("public image"), upload_to=public_image_upload_to, blank=True, max_length=300)
    public_image_consent = models.BooleanField(
        _("This image may be shown publicly if we win"), default=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Counts the saves of the draft's content: the edit page carries the version it was loaded at, and a save
    # from an older one is refused (submissions.services.applications), so a colleague's save is never lost.
    version = models.PositiveIntegerField(default=0)

    # The fixed fields an applicant edits; the snapshot copies exactly these, and the edition's questions' answers
    # (submissions.models.questions). The eight text columns below them held the fixed sections before the form
    # builder; migration 0010 copied them into answers, and nothing reads or writes them since.
    CONTENT_FIELDS = ("title", "stage", "budget_usd", "links")
    LEGACY_SECTION_FIELDS = (
        "summary", "problem", "solution", "impact_evidence", "inclusiveness", "scalability", "resources", "partners",
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["edition", "status"]),
            # The screening list's default order (by number): a page of it reads 50 rows of this index.
            models.Index(fields=["edition", "id"], name="application_screening_order",
                         condition=~models.Q(status="draft")),
            models.Index(fields=["organisation", "edition"]),
        ]

    def __str__(self) -> str:
        return self.title or _("Untitled application #%(id)s") % {"id": self.pk}

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class ApplicationSnapshot(models.Model):
    """What was submitted, frozen: what the judges see. Written once by `application_submit`, never changed."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="snapshots")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("submitted snapshot")
        verbose_name_plural = _("submitted snapshots")
        ordering = ["application", "-number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="snapshot_unique_number")]

    def __str__(self) -> str:
        return f"{self.application} · #{self.number}"


def attachment_upload_to(instance: "Attachment", filename: str) -> str:
    # A clean, unguessable stored name; the applicant's name is kept only as data.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"applications/{instance.application.edition_id}/{instance.application_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_upload_to, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Removing an attachment from a reopened draft hides it; the file stays, as submitted snapshots may name it.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["application", "created_at"]

    def __str__(self) -> str:
        return self.original_name


class StatusChange(models.Model):
    """An application's status over time, for the applicant's dashboard and the screening list."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Application.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Application.Status.choices)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status or '-'} → {self.to_status}"



class ScreeningCountry(models.Model):
    """A country that at least one submitted (not draft) application of the edition comes from: the screening list's
    country filter reads these few rows instead of every application. Kept by submissions/services/
    screening_countries.py whenever an application enters or leaves the list."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+")
    country = CountryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["edition", "country"], name="screening_country_unique")]

from .questions import RESERVED_KEYS, Answer, Question  # noqa: E402  (the form builder's models)

__all__ = [
    "RESERVED_KEYS", "Answer", "Application", "ApplicationSnapshot", "Attachment", "Category",
    "Question", "ScreeningCountry", "StatusChange",
]

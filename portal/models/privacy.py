"""Data protection (issue 14): an edition's consent text and who accepted which version of it, and a person's
request to have their account deleted.

A consent text is versioned: once someone has accepted a version, a change of the text makes a new version (the
old one and its acceptances stay as they were); before that, the text is corrected in place. Only
`portal.services.privacy` writes these rows.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentText(models.Model):
    """One version of the data-protection text an applicant accepts before submitting to an edition."""

    edition = models.ForeignKey("portal.Edition", on_delete=models.CASCADE, related_name="consent_texts")
    version = models.PositiveIntegerField(_("version"))
    # Translated (portal/translation.py): text_en and text_ko. Both empty: the edition asks for no consent.
    text = models.TextField(_("consent text"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["edition", "-version"]
        constraints = [models.UniqueConstraint(fields=["edition", "version"], name="consent_text_unique_version")]

    def __str__(self) -> str:
        return f"{self.edition} · consent v{self.version}"

    @property
    def is_empty(self) -> bool:
        return not any((getattr(self, f"text_{code}", "") or "").strip() for code in ("en", "ko"))


class ConsentAcceptance(models.Model):
    """Who accepted which version of an edition's consent text, when, and for which application."""

    consent = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="acceptances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents")
    application = models.ForeignKey("submissions.Application", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="consents")
    language = models.CharField(_("language"), max_length=10, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent acceptance")
        verbose_name_plural = _("consent acceptances")
        ordering = ["-accepted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} accepted {self.consent}"


class DeletionRequest(models.Model):
    """A person's request that their account be deleted; the secretariat (or a superuser) approves or refuses it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved: the account was anonymised")
        REFUSED = "refused", _("Refused")
        CANCELLED = "cancelled", _("Cancelled by the person")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deletion_requests")
    reason = models.TextField(_("reason (optional)"), blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PENDING)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note on the decision"), blank=True)

    class Meta:
        verbose_name = _("deletion request")
        verbose_name_plural = _("deletion requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One open request per person: asking twice is the same request.
            models.UniqueConstraint(fields=["user"], condition=models.Q(state="pending"),
                                    name="deletion_request_one_pending"),
        ]

    def __str__(self) -> str:
        return f"deletion request #{self.pk} ({self.state})"

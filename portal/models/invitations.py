"""The secretariat's invitations of people to a role in an edition (judges, committee, chair, observers)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .editions import Edition, EditionRole


class RoleInvitation(models.Model):
    """An e-mailed link that gives one address one role in one edition, once, before it expires.

    Pending until accepted, revoked or expired; only `portal.services.role_invitations` writes it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="role_invitations")
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=EditionRole.Role.choices)
    language = models.CharField(_("language of the e-mail"), max_length=10, choices=settings.LANGUAGES)
    message = models.TextField(_("message"), blank=True, max_length=2000)
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("role invitation")
        verbose_name_plural = _("role invitations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["edition", "email"])]

    def __str__(self) -> str:
        return f"{self.email} · {self.get_role_display()} · {self.edition}"

    def status(self, now=None) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def is_pending(self) -> bool:
        return self.status() == self.Status.PENDING

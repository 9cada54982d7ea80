"""Mail to a group: the edition's mail templates, each mail sent to a group, and its recipients.

A GroupMail is what the secretariat sent: to whom (the group's criteria, and one GroupMailRecipient per person and,
for applicants, per application), with which words (the template's subject and body in English and Korean, copied
when it was sent). Its recipients are fixed when it is sent; the task writes each one's e-mail to the outbox
(worker.OutboxMessage, keyed by the recipient, so each is written once) and the outbox sends it and records a
failure, which the mail's page shows per recipient with a retry.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Edition
from submissions.models import Application


class MailTemplate(models.Model):
    """Words the secretariat reuses, per edition, in English and Korean, with placeholders such as {name}."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="mail_templates")
    name = models.CharField(_("name"), max_length=200)
    subject_en = models.CharField(_("subject (English)"), max_length=300, blank=True)
    subject_ko = models.CharField(_("subject (Korean)"), max_length=300, blank=True)
    body_en = models.TextField(_("body (English)"), blank=True)
    body_ko = models.TextField(_("body (Korean)"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mail template")
        verbose_name_plural = _("mail templates")
        ordering = ["edition", "name"]
        constraints = [models.UniqueConstraint(fields=["edition", "name"], name="mail_template_unique_name")]

    def __str__(self) -> str:
        return self.name


class GroupMail(models.Model):
    """One mail to a group of an edition, as it was sent; written by judging.services.group_mail only."""

    class Audience(models.TextChoices):
        APPLICANTS = "applicants", _("Applicants")
        JUDGES = "judges", _("Judges")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Writing the e-mails")
        SUCCEEDED = "succeeded", _("Every e-mail handed to the outbox")
        FAILED = "failed", _("Failed")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="group_mails")
    template = models.ForeignKey(MailTemplate, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="group_mails")
    # The compose page's one-time token: the same form sent twice (a double click) makes one mail.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    criteria = models.JSONField(_("group"), default=dict, blank=True)
    subject_en = models.CharField(max_length=300, blank=True)
    subject_ko = models.CharField(max_length=300, blank=True)
    body_en = models.TextField(blank=True)
    body_ko = models.TextField(blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("group mail")
        verbose_name_plural = _("group mails")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["edition", "-created_at"], name="group_mail_edition_newest")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject_en or self.subject_ko}"

    def text(self, language: str) -> tuple[str, str]:
        """(subject, body) in `language`, else in the other language when that one is empty."""
        other = "ko" if language == "en" else "en"
        subject = getattr(self, f"subject_{language}", "") or getattr(self, f"subject_{other}")
        body = getattr(self, f"body_{language}", "") or getattr(self, f"body_{other}")
        return subject, body


class GroupMailRecipient(models.Model):
    """One person the mail goes to (for applicants: one member of an applying organisation, per application)."""

    group_mail = models.ForeignKey(GroupMail, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10)
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The e-mail written to the outbox for this recipient (its state is the delivery's); empty until written.
    outbox_message = models.ForeignKey("worker.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    written_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("group mail recipient")
        verbose_name_plural = _("group mail recipients")
        ordering = ["group_mail", "email", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["group_mail", "email", "application"],
                                    name="group_mail_recipient_unique"),
            models.UniqueConstraint(fields=["group_mail", "email"], condition=models.Q(application__isnull=True),
                                    name="group_mail_recipient_unique_person"),
        ]

    def __str__(self) -> str:
        return f"{self.email} · {self.group_mail}"

"""An applicant's files: added to and removed from a draft while the call is open."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import User
from portal.services.audit import audit_log
from submissions.attachments import MAX_ATTACHMENTS_PER_APPLICATION, check_upload
from submissions.models import Application, Attachment

from .applications import ensure_call_open
from .status import Status, application_lock


@transaction.atomic
def attachment_add(*, application: Application, user: User, upload) -> Attachment:
    application = application_lock(application)
    ensure_call_open(application.edition)
    if application.status != Status.DRAFT:
        raise ValidationError(_("This application has been submitted. Reopen it to change its files."))
    if application.attachments.filter(removed_at__isnull=True).count() >= MAX_ATTACHMENTS_PER_APPLICATION:
        raise ValidationError(_("An application may have at most %(n)s files.") % {"n": MAX_ATTACHMENTS_PER_APPLICATION})
    checked = check_upload(upload)
    original_name = (upload.name or "file").replace("/", "_").replace("\\", "_")[-255:]
    attachment = Attachment(
        application=application, original_name=original_name, content_type=checked.content_type,
        size=checked.size, pages=checked.pages, uploaded_by=user,
    )
    # The stored name comes from upload_to (random); the extension follows the detected type.
    attachment.file.save(f"upload{checked.extension}", upload, save=False)
    attachment.save()
    audit_log(actor=user, action="attachment.add", target=attachment, edition_id=application.edition_id,
              after={"name": original_name, "size": checked.size, "type": checked.content_type})
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, user: User) -> None:
    application = application_lock(attachment.application)
    ensure_call_open(application.edition)
    if application.status != Status.DRAFT:
        raise ValidationError(_("This application has been submitted. Reopen it to change its files."))
    attachment.removed_at = timezone.now()
    attachment.save(update_fields=["removed_at"])
    audit_log(actor=user, action="attachment.remove", target=attachment, edition_id=application.edition_id,
              before={"name": attachment.original_name})

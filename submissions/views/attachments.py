"""An application's files once attached: removing one (its members), downloading one (members and the edition's staff).

Uploads go with the draft's form (applicant.py). Files are private: a download streams the file
from the private folder, or redirects to a signed, expiring S3 URL.
"""

from operator import attrgetter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from .. import services
from ..models import Attachment
from .applicant import _edit_page, _save_changes
from .loaders import EDIT, VIEW, application_permission_required, load_attachment, load_current_attachment


@application_permission_required(
    EDIT, load=load_current_attachment, on=attrgetter("application"),
    refusal=_lazy("Only members of the organisation that owns this application can change its files."),
)
@require_POST
def attachment_remove(request, attachment: Attachment):
    application = attachment.application
    form, _upload_form, ok = _save_changes(request, application, with_upload=False)
    if not ok:
        return _edit_page(request, application, form=form)
    try:
        services.attachment_remove(attachment=attachment, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("“%(name)s” removed.") % {"name": attachment.original_name})
    return redirect(reverse("submissions:application_edit", args=[application.pk]) + "#attachments")


def _serves_signed_urls(storage) -> bool:
    # Only S3 hands out signed, expiring URLs; the local private folder has no URL at all.
    from storages.backends.s3 import S3Storage

    return isinstance(storage, S3Storage)


@application_permission_required(
    VIEW, load=load_attachment, on=attrgetter("application"),
    refusal=_lazy("Only members of the organisation that owns this file, and the edition's secretariat, can "
                  "download it."),
)
def attachment_download(request, attachment: Attachment):
    storage = attachment.file.storage
    if _serves_signed_urls(storage):
        return redirect(storage.url(attachment.file.name, parameters={
            "ResponseContentDisposition": content_disposition_header(True, attachment.original_name),
            "ResponseContentType": attachment.content_type,
        }))
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

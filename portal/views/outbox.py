"""The edition's outbox: the tasks and e-mails not done yet, why they wait or failed, and "Try again"."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.formatting import local_time
from worker.models import OutboxMessage
from worker.selectors import edition_outbox, edition_outbox_counts, task_label
from worker.services import message_retry

from ..access import edition_permission_required

OUTBOX_PAGE_SIZE = 50


@edition_permission_required("portal.view_outbox")
def edition_outbox_page(request, edition):
    """The secretariat sees what has not gone out and tries it again; the chair and observers read it."""
    page = Paginator(edition_outbox(edition=edition), OUTBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{
        "message": message,
        "what": message.subject if message.kind == OutboxMessage.Kind.EMAIL else task_label(message.task_name),
        "created": local_time(message.created_at, edition=edition),
        "next_attempt": local_time(message.next_attempt_at, edition=edition),
        "can_retry": message.state in (OutboxMessage.State.FAILED, OutboxMessage.State.PENDING),
    } for message in page.object_list]
    return render(request, "portal/outbox.html", {
        "edition": edition, "page": page, "rows": rows, "counts": edition_outbox_counts(edition=edition),
        "can_retry": request.user.has_perm("portal.retry_outbox", edition),
    })


@require_POST
@edition_permission_required("portal.retry_outbox")
def edition_outbox_retry(request, edition, pk: int):
    message = OutboxMessage.objects.filter(pk=pk, edition=edition).first()
    if message is None:
        raise Http404
    try:
        message_retry(message=message, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Sent again: %(what)s.") % {
            "what": message.recipient if message.kind == OutboxMessage.Kind.EMAIL else task_label(message.task_name)})
    return redirect("portal:edition_outbox", edition.slug)

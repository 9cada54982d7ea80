"""Mail to a group: compose (filter, template, a preview stepping through the recipients in each one's language),
the log of mails sent, and a mail's page with each recipient's state and a retry of failed e-mails.

The secretariat composes and sends (`judging.send_group_mail`); the chair and the observers read the log
(`judging.view_group_mail`); judges and applicants never reach these pages. Every mail and recipient is looked up
within the edition of the URL: another edition's answers 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import edition_permission_required
from portal.models import Edition
from portal.progress import JobProgress, job_progress_response
from portal.service_errors import add_service_errors, run_service

from ..forms.group_mail import GroupMailForm
from ..models import GroupMail, GroupMailRecipient
from ..selectors import group_mail as selectors
from ..services import group_mail as services
from ..services.group_mail_texts import render_for, text_errors
from .group_mail_display import describe_group, recipient_rows

VIEW, SEND = "judging.view_group_mail", "judging.send_group_mail"
LOG_PAGE_SIZE = 25
RECIPIENT_PAGE_SIZE = 50
LISTED_RECIPIENTS = 100  # the compose page lists this many of the group


def _mail(edition, mail_id: int) -> GroupMail:
    return get_object_or_404(GroupMail.objects.select_related("created_by", "template"), pk=mail_id, edition=edition)


def _progress(request, edition: Edition, mail: GroupMail) -> JobProgress:
    failed = mail.state == GroupMail.State.FAILED
    can_retry = failed and request.user.has_perm(SEND, edition)
    return JobProgress(
        dom_id=f"group-mail-{mail.pk}", label=_("E-mails written to the outbox"),
        url=reverse("judging:group_mail_progress", args=[edition.slug, mail.pk]),
        progress=mail.progress, state=mail.state, state_label=mail.get_state_display(),
        finished=mail.state in (GroupMail.State.SUCCEEDED, GroupMail.State.FAILED),
        error=mail.error if failed else "", queued_at=mail.created_at,
        retry_url=reverse("judging:group_mail_retry", args=[edition.slug, mail.pk]) if can_retry else "",
    )


# --- compose --------------------------------------------------------------------------------------------------


def _preview(request, edition, form: GroupMailForm) -> dict:
    """The group and one recipient's e-mail as they will read it; the template's problems go on the form."""
    criteria = form.criteria()
    template = form.cleaned_data["template"]
    problems = text_errors({name: getattr(template, name) for name in
                            ("subject_en", "subject_ko", "body_en", "body_ko")}, audience=criteria.audience)
    if problems:
        form.add_error("template", [message for field_messages in problems.values() for message in field_messages])
        return {}
    members = selectors.group_members(edition=edition, criteria=criteria)
    if not members:
        return {"members": [], "count": 0}
    try:
        at = min(max(int(request.GET.get("at", 0)), 0), len(members) - 1)
    except ValueError:
        at = 0
    judging_round = form.cleaned_data["round"]
    member = members[at]
    try:
        language, subject, body = render_for(member, texts=template, edition=edition, audience=criteria.audience,
                                             judging_round=judging_round)
    except ValidationError as error:
        add_service_errors(form, error, field="template")
        return {}
    query = [(name, value) for name, values in request.GET.lists() if name != "at" for value in values]
    step = "?" + urlencode(query) + "&at="
    return {
        "members": members[:LISTED_RECIPIENTS], "count": len(members), "at": at, "member": member,
        "language": language, "subject": subject, "body": body, "hidden": query,
        "previous_url": step + str(at - 1) if at > 0 else "",
        "next_url": step + str(at + 1) if at + 1 < len(members) else "",
    }


def _compose_page(request, edition, form, *, preview=None, status=200):
    return render(request, "judging/group_mail/compose.html", {
        "edition": edition, "form": form, "preview": preview or {},
        "has_templates": form.fields["template"].queryset.exists(),
    }, status=status)


@edition_permission_required(SEND)
def group_mail_compose(request, edition):
    """GET without a filter: the empty form. GET with one: the group and a preview. POST: send."""
    if request.method == "POST":
        form = GroupMailForm(request.POST, edition=edition)
        if form.is_valid():
            try:
                mail, created = services.group_mail_start(
                    edition=edition, template=form.cleaned_data["template"], criteria=form.criteria(),
                    token=form.cleaned_data["token"], user=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if created:
                    messages.success(request, _("The mail is on its way to %(count)s recipients.")
                                     % {"count": mail.total})
                else:
                    messages.info(request, _("This mail was sent already (the form was sent twice): nobody gets "
                                             "it twice."))
                return redirect("judging:group_mail_detail", edition.slug, mail.pk)
        return _compose_page(request, edition, form, status=400)
    if "audience" not in request.GET:
        return _compose_page(request, edition, GroupMailForm(edition=edition))
    form = GroupMailForm(request.GET, edition=edition)
    preview = _preview(request, edition, form) if form.is_valid() else {}
    return _compose_page(request, edition, form, preview=preview, status=200 if form.is_valid() else 400)


# --- the log and a mail's page --------------------------------------------------------------------------------


@edition_permission_required(VIEW)
def group_mail_list(request, edition):
    page = Paginator(selectors.edition_group_mails(edition=edition), LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    labels = selectors.criteria_labels(edition=edition)
    rows = [{"mail": mail, "group": describe_group(mail.criteria, labels)} for mail in page.object_list]
    return render(request, "judging/group_mail/list.html", {
        "edition": edition, "page": page, "rows": rows, "can_send": request.user.has_perm(SEND, edition),
    })


@edition_permission_required(VIEW)
def group_mail_detail(request, edition, mail_id: int):
    mail = _mail(edition, mail_id)
    failed_only = request.GET.get("failed") == "1"
    recipients = selectors.group_mail_recipients(group_mail=mail, failed_only=failed_only)
    page = Paginator(recipients, RECIPIENT_PAGE_SIZE).get_page(request.GET.get("page"))
    can_send = request.user.has_perm(SEND, edition)
    return render(request, "judging/group_mail/detail.html", {
        "edition": edition, "mail": mail, "page": page, "rows": recipient_rows(page.object_list, edition=edition),
        "counts": selectors.group_mail_counts(group_mail=mail), "failed_only": failed_only,
        "query": "failed=1" if failed_only else "",
        "group": describe_group(mail.criteria, selectors.criteria_labels(edition=edition)),
        "job": _progress(request, edition, mail), "can_send": can_send,
        "active": mail.state in (GroupMail.State.PENDING, GroupMail.State.RUNNING),
    })


@edition_permission_required(VIEW)
def group_mail_progress(request, edition, mail_id: int):
    return job_progress_response(request, _progress(request, edition, _mail(edition, mail_id)))


@edition_permission_required(SEND)
@require_POST
def group_mail_retry(request, edition, mail_id: int):
    mail = _mail(edition, mail_id)
    run_service(request, lambda: services.group_mail_retry(mail=mail, user=request.user),
                success=_("The mail is queued again; nobody already written to gets it twice."))
    return redirect("judging:group_mail_detail", edition.slug, mail.pk)


@edition_permission_required(SEND)
@require_POST
def group_mail_recipient_retry(request, edition, mail_id: int, recipient_id: int):
    mail = _mail(edition, mail_id)
    recipient = get_object_or_404(GroupMailRecipient.objects.select_related("outbox_message"), pk=recipient_id,
                                  group_mail=mail)
    run_service(request, lambda: services.group_mail_recipient_retry(recipient=recipient, user=request.user),
                success=_("Sent again to %(email)s.") % {"email": recipient.email})
    return redirect("judging:group_mail_detail", edition.slug, mail.pk)

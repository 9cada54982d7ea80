"""The applicant's pages: start a draft, edit and autosave it, attach files, submit, reopen, withdraw.

Views parse input, call one service per change and show its result; the services decide what is
allowed. Every page checks the user's right to the application first, so another organisation's
id in the URL gets a 403 page that shows nothing of it. Removing and downloading files: attachments.py;
invitations to an organisation: invitations.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from judging.selectors.public import applicant_decisions_prefetch
from portal.concurrency import EditedMeanwhile, loaded_version
from portal.models import Edition, Organisation
from portal.service_errors import add_service_errors
from portal.services.privacy import consent_current

from .. import selectors, services
from ..attachments import ALLOWED_TYPES
from ..forms.applicant import (
    ApplicationDraftForm,
    ApplyForm,
    AttachmentForm,
    WithdrawForm,
)
from ..models import Application, Attachment, Category
from .content import content_values, draft_content, presented
from .loaders import EDIT, VIEW, application_permission_required

APPLICATIONS_PAGE_SIZE = 25


# --- helpers -------------------------------------------------------------------------------------------

def _call_refusal(edition: Edition) -> str | None:
    """Why the call takes no changes now, or None while it is open."""
    try:
        services.ensure_call_open(edition)
    except ValidationError as error:
        return error.messages[0]
    return None


def _render(request, template: str, context: dict):
    # `now` lets the deadline partial count down from the server's clock.
    return render(request, f"submissions/applicant/{template}", {"now": timezone.now(), **context})


def _questions(application: Application):
    return selectors.application_questions(application=application)


def _bound_to_saved(application: Application) -> ApplicationDraftForm:
    """A form holding the saved draft, so that submission errors can be shown beside its fields."""
    data = {name: "" if value is None else value for name, value in content_values(application).items()}
    form = ApplicationDraftForm(data=data, questions=_questions(application))
    form.is_valid()
    return form


def _save_changes(request, application: Application, *, with_upload: bool = True,
                  upload_required: bool = False) -> tuple[ApplicationDraftForm | None, AttachmentForm | None, bool]:
    """Save what a POST of the edit form carries: its text fields, then the chosen file.

    Every button of the edit page posts the whole form, so no action loses what was typed.
    Returns the bound forms (with errors beside their fields) and whether everything was saved.
    """
    form = ApplicationDraftForm(request.POST, request.FILES, questions=_questions(application))
    if form.posted_fields():
        form.is_valid()
        try:
            data = _with_files(request, application, form)
            services.application_save_draft(application=application, user=request.user, data=data,
                                            version=loaded_version(request.POST.get("version")))
        except EditedMeanwhile as stale:
            form.add_error(None, stale)
            form.saved_meanwhile = True  # the page shows the saved text beside the applicant's
            return form, None, False  # nothing saved; the page carries the new version, so saving again goes through
        except ValidationError as error:
            add_service_errors(form, error)
            if not hasattr(error, "error_dict"):
                return form, None, False  # refused as a whole (closed, submitted): the file would be refused too
    else:
        form = None  # e.g. the detail page's submit button: nothing typed to save
    upload_form = None
    if with_upload and (upload_required or request.FILES.get("file")):
        upload_form = AttachmentForm(request.POST, request.FILES)
        if upload_form.is_valid():
            try:
                attachment = services.attachment_add(
                    application=application, user=request.user, upload=upload_form.cleaned_data["file"]
                )
            except ValidationError as error:
                add_service_errors(upload_form, error, field="file")
            else:
                messages.success(request, _attachment_added_message(attachment))
    ok = not (form is not None and form.errors) and not (upload_form is not None and upload_form.errors)
    return form, upload_form, ok


def _with_files(request, application: Application, form: ApplicationDraftForm) -> dict:
    """The form's data to save, with each file answered kept as an attachment first (checked by its content) and
    the answer naming it. A refused file is reported beside its question and the rest is still saved."""
    data = form.draft_data()
    for key, value in list(data.items()):
        if not (hasattr(value, "read") and hasattr(value, "name")):
            continue
        try:
            attachment = services.attachment_add(application=application, user=request.user, upload=value)
        except ValidationError as error:
            add_service_errors(form, error, field=key)
            del data[key]
        else:
            data[key] = {"attachment_id": attachment.pk, "name": attachment.original_name, "size": attachment.size,
                         "content_type": attachment.content_type}
    return data


def _attachment_added_message(attachment: Attachment) -> str:
    values = {"name": attachment.original_name, "pages": attachment.pages}
    if attachment.pages:
        return ngettext("“%(name)s” attached (%(pages)s page).", "“%(name)s” attached (%(pages)s pages).",
                        attachment.pages) % values
    return _("“%(name)s” attached.") % values


def _with_type_labels(files) -> list[Attachment]:
    files = list(files)
    for attachment in files:
        # "PDF", "DOCX": the extension of the type found in the content, not of the name the file came with.
        attachment.type_label = ALLOWED_TYPES.get(attachment.content_type, attachment.content_type).lstrip(".").upper()
    return files


def _edit_page(request, application: Application, *, form=None, upload_form=None, submit_failed: bool = False):
    if request.method == "POST":
        # A service may have saved part of the POST on its own copy. A GET shows the row its request just loaded:
        # reloading it would only read it again, and its edition, category and organisation after it.
        application.refresh_from_db()
    if form is None:
        form = ApplicationDraftForm(initial=content_values(application), questions=_questions(application))
    return _render(request, "application_edit.html", {
        "application": application,
        "edition": application.edition,
        "form": form,
        "upload_form": upload_form or AttachmentForm(),
        "attachments": _with_type_labels(selectors.application_attachments(application=application)),
        "call_refusal": _call_refusal(application.edition),
        "submit_failed": submit_failed,
        # The version the page is loaded at: a save from it is refused once the draft was saved since, and the
        # page's script restores a local copy of unsaved text only onto the version it was made on.
        "version": application.version,
        "saved_differences": form.differences_from(content_values(application))
        if getattr(form, "saved_meanwhile", False) else [],
        "consent": consent_current(edition=application.edition),
    })



def _add_submission_errors(form: ApplicationDraftForm, application: Application) -> None:
    """Put what stops the saved draft from being submitted on `form`, beside its fields, without repeating one."""
    application.refresh_from_db()
    for field, field_messages in services.application_submission_errors(application).items():
        name = field if field in form.fields else None
        known = {str(message) for message in form.errors.get(name or "__all__", [])}
        for message in field_messages:
            if message not in known:
                form.add_error(name, message)


def _missing(application: Application, *, entry_limit: bool = True) -> list[str]:
    """Everything that stops `application` from being submitted. A list of many drafts leaves out the entry limit
    (a query each); one application's own pages include it."""
    if not application.is_editable:
        return []
    errors = services.application_submission_errors(application, entry_limit=entry_limit)
    return [message for messages_ in errors.values() for message in messages_]


# --- starting and listing ------------------------------------------------------------------------------

@login_required
def apply_start(request):
    organisations = request.user.organisations.order_by("name")
    if not organisations.exists():
        messages.info(request, _("Applications are made in an organisation's name. Create your organisation first, "
                                 "or ask its owner to invite you."))
        return redirect("portal:organisation_create")
    editions = list(selectors.open_editions())
    for edition in editions:
        for category in edition.categories.all():
            category.admitted_kinds = [Organisation.Kind(kind).label for kind in category.allowed_kinds or []
                                       if kind in Organisation.Kind.values]
    form = ApplyForm(
        request.POST or None,
        organisations=organisations,
        categories=Category.objects.filter(edition__state=Edition.State.OPEN),
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                user=request.user, organisation=form.cleaned_data["organisation"],
                category=form.cleaned_data["category"],
            )
        except ValidationError as error:
            # The kind and the entry limit are about the category chosen; the rest is about the call.
            field = "category" if getattr(error, "code", None) in ("kind", "limit") else None
            add_service_errors(form, error, field=field)
        else:
            messages.success(request, _("Draft started. It is saved as you type; submit it before the deadline."))
            return redirect("submissions:application_edit", pk=application.pk)
    return _render(request, "apply_start.html", {"form": form, "editions": editions})


@login_required
def my_applications(request):
    # Form sections come with their editions, so "what is missing" costs no query per row.
    applications = selectors.user_applications(user=request.user).prefetch_related(
        selectors.current_questions_prefetch("edition__"), selectors.answers_prefetch(),
        applicant_decisions_prefetch())
    page = Paginator(applications, APPLICATIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"application": application, "missing": _missing(application, entry_limit=False)} for application in page]
    return _render(request, "my_applications.html", {
        "page": page,
        "rows": rows,
        "has_organisation": request.user.organisations.exists(),
    })


# --- one application -----------------------------------------------------------------------------------

@application_permission_required(VIEW)
def application_detail(request, application: Application):
    snapshot = application.snapshots.select_related("submitted_by").first()
    return _render(request, "application_detail.html", {
        "application": application,
        "edition": application.edition,
        "can_edit": request.user.has_perm(EDIT, application),
        "history": application.status_changes.select_related("by"),
        "snapshot": snapshot,
        "snapshot_content": presented(snapshot.data, edition=application.edition, category=application.category)
        if snapshot else None,
        "missing": _missing(application),
        "call_refusal": _call_refusal(application.edition),
        "consent": consent_current(edition=application.edition) if application.is_editable else None,
    })


@application_permission_required(EDIT)
def application_edit(request, application: Application):
    if request.method != "POST":
        if not application.is_editable:
            messages.info(request, _("This application is %(status)s, so it cannot be edited. "
                                     "While the call is open you can reopen a submitted application.")
                          % {"status": application.get_status_display().lower()})
            return redirect("submissions:application_detail", pk=application.pk)
        return _edit_page(request, application)
    form, upload_form, ok = _save_changes(request, application)
    if not ok:
        return _edit_page(request, application, form=form, upload_form=upload_form)
    messages.success(request, _("Draft saved."))
    if request.POST.get("then") == "preview":
        return redirect("submissions:application_preview", pk=application.pk)
    return redirect("submissions:application_edit", pk=application.pk)


@application_permission_required(EDIT)
@require_POST
def application_autosave(request, application: Application):
    """Save the draft from the page's script; answers JSON {saved_at, errors}."""
    form = ApplicationDraftForm(request.POST, questions=_questions(application))
    form.is_valid()
    saved_at = version = None
    try:
        saved = services.application_save_draft(application=application, user=request.user, data=form.draft_data(),
                                                version=loaded_version(request.POST.get("version")))
    except EditedMeanwhile as stale:
        # Nothing saved: "Save draft" shows the saved text beside the applicant's, to compare.
        errors = {"__all__": [stale.messages[0]]}
        return JsonResponse({"saved_at": None, "errors": errors, "version": None, "stale": True}, status=409)
    except ValidationError as error:
        add_service_errors(form, error)
        status = 400  # nothing was saved
    else:
        saved_at, version = timezone.now().isoformat(), str(saved.version)
        status = 200  # saved; `errors` names the fields that could not be read, which kept their old value
    errors = {field: [str(message) for message in field_errors] for field, field_errors in form.errors.items()}
    return JsonResponse({"saved_at": saved_at, "errors": errors, "version": version}, status=status)


@application_permission_required(VIEW)
def application_preview(request, application: Application):
    return _render(request, "application_preview.html", {
        "application": application,
        "edition": application.edition,
        "content": draft_content(application),
        "can_edit": request.user.has_perm(EDIT, application),
        "missing": _missing(application),
    })


@application_permission_required(EDIT)
@require_POST
def application_submit(request, application: Application):
    # Saved even when the page loaded it as submitted: the service tells a double submit (same text) from a
    # colleague's different text, which is shown again instead of being dropped.
    form, upload_form, ok = _save_changes(request, application)
    if not ok and form is not None and form.has_error(NON_FIELD_ERRORS, "already_submitted"):
        # Submitted twice (a double click, two tabs, two colleagues) with the same text: one submission.
        messages.info(request, _("This application has already been submitted; nothing was changed."))
        return redirect("submissions:application_detail", pk=application.pk)
    if not ok:
        if _call_refusal(application.edition) is None:
            # Some input could not be saved; list what else stops submission too, so every problem shows at once.
            form = form or _bound_to_saved(application)
            _add_submission_errors(form, application)
        return _edit_page(request, application, form=form, upload_form=upload_form, submit_failed=True)
    try:
        submitted = services.application_submit(application=application, user=request.user,
                                                consent_version=loaded_version(request.POST.get("consent")))
    except ValidationError as error:
        if getattr(error, "code", None) == "already_submitted":
            messages.info(request, _("This application has already been submitted; nothing was changed."))
            return redirect("submissions:application_detail", pk=application.pk)
        if getattr(error, "code", None) == "not_draft":
            messages.error(request, error.messages[0])
            return redirect("submissions:application_detail", pk=application.pk)
        form = form or _bound_to_saved(application)
        add_service_errors(form, error)
        return _edit_page(request, application, form=form, upload_form=upload_form, submit_failed=True)
    messages.success(request, _("Application submitted (submission #%(number)s). A confirmation e-mail is on its way "
                                "to the members of %(organisation)s.")
                     % {"number": submitted.number, "organisation": application.organisation.name})
    return redirect("submissions:application_detail", pk=application.pk)


@application_permission_required(EDIT)
@require_http_methods(["GET", "POST"])
def application_reopen(request, application: Application):
    error = None
    if request.method == "POST":
        try:
            services.application_reopen(application=application, user=request.user)
        except ValidationError as refusal:
            error = refusal.messages[0]
        else:
            messages.success(request, _("The application is a draft again. Your earlier submission stays on record; "
                                        "submit again before the deadline."))
            return redirect("submissions:application_edit", pk=application.pk)
    return _render(request, "application_reopen.html", {
        "application": application, "edition": application.edition, "error": error,
        "call_refusal": _call_refusal(application.edition),
    })


@application_permission_required(EDIT)
@require_http_methods(["GET", "POST"])
def application_withdraw(request, application: Application):
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(application=application, user=request.user,
                                          reason=form.cleaned_data["reason"].strip())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The application has been withdrawn."))
            return redirect("submissions:application_detail", pk=application.pk)
    return _render(request, "application_withdraw.html", {
        "application": application, "edition": application.edition, "form": form,
        "call_refusal": _call_refusal(application.edition),
    })


# --- attachments ---------------------------------------------------------------------------------------

@application_permission_required(EDIT)
@require_POST
def attachment_upload(request, application: Application):
    form, upload_form, ok = _save_changes(request, application, upload_required=True)
    if not ok:
        return _edit_page(request, application, form=form, upload_form=upload_form)
    return redirect(reverse("submissions:application_edit", args=[application.pk]) + "#attachments")

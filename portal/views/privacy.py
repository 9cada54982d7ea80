"""Data protection pages (issue 14): a person's own data (export, consents, deletion request), and the deletion
requests the secretariat (or a superuser) decides.

A person reaches only their own data: no URL names another person's export. A decider sees the requests of
people whose organisations applied to an edition where they are the secretariat; any other request is a 404.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from ..access import mfa_setup_redirect, needs_mfa_setup
from ..models import ConsentAcceptance, DeletionRequest, Membership
from ..selectors import deletion_requests_for_decider
from ..service_errors import add_service_errors
from ..services import privacy as privacy_services


class DeletionRequestForm(forms.Form):
    reason = forms.CharField(label=_lazy("Reason (optional)"), required=False, max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(label=_lazy("I understand that my account will be anonymised and I will no longer "
                                             "be able to log in."))


class DeletionDecisionForm(forms.Form):
    DECISIONS = [("approve", _lazy("Approve: anonymise the account now")), ("refuse", _lazy("Refuse"))]
    decision = forms.ChoiceField(label=_lazy("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    note = forms.CharField(label=_lazy("Note the person reads (required to refuse)"), required=False,
                           max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


@login_required
def my_data(request):
    """The person's data protection page: export, consents given, deletion request."""
    user = request.user
    return render(request, "portal/privacy/my_data.html", {
        "consents": ConsentAcceptance.objects.filter(user=user).select_related("consent__edition", "application")
        .order_by("-accepted_at"),
        "requests": DeletionRequest.objects.filter(user=user).order_by("-requested_at"),
        "pending": DeletionRequest.objects.filter(user=user, state=DeletionRequest.State.PENDING).first(),
        "form": DeletionRequestForm(),
    })


@login_required
@require_POST
def my_data_export(request):
    """The person's data as a zip, written while it is sent (submissions.services.data_export)."""
    from submissions.services.data_export import export_start

    response = StreamingHttpResponse(export_start(person=request.user), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="my-data-{request.user.pk}.zip"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def deletion_request_create(request):
    form = DeletionRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/privacy/my_data.html", {
            "consents": ConsentAcceptance.objects.filter(user=request.user).select_related(
                "consent__edition", "application"),
            "requests": DeletionRequest.objects.filter(user=request.user),
            "pending": None, "form": form,
        }, status=400)
    privacy_services.deletion_request_create(user=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, _("Your request has been sent to the secretariat. You can cancel it until they "
                                "decide."))
    return redirect("portal:my_data")


@login_required
@require_POST
def deletion_request_cancel(request, pk: int):
    deletion_request = get_object_or_404(DeletionRequest, pk=pk, user=request.user)
    try:
        privacy_services.deletion_request_cancel(deletion_request=deletion_request, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your request was cancelled."))
    return redirect("portal:my_data")


def _decider_gate(request):
    """None when the user may read the decisions page, else the response to send (403 or MFA set-up)."""
    user = request.user
    if not user.is_active or not (user.is_superuser or privacy_services.deletion_deciders_editions(user=user).exists()):
        raise PermissionDenied(_("Only the secretariat of an edition decides on deletion requests."))
    if needs_mfa_setup(user):
        return mfa_setup_redirect(request)
    return None


@login_required
def deletion_requests(request):
    refusal = _decider_gate(request)
    if refusal is not None:
        return refusal
    rows = deletion_requests_for_decider(user=request.user)
    return render(request, "portal/privacy/deletion_requests.html", {
        "pending": [row for row in rows if row.state == DeletionRequest.State.PENDING],
        "decided": [row for row in rows if row.state != DeletionRequest.State.PENDING][:50],
    })


@login_required
@require_http_methods(["GET", "POST"])
def deletion_request_decide(request, pk: int):
    refusal = _decider_gate(request)
    if refusal is not None:
        return refusal
    deletion_request = next((row for row in deletion_requests_for_decider(user=request.user, pk=pk)), None)
    if deletion_request is None:
        raise Http404(_("No such request among those you decide."))
    form = DeletionDecisionForm(request.POST or None)
    if request.method == "POST" and deletion_request.state == DeletionRequest.State.PENDING and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                from submissions.services.data_protection import deletion_request_approve

                deletion_request_approve(deletion_request=deletion_request, user=request.user)
                messages.success(request, _("The account was anonymised and its drafts deleted. Results and the "
                                            "audit trail are unchanged."))
            else:
                privacy_services.deletion_request_refuse(deletion_request=deletion_request, user=request.user,
                                                         note=form.cleaned_data["note"])
                messages.success(request, _("The request was refused; the person reads your note."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("portal:deletion_requests")
    return render(request, "portal/privacy/deletion_request_decide.html", {
        "request_row": deletion_request,
        "memberships": Membership.objects.filter(user=deletion_request.user).select_related("organisation"),
        "form": form,
    })

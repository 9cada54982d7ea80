"""An organisation's invitations: an owner invites a colleague by e-mail; the colleague accepts with the link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.models import Organisation
from portal.service_errors import add_service_errors

from .. import services
from ..forms import InviteForm
from ..models import Invitation
from .applicant import _render


@login_required
@require_http_methods(["GET", "POST"])
def organisation_invite(request, pk: int):
    organisation = get_object_or_404(Organisation, pk=pk)
    if not request.user.has_perm("portal.organisation_manage", organisation):
        raise PermissionDenied(_("Only an owner of the organisation can invite colleagues."))
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.organisation_invite(
                organisation=organisation, email=form.cleaned_data["email"], actor=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error, field="email")
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("portal:organisation_detail", pk=organisation.pk)
    pending = organisation.invitations.filter(accepted_at__isnull=True).order_by("-created_at")
    return _render(request, "organisation_invite.html",
                   {"organisation": organisation, "form": form, "pending": pending})


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    invitation = get_object_or_404(Invitation.objects.select_related("organisation", "invited_by"), token=token)
    error = None
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as refusal:
            error = refusal.messages[0]
        else:
            messages.success(request, _("You are now a member of %(organisation)s.")
                             % {"organisation": invitation.organisation.name})
            return redirect("portal:organisation_detail", pk=invitation.organisation_id)
    return _render(request, "invitation_accept.html", {"invitation": invitation, "error": error})

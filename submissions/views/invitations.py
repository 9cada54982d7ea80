"""An owner invites a colleague to their organisation by e-mail (the colleague accepts on portal's page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.access import holds
from portal.models import Organisation
from portal.service_errors import add_service_errors
from portal.services import organisations as organisation_services

from ..forms.applicant import InviteForm
from .applicant import _render


@login_required
@require_http_methods(["GET", "POST"])
def organisation_invite(request, pk: int):
    organisation = get_object_or_404(Organisation, pk=pk)
    if not holds(request.user, "portal.organisation_manage", organisation):
        raise PermissionDenied(_("Only an owner of the organisation can invite colleagues."))
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = organisation_services.organisation_invite(
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


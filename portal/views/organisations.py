"""Organisations: create one, see its members, accept an owner's invitation to join."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..access import holds
from ..forms import OrganisationForm
from ..models import Invitation, Organisation
from ..services import organisations as organisation_services


@login_required
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_services.organisation_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            # e.g. the same name in the same country: shown on the form, input kept.
            form.add_error(None, error)
        else:
            messages.success(request, _("Organisation “%(name)s” created.") % {"name": organisation.name})
            return redirect("portal:organisation_detail", pk=organisation.pk)
    return render(request, "portal/organisation_form.html", {"form": form})


@login_required
def organisation_detail(request, pk: int):
    organisation = get_object_or_404(Organisation, pk=pk)
    if not holds(request.user, "portal.organisation_view", organisation):
        raise PermissionDenied(_("Only members of this organisation can see it."))
    memberships = organisation.memberships.select_related("user").order_by("user__email")
    return render(request, "portal/organisation_detail.html", {"organisation": organisation, "memberships": memberships})


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    invitation = get_object_or_404(Invitation.objects.select_related("organisation", "invited_by"), token=token)
    error = None
    if request.method == "POST":
        try:
            organisation_services.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as refusal:
            error = refusal.messages[0]
        else:
            messages.success(request, _("You are now a member of %(organisation)s.")
                             % {"organisation": invitation.organisation.name})
            return redirect("portal:organisation_detail", pk=invitation.organisation_id)
    return render(request, "portal/invitation_accept.html", {"invitation": invitation, "error": error})

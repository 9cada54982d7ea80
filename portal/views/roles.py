"""An edition's people and roles: who holds which role, pending invitations, and the secretariat's changes.

The committee (secretariat, chair, observers) reads the page; only the secretariat invites, changes or revokes.
Every change goes through portal.services (roles, role_invitations), which audit it.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import selectors
from ..access import edition_permission_required
from ..forms import RoleChangeForm, RoleCsvForm, RoleInviteForm
from ..models import EditionRole, RoleInvitation
from ..service_errors import add_service_errors, run_service
from ..services import role_invitations as invitation_services
from ..services import role_invitations_csv as csv_services
from ..services import roles as role_services


def _to_roles(edition):
    return redirect("portal:edition_roles", slug=edition.slug)


@edition_permission_required("portal.view_roles")
@require_http_methods(["GET", "POST"])
def edition_roles(request, edition):
    """The list, and (for the secretariat) the form that invites one person."""
    can_manage = request.user.has_perm("portal.manage_roles", edition)
    form = RoleInviteForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Only the secretariat invites people."))
        if form.is_valid():
            try:
                invitation = invitation_services.role_invite(edition=edition, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error, field="email")
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
                return _to_roles(edition)
    return render(request, "portal/roles/list.html", {
        "edition": edition, "can_manage": can_manage, "form": form if can_manage else None,
        "people": selectors.edition_people(edition=edition),
        "invitations": selectors.edition_open_invitations(edition=edition),
        "change_form": RoleChangeForm(), "roles": EditionRole.Role,
    }, status=400 if form.is_bound else 200)


@edition_permission_required("portal.manage_roles")
@require_http_methods(["GET", "POST"])
def edition_roles_csv(request, edition):
    """Upload a CSV (preview of every row, with its errors), then confirm: only the good rows are invited."""
    rows, csv_text = None, ""
    form = RoleCsvForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and "confirm" in request.POST:
        # The preview's file, carried in a hidden field, read and checked again: nothing trusted from the preview.
        data = request.POST.get("csv", "").encode("utf-8")
        try:
            created = csv_services.role_invite_many(edition=edition, data=data, actor=request.user,
                                                    message=request.POST.get("message", "").replace("\x00", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            # The preview again, from the same file, so that nothing has to be uploaded twice.
            form = RoleCsvForm()
            try:
                rows, csv_text = csv_services.invitation_csv_parse(edition=edition, data=data), data.decode("utf-8")
            except ValidationError:
                rows = None
        else:
            messages.success(request, _("%(n)s invitations sent.") % {"n": len(created)})
            return _to_roles(edition)
    elif request.method == "POST" and form.is_valid():
        # One byte past the limit is enough to refuse an oversized file without reading all of it.
        data = form.cleaned_data["file"].read(csv_services.MAX_BYTES + 1)
        try:
            rows = csv_services.invitation_csv_parse(edition=edition, data=data)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            csv_text = data.decode("utf-8-sig")
    return render(request, "portal/roles/csv.html", {
        "edition": edition, "form": form, "rows": rows, "csv_text": csv_text,
        "good": sum(1 for row in rows or [] if row.ok), "bad": sum(1 for row in rows or [] if not row.ok),
    }, status=400 if form.is_bound and form.errors else 200)


def _holder(edition, user_pk: int, role: str) -> EditionRole:
    return get_object_or_404(EditionRole.objects.select_related("user"), edition=edition, user_id=user_pk, role=role)


@edition_permission_required("portal.manage_roles")
@require_POST
def edition_role_change(request, edition, user_pk: int, role: str):
    holder = _holder(edition, user_pk, role)
    form = RoleChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the new role first."))
        return _to_roles(edition)
    to_role = form.cleaned_data["role"]
    run_service(request, lambda: role_services.role_change(
        edition=edition, user=holder.user, from_role=role, to_role=to_role, actor=request.user),
        success=_("%(person)s is now %(role)s instead of %(old)s.") % {
            "person": holder.user, "role": EditionRole.Role(to_role).label, "old": holder.get_role_display()})
    return _to_roles(edition)


@edition_permission_required("portal.manage_roles")
@require_http_methods(["GET", "POST"])
def edition_role_revoke(request, edition, user_pk: int, role: str):
    """A confirmation page, then the revocation."""
    holder = _holder(edition, user_pk, role)
    if request.method == "POST":
        run_service(request, lambda: role_services.role_revoke(
            edition=edition, user=holder.user, role=role, actor=request.user),
            success=_("%(person)s no longer holds the role %(role)s.") % {
                "person": holder.user, "role": holder.get_role_display()})
        return _to_roles(edition)
    return render(request, "portal/roles/revoke.html", {"edition": edition, "holder": holder,
                                                        "is_self": holder.user_id == request.user.pk})


def _invitation(edition, pk: int) -> RoleInvitation:
    return get_object_or_404(RoleInvitation, edition=edition, pk=pk)


@edition_permission_required("portal.manage_roles")
@require_POST
def role_invitation_resend(request, edition, pk: int):
    invitation = _invitation(edition, pk)
    run_service(request, lambda: invitation_services.role_invitation_resend(invitation=invitation, actor=request.user),
                success=_("Invitation sent again to %(email)s.") % {"email": invitation.email})
    return _to_roles(edition)


@edition_permission_required("portal.manage_roles")
@require_POST
def role_invitation_revoke(request, edition, pk: int):
    invitation = _invitation(edition, pk)
    run_service(request, lambda: invitation_services.role_invitation_revoke(invitation=invitation, actor=request.user),
                success=_("The invitation of %(email)s is withdrawn; its link no longer works.")
                % {"email": invitation.email})
    return _to_roles(edition)


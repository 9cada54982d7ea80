from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import selectors
from .access import edition_permission_required
from .audit_trail import kind_prefixes, trail_rows
from .forms import AuditFilterForm, OrganisationForm
from .models import Edition, Invitation, Organisation
from .rules import is_chair, is_judge, is_observer, is_secretariat
from .services import organisations as organisation_services

AUDIT_PAGE_SIZE = 50


def home(request):
    # Every edition past its draft has a public page (judging:public_edition); published ones their winners.
    editions = Edition.objects.exclude(state=Edition.State.DRAFT).order_by("-opens_at")
    return render(request, "portal/home.html", {"editions": editions})


@login_required
def dashboard(request):
    return render(
        request,
        "portal/dashboard.html",
        {
            "memberships": selectors.user_memberships(user=request.user),
            "roles_by_edition": selectors.user_roles_by_edition(user=request.user),
        },
    )


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
    if not request.user.has_perm("portal.organisation_view", organisation):
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


@edition_permission_required("portal.view_edition_workspace")
def edition_workspace(request, edition):
    user = request.user
    context = {
        "edition": edition,
        "is_secretariat": is_secretariat(user, edition),
        "is_judge": is_judge(user, edition),
        "is_chair": is_chair(user, edition),
        "is_observer": is_observer(user, edition),
        "categories": edition.categories.all(),
        "can_see_audit": user.has_perm("portal.view_audit_trail", edition),
    }
    if context["is_secretariat"] or context["is_chair"] or context["is_observer"]:
        context["role_holders"] = selectors.edition_role_holders(edition=edition)
    return render(request, "portal/edition_workspace.html", context)


@edition_permission_required("portal.view_audit_trail")
def audit_trail(request, edition):
    """The edition's audit trail, readable: local time, who, what, the changed fields; filters by kind and person."""
    filters = AuditFilterForm(request.GET or None, actors=selectors.edition_audit_actors(edition=edition))
    kind, actor_id = "", None
    if filters.is_valid():
        kind, actor_id = filters.cleaned_data["kind"], filters.cleaned_data["actor"]
    entries = selectors.edition_audit_entries(edition=edition, prefixes=kind_prefixes(kind), actor_id=actor_id)
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({key: value for key, value in (("kind", kind), ("actor", actor_id or "")) if value})
    return render(request, "portal/audit_trail.html", {
        "edition": edition, "page": page, "rows": trail_rows(page.object_list, edition=edition),
        "filters": filters, "query": query, "filtered": bool(query),
    })


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else _("You do not have access to this page.")
    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


"""An edition's workspace and its audit trail."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render

from .. import selectors
from ..access import edition_permission_required
from ..audit_trail import kind_prefixes, trail_rows
from ..dashboard import workspace_panels
from ..forms import AuditFilterForm
from ..models import EditionRole
from ..rules import _roles, is_chair, is_judge, is_observer, is_secretariat

AUDIT_PAGE_SIZE = 50
# Who reads the whole cockpit (the others, judges and committee members, their own part).
COMMITTEE_ROLES = frozenset({EditionRole.Role.SECRETARIAT, EditionRole.Role.CHAIR, EditionRole.Role.OBSERVER})


@edition_permission_required("portal.view_edition_workspace")
def edition_workspace(request, edition):
    """The edition's cockpit. The secretariat runs the edition from here; the chair and observers read the same
    counts without its buttons; a judge sees their own part only. Other apps' panels come from portal.dashboard."""
    user = request.user
    roles = _roles(user, edition)
    is_committee = bool(roles & COMMITTEE_ROLES)
    context = {
        "edition": edition,
        "is_secretariat": is_secretariat(user, edition),
        "is_judge": is_judge(user, edition),
        "is_chair": is_chair(user, edition),
        "is_observer": is_observer(user, edition),
        "is_committee": is_committee,
        "categories": edition.categories.all(),
        "can_see_audit": user.has_perm("portal.view_audit_trail", edition),
        "can_see_outbox": user.has_perm("portal.view_outbox", edition),
        "can_manage_webhooks": user.has_perm("portal.manage_webhooks", edition),
        "panels": workspace_panels(user=user, edition=edition, roles=roles),
    }
    if is_committee:
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

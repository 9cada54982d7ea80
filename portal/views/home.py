"""The public home page and each person's dashboard."""

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import render

from .. import selectors
from ..dashboard import dashboard_panels
from ..models import Edition, EditionRole
from ..public_cache import cached_for_visitors

# Roles that run or watch an edition: their link goes to the edition's cockpit.
COCKPIT_ROLES = frozenset({EditionRole.Role.SECRETARIAT, EditionRole.Role.CHAIR, EditionRole.Role.OBSERVER,
                           EditionRole.Role.COMMITTEE})


@transaction.non_atomic_requests  # read-only
@cached_for_visitors  # one copy per language for every anonymous visitor (portal/public_cache.py)
def home(request):
    # Every edition past its draft has a public page (judging:public_edition); published ones their winners.
    editions = Edition.objects.exclude(state=Edition.State.DRAFT).order_by("-opens_at")
    return render(request, "portal/home.html", {"editions": editions})


def _editions_with_roles(user) -> list[dict]:
    """[{edition, roles (codes), labels, cockpit}, ...], newest edition first, from one query."""
    grouped: dict = defaultdict(list)
    for edition_role in EditionRole.objects.filter(user=user).select_related("edition").order_by(
            "-edition__opens_at", "edition_id", "role"):
        grouped[edition_role.edition].append(edition_role)
    return [
        {
            "edition": edition,
            "roles": frozenset(role.role for role in roles),
            "labels": [role.get_role_display() for role in roles],
            "cockpit": any(role.role in COCKPIT_ROLES for role in roles),
        }
        for edition, roles in grouped.items()
    ]


@login_required
def dashboard(request):
    """Each person sees their own part: an applicant their applications, a judge their queues, the secretariat,
    chair, observers and committee members a link to each edition's cockpit. The panels of other apps come from
    portal.dashboard's registry; a panel that has nothing to show is left out."""
    user = request.user
    editions = _editions_with_roles(user)
    memberships = list(selectors.user_memberships(user=user))
    panels = dashboard_panels(user=user, roles_by_edition=[(row["edition"], row["roles"]) for row in editions])
    return render(request, "portal/dashboard.html", {
        "memberships": memberships,
        "editions": editions,
        "roles_by_edition": [(row["edition"], row["labels"]) for row in editions],
        "has_roles": bool(editions) or user.is_organiser,
        "panels": panels,
    })

"""The dashboard's note to the secretariat (and superusers) that deletion requests wait for their decision."""

from .dashboard import Panel
from .models import DeletionRequest, EditionRole
from .selectors import deletion_requests_for_decider


def deletion_requests_panel(*, user, roles_by_edition) -> Panel | None:
    """One query, and only for a secretariat or a superuser; None when no request waits."""
    deciding = user.is_superuser or any(EditionRole.Role.SECRETARIAT in roles for _edition, roles in roles_by_edition)
    if not deciding:
        return None
    waiting = deletion_requests_for_decider(user=user).filter(state=DeletionRequest.State.PENDING).count()
    if not waiting:
        return None
    return Panel("portal/privacy/_dashboard_panel.html", {"waiting": waiting})

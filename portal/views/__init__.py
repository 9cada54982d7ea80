"""The portal's own pages, by what a reader looks for; `portal.urls` and `config.urls` name them from here."""

from .editions import audit_trail, edition_workspace
from .errors import page_not_found, permission_denied
from .home import dashboard, home
from .organisations import invitation_accept, organisation_create, organisation_detail

__all__ = [
    "audit_trail", "dashboard", "edition_workspace", "home", "invitation_accept", "organisation_create",
    "organisation_detail", "page_not_found", "permission_denied",
]

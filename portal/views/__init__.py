"""The portal's own pages, by what a reader looks for; `portal.urls` and `config.urls` name them from here."""

from .editions import audit_trail, edition_workspace
from .errors import page_not_found, permission_denied
from .home import dashboard, home
from .organisations import invitation_accept, organisation_create, organisation_detail
from .outbox import edition_outbox_page, edition_outbox_retry
from .privacy import (
    deletion_request_cancel,
    deletion_request_create,
    deletion_request_decide,
    deletion_requests,
    my_data,
    my_data_export,
)
from .role_invitations import role_invitation_accept
from .roles import (
    edition_role_change,
    edition_role_revoke,
    edition_roles,
    edition_roles_csv,
    role_invitation_resend,
    role_invitation_revoke,
)
from .webhooks import webhook_delete, webhook_delivery_retry, webhook_detail, webhook_list, webhook_secret_rotate

__all__ = [
    "audit_trail", "dashboard", "edition_outbox_page", "edition_outbox_retry", "edition_workspace", "home", "invitation_accept", "organisation_create",
    "organisation_detail", "page_not_found", "permission_denied",
    "edition_role_change", "edition_role_revoke", "edition_roles", "edition_roles_csv", "role_invitation_accept",
    "role_invitation_resend", "role_invitation_revoke",
    "deletion_request_cancel", "deletion_request_create", "deletion_request_decide", "deletion_requests", "my_data",
    "my_data_export",
    "webhook_delete", "webhook_delivery_retry", "webhook_detail", "webhook_list", "webhook_secret_rotate",
]

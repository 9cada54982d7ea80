"""The portal's models, split by sub-domain: people, organisations, editions and roles, the audit trail, webhooks."""

from .audit import AuditEntry
from .editions import Edition, EditionRole, validate_time_zone
from .invitations import RoleInvitation
from .login_attempts import LoginAttempt
from .organisations import Invitation, Membership, Organisation
from .privacy import ConsentAcceptance, ConsentText, DeletionRequest
from .users import User, UserManager
from .webhooks import Webhook, WebhookDelivery

__all__ = [
    "AuditEntry", "ConsentAcceptance", "ConsentText", "DeletionRequest", "Edition", "EditionRole", "Invitation",
    "LoginAttempt", "Membership", "Organisation", "RoleInvitation", "User", "UserManager", "Webhook", "WebhookDelivery",
    "validate_time_zone",
]

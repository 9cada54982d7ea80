"""The portal's admin: a superuser's tool, never a step of any role's work (DESIGN.md, "Who uses it").

- `site`: who reaches the admin (active superusers only) and the rules every app's model admins share;
- `users`: accounts, edition roles, groups, e-mail addresses and second factors;
- `organisations`: organisations, memberships, invitations and the audit trail.

Every write made here goes through an audited service or writes its own audit entry; what needs neither is
read-only. Each module's docstring says why.
"""

from . import organisations, users  # noqa: F401  (registers their model admins)
from .site import ReadOnlyAdminMixin, ServiceRefusalAdminMixin, adopt, superusers_only, superusers_only_login

__all__ = ["ReadOnlyAdminMixin", "ServiceRefusalAdminMixin", "adopt", "superusers_only", "superusers_only_login"]

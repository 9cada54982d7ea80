"""Every write of the portal, split by sub-domain; views, admin, tasks and the other apps call these.

- `audit`: the audit trail (`audit_log`, `snapshot`), written by every service of every app;
- `organisations`: organisations, memberships and owners' invitations of colleagues;
- `roles`: the roles people hold in an edition (the judge role routed to judging, which keeps its profile);
- `role_invitations`: the secretariat's invitations to a role (invite, resend, revoke, accept);
  `role_invitations_csv`: many at once from a CSV file; `role_mail`: their e-mail;
- `editions`: an edition's settings and its state (one transition table, one writer);
- `notifications`: the portal's e-mails, built here and sent by its tasks.

The most used names are importable from the package itself (`from portal.services import audit_log`).
"""

from .audit import audit_log, snapshot
from .organisations import invitation_accept, membership_add, organisation_create, organisation_invite
from .roles import organiser_grant, organiser_revoke, role_grant, role_revoke

__all__ = [
    "audit_log", "invitation_accept", "membership_add", "organisation_create", "organisation_invite",
    "organiser_grant", "organiser_revoke", "role_grant",
    "role_revoke", "snapshot",
]

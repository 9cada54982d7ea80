"""Who may see and change applications. Applicants see only their own organisation's work."""

import rules

from portal.rules import is_committee, is_secretariat, via_edition


@rules.predicate
def is_application_member(user, application) -> bool:
    if not user.is_authenticated or application is None:
        return False
    return application.organisation.memberships.filter(user=user).exists()


# Secretariat, chair and observer of the application's edition read every application in it.
is_edition_reader_of_application = via_edition(is_committee, "is_edition_reader_of_application")
is_secretariat_of_application = via_edition(is_secretariat, "is_secretariat_of_application")


rules.add_perm("submissions.application_view", is_application_member | is_edition_reader_of_application)
rules.add_perm("submissions.application_edit", is_application_member)
rules.add_perm("submissions.application_screen", is_secretariat_of_application)
rules.add_perm("submissions.screen_edition", is_secretariat)
# Chair and observer read the screening list and its exports; only the secretariat acts on it.
rules.add_perm("submissions.view_screening", is_committee)
rules.add_perm("submissions.configure_edition", is_secretariat)

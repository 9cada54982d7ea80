"""The judge role and the judge profile, kept together whichever page or service gives or takes the role.

`portal.services.roles.role_grant` / `role_revoke` route the judge role here (registered in
`JudgingConfig.ready`), so the roles page, an accepted invitation and the judges' page all end in these two
functions. The invariant: a judge role has a profile; an active profile has the role. Revoking deactivates the
profile (its assignments, reviews and conflicts stay: the history of the edition).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import Edition, EditionRole, RoleInvitation, User
from portal.services.role_invitations import role_invite
from portal.services.roles import edition_role_add, edition_role_remove, role_route_register

from ..models import Assignment, JudgeProfile, JudgingRound
from .judges import judge_profile_create, judge_profile_update

# Rounds in which a judge is still working or may be asked to amend a score (calibration happens while open).
LIVE_ROUND_STATES = (JudgingRound.State.ASSIGNING, JudgingRound.State.OPEN)


@transaction.atomic
def judge_role_grant(*, edition: Edition, user: User, actor: User | None) -> EditionRole:
    """Make `user` a judge of `edition`: a new profile (default capacity) or their old one made active again."""
    judge = JudgeProfile.objects.select_for_update().filter(edition=edition, user=user).first()
    if judge is None:
        judge_profile_create(edition=edition, user=user, actor=actor)
    elif not judge.active:
        judge_profile_update(judge=judge, actor=actor, data={"active": True})
    return edition_role_add(edition=edition, user=user, role=EditionRole.Role.JUDGE, actor=actor)


@transaction.atomic
def judge_role_revoke(*, edition: Edition, user: User, actor: User | None) -> None:
    """Take the judge role from `user`, deactivating their profile.

    Refused while they have assignments (unfinished or handed in) in a round being assigned or open for scoring:
    unfinished entries would be left without their judge, and handed-in scores may still need the judge during
    calibration. Move or release those assignments first, or wait for the round to close.
    """
    judge = JudgeProfile.objects.select_for_update().filter(edition=edition, user=user).first()
    if judge is not None:
        live = (Assignment.objects.filter(judge=judge, state__in=Assignment.ACTIVE_STATES,
                                          round__state__in=LIVE_ROUND_STATES)
                .values_list("round__name", flat=True).distinct())
        rounds = sorted(live)
        if rounds:
            raise ValidationError(
                _("%(person)s has assignments in a round that is still open (%(rounds)s). Move or release them, "
                  "or wait until the round closes, then revoke the role.")
                % {"person": user, "rounds": ", ".join(rounds)}, code="live_assignments",
            )
        if judge.active:
            judge_profile_update(judge=judge, actor=actor, data={"active": False})
    edition_role_remove(edition=edition, user=user, role=EditionRole.Role.JUDGE, actor=actor)


def register() -> None:
    role_route_register(EditionRole.Role.JUDGE, grant=judge_role_grant, revoke=judge_role_revoke)


@transaction.atomic
def judge_add_or_invite(*, edition: Edition, email: str, actor: User, language: str = "",
                        **profile) -> JudgeProfile | RoleInvitation:
    """The judges' page's "add a judge": the profile (and role) at once for an existing account; otherwise an
    invitation to the judge role, whose acceptance makes the profile with default values."""
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        return role_invite(edition=edition, email=email, role=EditionRole.Role.JUDGE, actor=actor,
                           language=language)
    judge = JudgeProfile.objects.filter(edition=edition, user=user).first()
    if judge is None:
        return judge_profile_create(edition=edition, user=user, actor=actor, **profile)
    # A former judge of the edition (role revoked, profile kept): the same profile, a judge again, these values.
    judge_role_grant(edition=edition, user=user, actor=actor)
    return judge_profile_update(judge=judge, actor=actor, data=profile)

"""An edition's writes: its settings, and its state through one transition table and one writer."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Edition, User

from .audit import audit_log, snapshot

EDITION_TRANSITIONS = {
    Edition.State.DRAFT: {Edition.State.OPEN},
    Edition.State.OPEN: {Edition.State.CLOSED},
    Edition.State.CLOSED: {Edition.State.SCREENING, Edition.State.OPEN},
    Edition.State.SCREENING: {Edition.State.JUDGING},
    Edition.State.JUDGING: {Edition.State.DELIBERATION},
    Edition.State.DELIBERATION: {Edition.State.FINALISED},
    Edition.State.FINALISED: {Edition.State.PUBLISHED},
    Edition.State.PUBLISHED: set(),
}


def _edition_locked_row(edition: Edition) -> Edition:
    """The edition as stored, its row locked (FOR UPDATE) until the transaction ends."""
    return Edition.objects.select_for_update().get(pk=edition.pk)


def _ensure_can_move(edition: Edition, to: str) -> None:
    if to not in EDITION_TRANSITIONS[edition.state]:
        raise ValidationError(
            _("An edition that is “%(state)s” cannot move to “%(to)s”.")
            % {"state": edition.get_state_display(), "to": Edition.State(to).label},
            code="transition",
        )


def _edition_move(edition: Edition, to: str, *, user: User | None, **stamps) -> Edition:
    """The one writer of `Edition.state` (and of the time stamps that go with it: `stamps`): locks the row,
    checks the table, saves, audits. Call it in a transaction."""
    edition = _edition_locked_row(edition)
    _ensure_can_move(edition, to)
    before = {"state": edition.state, **{name: _plain(getattr(edition, name)) for name in stamps}}
    edition.state = to
    for name, value in stamps.items():
        setattr(edition, name, value)
    edition.save(update_fields=["state", *stamps])
    audit_log(actor=user, action=f"edition.{to}", target=edition, edition=edition,
              before=before, after={"state": to, **{name: _plain(value) for name, value in stamps.items()}})
    return edition


def _plain(value):
    """A stamp as the audit trail stores it."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return getattr(value, "pk", value)


@transaction.atomic
def edition_open(*, edition: Edition, user: User | None) -> Edition:
    if not edition.categories.exists():
        raise ValidationError(_("Add at least one category before opening the call."))
    return _edition_move(edition, Edition.State.OPEN, user=user)


@transaction.atomic
def edition_close(*, edition: Edition, user: User | None) -> Edition:
    return _edition_move(edition, Edition.State.CLOSED, user=user)


@transaction.atomic
def edition_start_screening(*, edition: Edition, user: User | None) -> Edition:
    return _edition_move(edition, Edition.State.SCREENING, user=user)


@transaction.atomic
def edition_update(*, edition: Edition, user: User, data: dict) -> Edition:
    """Change an edition's settings (not its state)."""
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    before = snapshot(edition)
    for field, value in data.items():
        if field in ("state", "id", "pk"):
            continue
        setattr(edition, field, value)
    edition.full_clean()
    edition.save()
    audit_log(actor=user, action="edition.update", target=edition, edition=edition, before=before, after=snapshot(edition))
    return edition


@transaction.atomic
def edition_start_judging(*, edition: Edition, user: User | None) -> Edition:
    return _edition_move(edition, Edition.State.JUDGING, user=user)


# --- the edition's last states (issue 9): deliberation, finalised, published ------------------------------------
# The checks that read judging's rows import judging inside the function: portal is the lower layer.


def edition_deliberation_refusal(edition: Edition) -> str | None:
    """Why the edition cannot move to deliberation now, or None: every round must be closed or scored."""
    from judging.models import JudgingRound

    if edition.state != Edition.State.JUDGING:
        return _("Deliberation follows judging; this edition is “%(state)s”.") % {"state": edition.get_state_display()}
    rounds = list(edition.rounds.order_by("position").values_list("name", "state"))
    if not rounds:
        return _("The edition has no judging round yet: the committee deliberates on a round's results.")
    open_rounds = [name for name, state in rounds
                   if state not in (JudgingRound.State.CLOSED, JudgingRound.State.SCORED)]
    if open_rounds:
        return _("Close every round first; still running: %(rounds)s.") % {"rounds": ", ".join(open_rounds)}
    return None


def edition_finalise_refusal(edition: Edition) -> str | None:
    """Why the chair cannot finalise the edition now, or None."""
    from judging.models import AggregationRun, AssignmentRun, AwardDecision, JudgingRound

    if edition.state in (Edition.State.FINALISED, Edition.State.PUBLISHED):
        return _("The edition is already finalised.")
    if edition.state != Edition.State.DELIBERATION:
        return _("Only an edition in deliberation can be finalised; this one is “%(state)s”.") % {
            "state": edition.get_state_display()}
    open_rounds = list(edition.rounds.exclude(state__in=[JudgingRound.State.CLOSED, JudgingRound.State.SCORED])
                       .values_list("name", flat=True))
    if open_rounds:
        return _("A round is still open: %(rounds)s. Close it before finalising.") % {"rounds": ", ".join(open_rounds)}
    busy = (AssignmentRun.State.PENDING, AssignmentRun.State.RUNNING)
    if (AssignmentRun.objects.filter(round__edition=edition, state__in=busy).exists()
            or AggregationRun.objects.filter(round__edition=edition, state__in=busy).exists()):
        return _("A computation of this edition is still running; wait until it has finished.")
    if not AwardDecision.objects.filter(edition=edition).exists():
        return _("The committee has not decided any prize yet: there is nothing to finalise.")
    return None


@transaction.atomic
def edition_start_deliberation(*, edition: Edition, user: User | None) -> Edition:
    """Judging → deliberation, once every round of the edition is closed or scored."""
    locked = _edition_locked_row(edition)
    refusal = edition_deliberation_refusal(locked)
    if refusal:
        raise ValidationError(refusal, code="not_ready")
    return _edition_move(locked, Edition.State.DELIBERATION, user=user)


@transaction.atomic
def edition_finalise(*, edition: Edition, user: User) -> Edition:
    """Deliberation → finalised: scores, assignments, results and prize decisions are locked for good.

    Holds the edition row FOR UPDATE while it checks and moves: every judging write reads the state under a
    shared lock on the same row (judging.services.locks), so a write racing this is in before or refused after.
    """
    locked = _edition_locked_row(edition)
    refusal = edition_finalise_refusal(locked)
    if refusal:
        raise ValidationError(refusal, code="not_ready")
    return _edition_move(locked, Edition.State.FINALISED, user=user, finalised_at=timezone.now(), finalised_by=user)


@transaction.atomic
def edition_publish(*, edition: Edition, user: User) -> Edition:
    """Finalised → published: the results become public. Nothing is unlocked."""
    locked = _edition_locked_row(edition)
    if locked.state == Edition.State.PUBLISHED:
        raise ValidationError(_("The edition is already published."), code="published")
    if locked.state != Edition.State.FINALISED:
        raise ValidationError(_("The chair finalises the edition before publishing it."), code="not_finalised")
    return _edition_move(locked, Edition.State.PUBLISHED, user=user, published_at=timezone.now())

"""The edition's last states: judging → deliberation → finalised → published (issue 9).

They read judging's rows (rounds, runs, decisions), so they live here, above portal; the state itself is
written by portal's one writer, `portal.services.editions.edition_move`.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Edition, User, Webhook
from portal.services import webhooks
from portal.services.editions import edition_locked_row, edition_move
from portal.services.notifications import absolute_url

from ..models import AggregationRun, AssignmentRun, AwardDecision, JudgingRound
from ..selectors.finalisation import finalisation_version


def edition_deliberation_refusal(edition: Edition) -> str | None:
    """Why the edition cannot move to deliberation now, or None: every round must be closed or scored."""
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
    locked = edition_locked_row(edition)
    refusal = edition_deliberation_refusal(locked)
    if refusal:
        raise ValidationError(refusal, code="not_ready")
    return edition_move(locked, Edition.State.DELIBERATION, user=user)


@transaction.atomic
def edition_finalise(*, edition: Edition, user: User, shown_version: str | None = None) -> Edition:
    """Deliberation → finalised: scores, assignments, results and prize decisions are locked for good.

    Holds the edition row FOR UPDATE while it checks and moves: every judging write reads the state under a
    shared lock on the same row (judging.services.locks), so a write racing this is in before or refused after.
    `shown_version` is the `finalisation_version` of the page the chair confirmed on: when a decision, a result or
    a score changed since, nothing is locked and the chair is told to read the page again.
    """
    locked = edition_locked_row(edition)
    refusal = edition_finalise_refusal(locked)
    if refusal:
        raise ValidationError(refusal, code="not_ready")
    if shown_version is not None and shown_version != finalisation_version(edition=locked):
        raise ValidationError(
            _("The decisions, results or scores changed after you opened this page. Nothing was finalised: read "
              "them again below, then confirm."), code="changed")
    return edition_move(locked, Edition.State.FINALISED, user=user, finalised_at=timezone.now(), finalised_by=user)


@transaction.atomic
def edition_publish(*, edition: Edition, user: User) -> Edition:
    """Finalised → published: the results become public. Nothing is unlocked."""
    locked = edition_locked_row(edition)
    if locked.state == Edition.State.PUBLISHED:
        raise ValidationError(_("The edition is already published."), code="published")
    if locked.state != Edition.State.FINALISED:
        raise ValidationError(_("The chair finalises the edition before publishing it."), code="not_finalised")
    published = edition_move(locked, Edition.State.PUBLISHED, user=user, published_at=timezone.now())
    webhooks.emit(edition_id=published.pk, event=Webhook.Event.EDITION_PUBLISHED, data={
        "slug": published.slug, "published_at": published.published_at,
        "results_url": absolute_url(reverse("judging:public_results", args=[published.slug])),
        "api_url": absolute_url(reverse("api:get_results", kwargs={"slug": published.slug})),
    })
    return published

"""Where an edition stands and what comes next; what an irreversible judging step is about to do.

`edition_next_step` answers for one viewer: the next state, who moves the edition there, the page that does
it, and what still blocks it. The `*_summary` selectors count what the confirmation pages say before a step
that cannot be undone (opening a round, closing it, finalising).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.models import Edition, User
from portal.rules import is_committee, is_committee_member

from ..models import Assignment, AssignmentRun, AwardDecision, JudgingRound, Review
from ..services.edition_stages import edition_deliberation_refusal, edition_finalise_refusal
from ..services.rounds import UNFINISHED_ROUND_STATES

RoundState = JudgingRound.State
State = Edition.State

ACTIVE = Assignment.ACTIVE_STATES
NOT_SUBMITTED = Assignment.OPEN_STATES


@dataclass(frozen=True)
class NextStep:
    state: str  # where the edition stands
    state_label: str
    next_state: str  # where the next step takes it
    next_label: str
    action: str  # what the step is, in a few words
    owner: str  # who takes it
    url: str  # the page that takes it
    may_act: bool  # whether this viewer takes it
    blocking: list[str] = field(default_factory=list)  # what must happen first; empty when the step is ready

    @property
    def ready(self) -> bool:
        return not self.blocking


# --- confirmation summaries -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundOpenSummary:
    judges: int  # judges e-mailed their entries
    assignments: int
    entries: int
    starts_judging: bool  # the edition moves from screening to judging


def round_open_summary(*, judging_round: JudgingRound) -> RoundOpenSummary:
    counts = Assignment.objects.filter(round=judging_round, state__in=ACTIVE).aggregate(
        assignments=Count("pk"), entries=Count("application_id", distinct=True),
        judges=Count("judge_id", distinct=True, filter=Q(notified_at__isnull=True)))
    return RoundOpenSummary(judges=counts["judges"], assignments=counts["assignments"], entries=counts["entries"],
                            starts_judging=judging_round.edition.state == State.SCREENING)


@dataclass(frozen=True)
class RoundCloseSummary:
    assignments: int
    missing: int  # reviews not submitted
    late_judges: int  # judges with at least one review missing
    last_round: bool  # no other round keeps the judging going: the edition moves to deliberation


def round_close_summary(*, judging_round: JudgingRound) -> RoundCloseSummary:
    counts = Assignment.objects.filter(round=judging_round, state__in=ACTIVE).aggregate(
        assignments=Count("pk"), missing=Count("pk", filter=Q(state__in=NOT_SUBMITTED)),
        late_judges=Count("judge_id", distinct=True, filter=Q(state__in=NOT_SUBMITTED)))
    others = (JudgingRound.objects.filter(edition_id=judging_round.edition_id, state__in=UNFINISHED_ROUND_STATES)
              .exclude(pk=judging_round.pk))
    last = judging_round.edition.state == State.JUDGING and not others.exists()
    return RoundCloseSummary(assignments=counts["assignments"], missing=counts["missing"],
                             late_judges=counts["late_judges"], last_round=last)


@dataclass(frozen=True)
class FinaliseSummary:
    rounds: int
    reviews: int
    decisions: int


def finalise_summary(*, edition: Edition) -> FinaliseSummary:
    return FinaliseSummary(
        rounds=JudgingRound.objects.filter(edition=edition).count(),
        reviews=Review.objects.filter(assignment__round__edition=edition, state=Review.State.SUBMITTED).count(),
        decisions=AwardDecision.objects.filter(edition=edition).count(),
    )


# --- the next step ------------------------------------------------------------------------------------------------


def _round_blockers(rounds: list[JudgingRound]) -> list[str]:
    return [_("Close every round first; still running: %(rounds)s.")
            % {"rounds": ", ".join(r.name for r in rounds)}] if rounds else []


def _screening_step(edition: Edition, user: User, base: dict) -> NextStep:
    """screening → judging: the secretariat opens the first round (after the assigner has run)."""
    may = user.has_perm("judging.manage_rounds", edition)
    rounds = list(edition.rounds.order_by("position", "pk"))
    common = {**base, "owner": _("The secretariat"), "may_act": may}
    if not rounds:
        return NextStep(**common, action=_("Create the first judging round"),
                        url=reverse("judging:round_create", args=[edition.slug]),
                        blocking=[_("The edition has no judging round yet.")])
    first = next((r for r in rounds if r.state in (RoundState.SCHEDULED, RoundState.ASSIGNING)), rounds[0])
    detail = reverse("judging:round_detail", args=[edition.slug, first.pk])
    names = {"round": first.name}
    busy = AssignmentRun.objects.alive((AssignmentRun.State.PENDING, AssignmentRun.State.RUNNING)).filter(
        round=first).exists()  # a run whose worker died (stalled) is not "still running"
    if busy:
        return NextStep(**common, action=_("Follow the assigner's run for “%(round)s”") % names, url=detail,
                        blocking=[_("The assigner is still running for “%(round)s”.") % names])
    if not Assignment.objects.filter(round=first, state__in=ACTIVE).exists():
        return NextStep(**common, action=_("Run the assigner for “%(round)s”") % names, url=detail,
                        blocking=[_("Nobody is assigned in “%(round)s” yet: run the assigner.") % names])
    opens = first.state == RoundState.ASSIGNING
    url = reverse("judging:round_open", args=[edition.slug, first.pk]) if opens else detail
    return NextStep(**common, action=_("Open the round “%(round)s” and e-mail its judges") % names, url=url)


def _judging_step(edition: Edition, user: User, base: dict) -> NextStep:
    """judging → deliberation: closing the last round does it; with every round closed, a button does."""
    rounds = list(edition.rounds.order_by("position", "pk"))
    open_rounds = [r for r in rounds if r.state == RoundState.OPEN]
    unfinished = [r for r in rounds if r.state in UNFINISHED_ROUND_STATES]
    if open_rounds and len(unfinished) == 1:
        last = open_rounds[0]
        return NextStep(**base, owner=_("The secretariat"),
                        action=_("Close the round “%(round)s”: the deliberation starts") % {"round": last.name},
                        url=reverse("judging:scoring_close", args=[edition.slug, last.pk]),
                        may_act=user.has_perm("judging.run_aggregation", last))
    refusal = edition_deliberation_refusal(edition)
    waiting = [r for r in unfinished if r.state != RoundState.OPEN]
    if unfinished:
        first = open_rounds[0] if open_rounds else waiting[0]
        url = (reverse("judging:scoring_close", args=[edition.slug, first.pk]) if open_rounds
               else reverse("judging:round_detail", args=[edition.slug, first.pk]))
        may = (user.has_perm("judging.run_aggregation", first) if open_rounds
               else user.has_perm("judging.manage_rounds", edition))
        return NextStep(**base, owner=_("The secretariat"), action=_("Finish every round"), url=url, may_act=may,
                        blocking=_round_blockers(unfinished))
    return NextStep(**base, owner=_("The secretariat or the chair"), action=_("Start the deliberation"),
                    url=reverse("judging:awards_start_deliberation", args=[edition.slug]),
                    may_act=user.has_perm("judging.start_deliberation", edition),
                    blocking=[refusal] if refusal else [])


def edition_next_step(edition: Edition, user: User) -> NextStep | None:
    """The edition's next step as this viewer sees it; None once published, or for anyone outside its committee."""
    if edition.state == State.PUBLISHED or not (is_committee | is_committee_member).test(user, edition):
        return None
    following = {State.DRAFT: State.OPEN, State.OPEN: State.CLOSED, State.CLOSED: State.SCREENING,
                 State.SCREENING: State.JUDGING, State.JUDGING: State.DELIBERATION,
                 State.DELIBERATION: State.FINALISED, State.FINALISED: State.PUBLISHED}[edition.state]
    base = {"state": edition.state, "state_label": edition.get_state_display(), "next_state": following,
            "next_label": State(following).label}
    if edition.state in (State.DRAFT, State.OPEN, State.CLOSED):
        actions = {State.DRAFT: _("Open the call"), State.OPEN: _("Close the call"),
                   State.CLOSED: _("Start screening")}
        blocking = ([_("Add at least one category before opening the call.")]
                    if edition.state == State.DRAFT and not edition.categories.exists() else [])
        return NextStep(**base, action=actions[edition.state], owner=_("The secretariat"),
                        url=reverse("submissions:edition_settings", args=[edition.slug]),
                        may_act=user.has_perm("submissions.configure_edition", edition), blocking=blocking)
    if edition.state == State.SCREENING:
        return _screening_step(edition, user, base)
    if edition.state == State.JUDGING:
        return _judging_step(edition, user, base)
    if edition.state == State.DELIBERATION:
        refusal = edition_finalise_refusal(edition)
        return NextStep(**base, action=_("Finalise the edition (locks every score and decision)"),
                        owner=_("The chair"), url=reverse("judging:awards_finalise", args=[edition.slug]),
                        may_act=user.has_perm("judging.finalise_edition", edition),
                        blocking=[refusal] if refusal else [])
    return NextStep(**base, action=_("Publish the results"), owner=_("The chair"),
                    url=reverse("judging:awards_publish", args=[edition.slug]),
                    may_act=user.has_perm("judging.publish_edition", edition))


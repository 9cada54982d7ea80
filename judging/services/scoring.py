"""Judges' scores: drafts, submission, edits until the round closes, calibration entries, the queue's order.

Every write checks the scoring rights here, whatever the browser sent: only the judge the
assignment belongs to, only while it is active, only while the round is open and before
its deadline, and never once the edition is finalised. A judge's review is theirs alone:
nothing here reads another judge's scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.formatting import local_time
from portal.models import User
from portal.services import audit_log
from submissions.models import Application

from ..models import Assignment, CalibrationEntry, Criterion, CriterionScore, JudgingRound, Review
from ..tasks.notifications import send_review_receipt
from .assignments import assignment_start, assignment_submit
from .locks import edition_is_locked, ensure_edition_unlocked
from .rubrics import rubric_for_application, rubric_freeze, weighted_total

COMMENT_MAX_CHARS = 10_000


@dataclass
class ReviewInput:
    """What a judge typed. Keys absent from `scores`/`comments` leave the stored value as it is."""

    scores: dict[int, int | None] = field(default_factory=dict)
    comments: dict[int, str] = field(default_factory=dict)
    committee_comment: str | None = None
    applicant_comment: str | None = None
    confidence: int | None = None
    confidence_given: bool = False  # False: leave the stored confidence alone


# --- rights ---------------------------------------------------------------------------------------------


def scoring_refusal(*, assignment: Assignment, user: User, now: datetime | None = None) -> ValidationError | None:
    """Why `user` may not score `assignment` now, or None when they may."""
    now = now or timezone.now()
    judging_round = assignment.round
    edition = judging_round.edition
    if not user.is_authenticated or assignment.judge.user_id != user.pk:
        return ValidationError(_("This entry is not assigned to you."), code="not_assigned")
    if assignment.state not in Assignment.ACTIVE_STATES:
        return ValidationError(
            _("This assignment is %(state)s: it takes no more scores.") % {"state": assignment.get_state_display()},
            code="inactive",
        )
    if edition_is_locked(edition):
        return ValidationError(_("The edition is finalised: its scores are locked for good."), code="finalised")
    if judging_round.state != JudgingRound.State.OPEN:
        return ValidationError(
            _("Scoring is not open in this round (it is %(state)s).")
            % {"state": judging_round.get_state_display().lower()},
            code="round_not_open",
        )
    if now >= judging_round.deadline:
        return ValidationError(
            _("The scoring deadline passed on %(when)s (%(tz)s).")
            % {"when": local_time(judging_round.deadline, edition=edition), "tz": edition.time_zone},
            code="deadline",
        )
    return None


def ensure_can_score(*, assignment: Assignment, user: User, now: datetime | None = None) -> None:
    refusal = scoring_refusal(assignment=assignment, user=user, now=now)
    if refusal is not None:
        raise refusal


def _locked_assignment(assignment: Assignment) -> Assignment:
    """The assignment as stored now, locked for the rest of the transaction (two tabs saving at once queue up)."""
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("round__edition", "judge__user", "application")
        .get(pk=assignment.pk)
    )


# --- reviews ----------------------------------------------------------------------------------------------


def _review_state(review: Review, scores: dict[int, CriterionScore]) -> dict:
    """A review as the audit trail records it: every score and comment, by criterion id."""
    return {
        "state": review.state,
        "scores": {str(cid): score.score for cid, score in sorted(scores.items())},
        "comments": {str(cid): score.comment for cid, score in sorted(scores.items()) if score.comment},
        "committee_comment": review.committee_comment,
        "applicant_comment": review.applicant_comment,
        "confidence": review.confidence,
        "weighted_total": review.weighted_total,
    }


def _apply(review: Review, criteria: list[Criterion], data: ReviewInput) -> dict[int, CriterionScore]:
    """Validate `data` against the rubric and write it to `review` and its criterion scores.

    Raises ValidationError naming each field (score_<id>, comment_<id>, confidence, ...) before writing anything.
    """
    by_id = {criterion.pk: criterion for criterion in criteria}
    errors: dict[str, list[str]] = {}
    for criterion_id in set(data.scores) | set(data.comments):
        if criterion_id not in by_id:
            errors.setdefault("__all__", []).append(_("A score was sent for a criterion that is not in this rubric."))
    for criterion_id, score in data.scores.items():
        criterion = by_id.get(criterion_id)
        if criterion is not None and score is not None and not criterion.scale_min <= score <= criterion.scale_max:
            errors.setdefault(f"score_{criterion_id}", []).append(
                _("%(name)s takes a score from %(low)s to %(high)s.")
                % {"name": criterion.name, "low": criterion.scale_min, "high": criterion.scale_max}
            )
    for criterion_id, comment in data.comments.items():
        if len(comment) > COMMENT_MAX_CHARS:
            errors.setdefault(f"comment_{criterion_id}", []).append(
                _("Keep a comment under %(limit)s characters.") % {"limit": COMMENT_MAX_CHARS}
            )
    for name in ("committee_comment", "applicant_comment"):
        value = getattr(data, name)
        if value is not None and len(value) > COMMENT_MAX_CHARS:
            errors.setdefault(name, []).append(_("Keep a comment under %(limit)s characters.") % {"limit": COMMENT_MAX_CHARS})
    if data.confidence_given and data.confidence is not None and not 1 <= data.confidence <= 5:
        errors.setdefault("confidence", []).append(_("Confidence runs from 1 (low) to 5 (expert)."))
    if errors:
        raise ValidationError(errors)

    if data.committee_comment is not None:
        review.committee_comment = data.committee_comment.strip()
    if data.applicant_comment is not None:
        review.applicant_comment = data.applicant_comment.strip()
    if data.confidence_given:
        review.confidence = data.confidence
    review.full_clean(exclude=["assignment"])
    review.save()

    existing = {score.criterion_id: score for score in review.scores.all()}
    new, changed = [], []
    for criterion in criteria:
        if criterion.pk not in data.scores and criterion.pk not in data.comments:
            continue
        row = existing.get(criterion.pk)
        if row is None:
            row = CriterionScore(review=review, criterion=criterion)
            new.append(row)
        elif (data.scores.get(criterion.pk, row.score), data.comments.get(criterion.pk, row.comment).strip()) != (
            row.score, row.comment
        ):
            changed.append(row)
        if criterion.pk in data.scores:
            row.score = data.scores[criterion.pk]
        if criterion.pk in data.comments:
            row.comment = data.comments[criterion.pk].strip()
        existing[criterion.pk] = row
    CriterionScore.objects.bulk_create(new)
    CriterionScore.objects.bulk_update(changed, ["score", "comment"])
    return existing


def _prepare(assignment: Assignment, user: User, now: datetime | None):
    assignment = _locked_assignment(assignment)
    ensure_can_score(assignment=assignment, user=user, now=now)
    # Re-read under a shared lock on the edition row: a score racing finalisation is in before it or refused.
    ensure_edition_unlocked(assignment.round.edition,
                            message=_("The edition is finalised: its scores are locked for good."))
    rubric = rubric_for_application(assignment.application)
    if rubric is None or not rubric.criteria.all():
        raise ValidationError(
            _("This entry's category has no rubric yet; the secretariat has to set one up before scoring starts."),
            code="no_rubric",
        )
    review = Review.objects.filter(assignment=assignment).first() or Review(assignment=assignment)
    before_scores = {score.criterion_id: score for score in review.scores.all()} if review.pk else {}
    # Copies: _apply changes the rows in place.
    before = _review_state(review, {cid: CriterionScore(score=s.score, comment=s.comment)
                                    for cid, s in before_scores.items()}) if review.pk else None
    return assignment, rubric, review, before


def _finish(assignment, rubric, review, before, scores, *, user: User, action: str) -> Review:
    if any(score.score is not None for score in scores.values()):
        rubric_freeze(rubric=rubric)
    after = _review_state(review, scores)
    if after != before:
        audit_log(actor=user, action=action, target=review, edition_id=assignment.round.edition_id,
                  before=before, after=after)
    review.scores_by_criterion = scores
    return review


@transaction.atomic
def review_save_draft(*, assignment: Assignment, user: User, data: ReviewInput,
                      now: datetime | None = None) -> Review:
    """Save what the judge has typed so far; the assignment moves to "in progress".

    A submitted review is not turned back into a draft: changes to it go through `review_submit`, which checks
    that it is still complete.
    """
    assignment, rubric, review, before = _prepare(assignment, user, now)
    if review.state == Review.State.SUBMITTED:
        raise ValidationError(
            _("This review is already submitted. Change it with “Update the submitted review”: it must stay complete."),
            code="submitted",
        )
    criteria = list(rubric.criteria.all())
    scores = _apply(review, criteria, data)
    review.weighted_total = weighted_total(
        criteria=criteria, scores={cid: s.score for cid, s in scores.items()}, stage=assignment.application.stage
    ) if _complete(criteria, scores) else None
    review.save(update_fields=["weighted_total", "updated_at"])
    if assignment.state == Assignment.State.ASSIGNED:
        assignment_start(assignment=assignment, user=user)
    return _finish(assignment, rubric, review, before, scores, user=user, action="review.draft")


def _complete(criteria: list[Criterion], scores: dict[int, CriterionScore]) -> bool:
    return all(scores.get(c.pk) is not None and scores[c.pk].score is not None for c in criteria)


@transaction.atomic
def review_submit(*, assignment: Assignment, user: User, data: ReviewInput | None = None,
                  now: datetime | None = None, notify: bool = True) -> Review:
    """Submit the review (or update a submitted one): every criterion needs a score.

    Raises ValidationError naming each unscored criterion; then nothing is written, so a caller that wants to
    keep the typed text saves a draft first. With `notify` the judge gets a receipt by e-mail after commit.
    """
    assignment, rubric, review, before = _prepare(assignment, user, now)
    criteria = list(rubric.criteria.all())
    resubmission = review.state == Review.State.SUBMITTED
    scores = _apply(review, criteria, data or ReviewInput())
    missing = {
        f"score_{c.pk}": [_("Give a score for %(name)s.") % {"name": c.name}]
        for c in criteria if scores.get(c.pk) is None or scores[c.pk].score is None
    }
    if missing:
        raise ValidationError(missing, code="incomplete")
    review.weighted_total = weighted_total(
        criteria=criteria, scores={cid: s.score for cid, s in scores.items()}, stage=assignment.application.stage
    )
    review.state = Review.State.SUBMITTED
    review.submitted_at = now or timezone.now()
    review.save(update_fields=["weighted_total", "state", "submitted_at", "updated_at"])
    if assignment.state != Assignment.State.SUBMITTED:
        assignment_submit(assignment=assignment, user=user)
    if notify:
        send_review_receipt.delay_on_commit(review_id=review.pk)
    return _finish(assignment, rubric, review, before, scores, user=user,
                   action="review.update" if resubmission else "review.submit")


# --- the queue's order ------------------------------------------------------------------------------------


# --- calibration ----------------------------------------------------------------------------------------


def _ensure_calibration_editable(judging_round: JudgingRound) -> None:
    ensure_edition_unlocked(judging_round.edition)
    if judging_round.state not in (JudgingRound.State.SCHEDULED, JudgingRound.State.ASSIGNING):
        raise ValidationError(
            _("Calibration entries are chosen before the round opens, so that the assigner can give them to every "
              "judge of their category. This round is %(state)s.") % {"state": judging_round.get_state_display().lower()},
            code="round_started",
        )


@transaction.atomic
def calibration_mark(*, judging_round: JudgingRound, application: Application, user: User) -> CalibrationEntry:
    """Mark an entry as a calibration entry of the round: every judge of its category scores it, first."""
    _ensure_calibration_editable(judging_round)
    if application.edition_id != judging_round.edition_id or not judging_round.categories.filter(
        pk=application.category_id
    ).exists():
        raise ValidationError(_("Only an entry of one of the round's categories can calibrate it."), code="category")
    entry, created = CalibrationEntry.objects.get_or_create(round=judging_round, application=application)
    if created:
        audit_log(actor=user, action="calibration.mark", target=application, edition_id=judging_round.edition_id,
                  after={"round": judging_round.pk, "application": application.pk})
    return entry


@transaction.atomic
def calibration_unmark(*, judging_round: JudgingRound, application: Application, user: User) -> None:
    _ensure_calibration_editable(judging_round)
    deleted, _unused = CalibrationEntry.objects.filter(round=judging_round, application=application).delete()
    if deleted:
        audit_log(actor=user, action="calibration.unmark", target=application, edition_id=judging_round.edition_id,
                  before={"round": judging_round.pk, "application": application.pk})


# --- the review form's one call ---------------------------------------------------------------------------


def review_save(*, assignment: Assignment, user: User, data: ReviewInput, submit: bool) -> Review:
    """What the review form's buttons do: a submitted review is changed by submitting it again; a draft is
    saved, then submitted when `submit` (a refused submission leaves the typed draft saved)."""
    review = Review.objects.filter(assignment=assignment).only("state").first()
    if review is not None and review.state == Review.State.SUBMITTED:
        return review_submit(assignment=assignment, user=user, data=data)
    draft = review_save_draft(assignment=assignment, user=user, data=data)
    return review_submit(assignment=assignment, user=user) if submit else draft

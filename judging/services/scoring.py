"""Judges' scores: drafts, submission and edits until the round closes (calibration entries: calibration.py).

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

from portal.concurrency import EditedMeanwhile, is_stale
from portal.formatting import local_time
from portal.models import User
from portal.services import audit_log
from portal.services.audit import audit_batch

from ..models import Assignment, Criterion, CriterionScore, JudgingRound, Review
from ..tasks.notifications import send_review_receipt
from .assignments import assignment_set_state
from .locks import edition_checked, edition_is_locked, ensure_edition_unlocked
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
    version: int | None = None  # the review's version the form was loaded at; None: no check (scripts, demo data)


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


@dataclass
class _Saving:
    """One save of one review, read under the assignment's row lock: what the save starts from. Its steps (a
    draft, then its submission) change the review in memory; `_flush` writes it once, with its score rows."""

    assignment: Assignment
    rubric: object
    criteria: list[Criterion]
    review: Review
    stored: dict[int, CriterionScore]  # the review's score rows by criterion id (the rows _apply changes)
    before: dict | None  # the review as the audit trail records it, before this save
    touched: dict[int, CriterionScore] = field(default_factory=dict)  # score rows to write, by criterion id
    dirty: bool = False  # the review itself is to be written
    notify: bool = False  # the judge gets a receipt


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


def _apply(review: Review, criteria: list[Criterion], data: ReviewInput, existing: dict[int, CriterionScore]):
    """Validate `data` against the rubric and apply it to `review` and its score rows, in memory.

    Raises ValidationError naming each field (score_<id>, comment_<id>, confidence, ...) before changing anything.
    Returns the score rows by criterion id, and the new and changed ones (`_flush` writes them).
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
    # The one check constraint (confidence 1-5) is checked above: no query for it.
    review.full_clean(exclude=["assignment"], validate_constraints=False)

    scores = dict(existing)
    touched = []
    for criterion in criteria:
        if criterion.pk not in data.scores and criterion.pk not in data.comments:
            continue
        row = scores.get(criterion.pk) or CriterionScore(review=review, criterion=criterion)
        stored = (row.score, row.comment)
        if criterion.pk in data.scores:
            row.score = data.scores[criterion.pk]
        if criterion.pk in data.comments:
            row.comment = data.comments[criterion.pk].strip()
        if row.pk is None or (row.score, row.comment) != stored:
            touched.append(row)
        scores[criterion.pk] = row
    return scores, touched


def _write(saving: _Saving, scores: dict[int, CriterionScore], touched: list[CriterionScore]) -> None:
    """Note the review and its new and changed score rows for `_flush`."""
    saving.touched.update((row.criterion_id, row) for row in touched)
    saving.stored, saving.dirty = scores, True


def _flush(saving: _Saving) -> None:
    """Store the review (its version counted up once per save), its new and changed score rows (one query), and
    the receipt's outbox row, in the save's transaction."""
    review = saving.review
    if saving.dirty:
        review.version += 1
        with edition_checked(review):  # `_prepare` checked the edition lock in this transaction
            review.save()
        # One INSERT ... ON CONFLICT (review, criterion) DO UPDATE; stored rows go as copies without their id (rows
        # with and without an id would be two INSERTs).
        rows = [row if row.pk is None else CriterionScore(review=review, criterion_id=row.criterion_id,
                                                          score=row.score, comment=row.comment)
                for row in saving.touched.values()]
        CriterionScore.objects.bulk_create(rows, update_conflicts=True, unique_fields=["review", "criterion"],
                                           update_fields=["score", "comment"])
        saving.touched, saving.dirty = {}, False
    if saving.notify:
        send_review_receipt.delay_on_commit(review_id=review.pk)


def _prepare(assignment: Assignment, user: User, now: datetime | None, rubric=None) -> _Saving:
    """Everything a save starts from; `assignment` was just read by `_locked_assignment` in this transaction.
    `rubric`: the entry's rubric as the caller's form was built from it in this request (read here when None)."""
    ensure_can_score(assignment=assignment, user=user, now=now)
    # Re-read under a shared lock on the edition row: a score racing finalisation is in before it or refused.
    ensure_edition_unlocked(assignment.round.edition,
                            message=_("The edition is finalised: its scores are locked for good."))
    if rubric is None:
        rubric = rubric_for_application(assignment.application)
    if rubric is None or not rubric.criteria.all():
        raise ValidationError(
            _("This entry's category has no rubric yet; the secretariat has to set one up before scoring starts."),
            code="no_rubric",
        )
    review = Review.objects.filter(assignment=assignment).first() or Review(assignment=assignment)
    review.assignment = assignment  # the locked row, with its judge and entry: the audit entry names them
    stored = {score.criterion_id: score for score in review.scores.all()} if review.pk else {}
    # The audit trail's "before" from copies of the rows: _apply changes them in place.
    copies = {cid: CriterionScore(score=s.score, comment=s.comment) for cid, s in stored.items()}
    return _Saving(assignment=assignment, rubric=rubric, criteria=list(rubric.criteria.all()), review=review,
                   stored=stored, before=_review_state(review, copies) if review.pk else None)


def _changes_nothing(saving: _Saving, data: ReviewInput) -> bool:
    """Whether `data` holds exactly what is stored (a double click, or two tabs that typed the same)."""
    review, stored = saving.review, saving.stored
    for criterion_id, score in data.scores.items():
        if (stored[criterion_id].score if criterion_id in stored else None) != score:
            return False
    for criterion_id, comment in data.comments.items():
        if (stored[criterion_id].comment if criterion_id in stored else "") != comment.strip():
            return False
    for name in ("committee_comment", "applicant_comment"):
        value = getattr(data, name)
        if value is not None and value.strip() != getattr(review, name):
            return False
    return not (data.confidence_given and data.confidence != review.confidence)


def _saved_meanwhile(saving: _Saving, data: ReviewInput) -> bool:
    """Refuse a save from a form loaded before the review's last save, unless it would change nothing.

    True when the form is stale but holds what is stored: the caller does nothing and says it is done already.
    """
    review = saving.review
    if not is_stale(stored=review.version, loaded=data.version):
        return False
    if _changes_nothing(saving, data):
        return True
    raise EditedMeanwhile(
        _("This review was saved in another tab or window at %(time)s, after you opened this page. Your text is "
          "below and has not been saved: compare it with the saved review, then save again.")
        % {"time": local_time(review.updated_at, edition=saving.assignment.round.edition, with_zone=True)},
        current_version=review.version, saved_at=review.updated_at,
    )


def _finish(saving: _Saving, *, user: User, action: str, outcome: str) -> Review:
    review, scores = saving.review, saving.stored
    if any(score.score is not None for score in scores.values()):
        rubric_freeze(rubric=saving.rubric)
    after = _review_state(review, scores)
    if after != saving.before:
        audit_log(actor=user, action=action, target=review, edition_id=saving.assignment.round.edition_id,
                  before=saving.before, after=after)
    saving.before = after
    review.scores_by_criterion = scores
    review.outcome = outcome
    return review


def _unchanged(saving: _Saving) -> Review:
    review = saving.review
    review.scores_by_criterion = saving.stored
    review.outcome = "unchanged"
    return review


def _save_draft(saving: _Saving, data: ReviewInput, *, user: User) -> Review:
    review, criteria, assignment = saving.review, saving.criteria, saving.assignment
    if review.state == Review.State.SUBMITTED:
        raise ValidationError(
            _("This review is already submitted. Change it with “Update the submitted review”: it must stay complete."),
            code="submitted",
        )
    if _saved_meanwhile(saving, data):
        return _unchanged(saving)
    scores, touched = _apply(review, criteria, data, saving.stored)
    review.weighted_total = weighted_total(
        criteria=criteria, scores={cid: s.score for cid, s in scores.items()}, stage=assignment.application.stage
    ) if all(scores.get(c.pk) is not None and scores[c.pk].score is not None for c in criteria) else None
    _write(saving, scores, touched)
    if assignment.state == Assignment.State.ASSIGNED:  # read under the row lock (`_locked_assignment`)
        assignment_set_state(assignment, Assignment.State.IN_PROGRESS, user=user, action="assignment.in_progress",
                             locked=True)
    return _finish(saving, user=user, action="review.draft", outcome="draft")


def _submit(saving: _Saving, data: ReviewInput, *, user: User, now: datetime | None, notify: bool) -> Review:
    review, criteria, assignment = saving.review, saving.criteria, saving.assignment
    resubmission = review.state == Review.State.SUBMITTED
    if _saved_meanwhile(saving, data) and resubmission:
        return _unchanged(saving)  # submitted twice (a double click, two tabs): one review, one receipt
    scores, touched = _apply(review, criteria, data, saving.stored)
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
    _write(saving, scores, touched)
    if assignment.state != Assignment.State.SUBMITTED:  # read under the row lock (`_locked_assignment`)
        assignment_set_state(assignment, Assignment.State.SUBMITTED, user=user, action="assignment.submitted",
                             locked=True)
    saving.notify = saving.notify or notify
    return _finish(saving, user=user, action="review.update" if resubmission else "review.submit",
                   outcome="updated" if resubmission else "submitted")


def _saved(assignment: Assignment, user: User, now: datetime | None, rubric, step) -> Review:
    """One save, one transaction: read under the row lock, `step(saving)` in memory, written once, audited in one
    INSERT (`audit_batch`)."""
    with transaction.atomic(), audit_batch():
        saving = _prepare(_locked_assignment(assignment), user, now, rubric)
        review = step(saving)
        _flush(saving)
    return review


def review_save_draft(*, assignment: Assignment, user: User, data: ReviewInput,
                      now: datetime | None = None, rubric=None) -> Review:
    """Save what the judge has typed so far; the assignment moves to "in progress".

    A submitted review is not turned back into a draft: changes to it go through `review_submit`, which checks
    that it is still complete. With `data.version` set, a form loaded before the review's last save is refused
    (EditedMeanwhile) unless it would change nothing; `outcome` on the review says what happened. `rubric`: as
    for `_prepare`.
    """
    return _saved(assignment, user, now, rubric, lambda saving: _save_draft(saving, data, user=user))


def review_submit(*, assignment: Assignment, user: User, data: ReviewInput | None = None,
                  now: datetime | None = None, notify: bool = True, rubric=None) -> Review:
    """Submit the review (or update a submitted one): every criterion needs a score.

    Raises ValidationError naming each unscored criterion; then nothing is written, so a caller that wants to
    keep the typed text saves a draft first. With `notify` the judge gets a receipt by e-mail after commit (an
    outbox row written with the review). A submitted review sent again from a stale form with the same content
    changes nothing and sends no receipt.
    """
    return _saved(assignment, user, now, rubric,
                  lambda saving: _submit(saving, data or ReviewInput(), user=user, now=now, notify=notify))


# --- the review form's one call ---------------------------------------------------------------------------


def review_save(*, assignment: Assignment, user: User, data: ReviewInput, submit: bool,
                now: datetime | None = None, rubric=None) -> Review:
    """What the review form's buttons do: a submitted review is changed by submitting it again; a draft is
    saved, then submitted when `submit` (a refused submission leaves the typed draft saved).

    One transaction under the assignment's row lock: two requests of the same judge (a double click, two tabs)
    run one after the other, and the second sees what the first stored. `outcome` on the review says what
    happened: "draft", "submitted", "updated", or "unchanged" (it was already so). The draft and its submission
    are applied in memory and written once; a refused submission changes nothing, so the draft is written
    without a savepoint. `rubric`: see `_prepare`.
    """
    refusals = []

    def step(saving: _Saving) -> Review:
        if saving.review.state == Review.State.SUBMITTED:
            return _submit(saving, data, user=user, now=now, notify=True)
        draft = _save_draft(saving, data, user=user)
        if not submit:
            return draft
        try:
            return _submit(saving, ReviewInput(), user=user, now=now, notify=True)
        except ValidationError as error:
            refusals.append(error)  # the draft stays saved: the transaction commits, then the refusal is raised
            return draft

    review = _saved(assignment, user, now, rubric, step)
    if refusals:
        raise refusals[0]
    return review

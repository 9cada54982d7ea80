"""Rubrics: which criteria apply to an entry, their weights by development stage, and a review's weighted total.

The weighted total
------------------
Criteria may use different scales (one 1–10, another 1–5). Each score is first mapped
linearly onto 0–10, so that the top of every scale is 10 and the bottom 0:

    n_c = 10 · (s_c − min_c) / (max_c − min_c)

The weight of criterion c for an entry at development stage g is the criterion's
stage weight for g when one is set, else its default weight:

    w_c(g) = StageWeight(c, g).weight  if defined,  else  Criterion(c).weight

and the review's weighted total is the weighted mean of the normalised scores,

    total = Σ_c w_c(g) · n_c  /  Σ_c w_c(g)

over every criterion of the rubric (a review is submitted only when each one is
scored). Totals therefore lie between 0 and 10 whatever the scales and weights, and a
criterion's weight is its share of the total: weights 2, 1, 1 give it half.

Which rubric
------------
An entry is scored on its category's rubric when the edition has one, else on the
edition's default rubric (category empty). A rubric is frozen (``frozen_at``) when the
first score against it is saved; every service here refuses to change a frozen rubric,
its criteria or their stage weights, because earlier scores would mean something else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from copy import deepcopy
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.bilingual import per_language
from portal.concurrency import EditedMeanwhile, changed_meanwhile_message, row_version
from portal.formatting import local_time
from portal.models import Edition, User
from portal.services import audit_log, snapshot
from submissions.models import Application, Category

from ..models import Criterion, JudgingRound, Rubric, StageWeight
from .locks import ensure_edition_unlocked

TOTAL_SCALE = 10.0


# --- arithmetic -------------------------------------------------------------------------------------------


def normalised_score(score: float, *, scale_min: int, scale_max: int) -> float:
    """A score mapped linearly onto 0–10 (the bottom of the criterion's scale is 0, the top 10)."""
    return TOTAL_SCALE * (float(score) - scale_min) / (scale_max - scale_min)


def criterion_weight(criterion: Criterion, stage: str) -> Decimal:
    """The criterion's weight for an entry at `stage`: its stage weight when set, else its default weight.

    Reads ``criterion.stage_weights.all()``, so prefetch them when looping.
    """
    for stage_weight in criterion.stage_weights.all():
        if stage_weight.stage == stage:
            return stage_weight.weight
    return criterion.weight


def weighted_total(*, criteria: Iterable[Criterion], scores: Mapping[int, int | None], stage: str) -> float | None:
    """Σ w_c·n_c / Σ w_c over `criteria` (see the module's docstring); None while a criterion is unscored.

    Raises ValidationError when the weights for this stage add up to zero: such a rubric cannot rank anything.
    """
    numerator = denominator = 0.0
    for criterion in criteria:
        score = scores.get(criterion.pk)
        if score is None:
            return None
        weight = float(criterion_weight(criterion, stage))
        numerator += weight * normalised_score(score, scale_min=criterion.scale_min, scale_max=criterion.scale_max)
        denominator += weight
    if denominator <= 0:
        raise ValidationError(
            _("The rubric's weights add up to zero for this development stage; the secretariat must fix the rubric."),
            code="zero_weights",
        )
    return numerator / denominator


# --- which rubric ---------------------------------------------------------------------------------------


def _with_criteria(queryset):
    return queryset.prefetch_related(
        Prefetch(
            "criteria",
            queryset=Criterion.objects.order_by("position", "id").prefetch_related("stage_weights"),
        )
    )


def rubric_for(*, edition_id: int, category_id: int) -> Rubric | None:
    """The category's rubric, else the edition's default one, with criteria and stage weights prefetched."""
    candidates = _with_criteria(
        Rubric.objects.filter(Q(category_id=category_id) | Q(category__isnull=True), edition_id=edition_id)
    )
    found = sorted(candidates, key=lambda rubric: rubric.category_id is None)
    return found[0] if found else None


def rubric_for_application(application: Application) -> Rubric | None:
    return rubric_for(edition_id=application.edition_id, category_id=application.category_id)


# --- freezing -------------------------------------------------------------------------------------------


def rubric_frozen_reason(rubric: Rubric, frozen_at=None) -> str:
    """Why a frozen rubric cannot change, in the words every refusal and the editor's read-only page use."""
    return _("The rubric “%(name)s” has been frozen since the first score was saved on %(when)s: its criteria, "
             "scales and weights can no longer change, because earlier scores would then mean something else.") % {
        "name": rubric.name, "when": local_time(frozen_at or rubric.frozen_at, edition=rubric.edition, with_zone=True)}


def rubric_ensure_editable(rubric: Rubric | None) -> None:
    """Refuse when the rubric (as stored now, not as the caller remembers it) is frozen."""
    if rubric is None:
        return
    ensure_edition_unlocked(rubric.edition)
    if rubric.pk is None:
        return
    frozen_at = Rubric.objects.select_for_update().filter(pk=rubric.pk).values_list("frozen_at", flat=True).first()
    if frozen_at is not None:
        raise ValidationError(rubric_frozen_reason(rubric, frozen_at), code="frozen")


def rubric_freeze(*, rubric: Rubric) -> bool:
    """Freeze the rubric when the first score is saved. Idempotent: True only for the call that froze it.

    A rubric read as frozen is frozen for good (nothing unfreezes one): no query then.
    """
    if rubric.frozen_at is not None:
        return False
    now = timezone.now()
    frozen = Rubric.objects.filter(pk=rubric.pk, frozen_at__isnull=True).update(frozen_at=now) == 1
    if frozen:
        rubric.frozen_at = now
        audit_log(actor=None, action="rubric.freeze", target=rubric, edition_id=rubric.edition_id,
                  after={"frozen_at": now.isoformat()})
    return frozen


# --- changes (admin and pages call these) -----------------------------------------------------------------


def _stored(model, instance):
    return model.objects.filter(pk=instance.pk).first() if instance.pk else None


@transaction.atomic
def rubric_save(*, rubric: Rubric, user: User | None) -> Rubric:
    """Create or change a rubric (its name, edition, category) while it is not frozen."""
    before = _stored(Rubric, rubric)
    rubric_ensure_editable(before)
    if before is not None:
        rubric.frozen_at = before.frozen_at  # only rubric_freeze sets it
    else:
        rubric.frozen_at = None
    if rubric.category_id and rubric.category.edition_id != rubric.edition_id:
        raise ValidationError({"category": _("The category must belong to the rubric's edition.")})
    rubric.full_clean()
    rubric.save()
    audit_log(actor=user, action="rubric.save", target=rubric, edition_id=rubric.edition_id,
              before=snapshot(before) if before else None, after=snapshot(rubric))
    return rubric


@transaction.atomic
def rubric_delete(*, rubric: Rubric, user: User | None) -> None:
    rubric_ensure_editable(rubric)
    before = snapshot(rubric)
    edition_id = rubric.edition_id
    audit_log(actor=user, action="rubric.delete", target=rubric, edition_id=edition_id, before=before)
    rubric.delete()


# What the criterion page edits; its version is a digest of these as stored.
CRITERION_VERSION_FIELDS = (*per_language("name", "guidance"), "scale_min", "scale_max", "weight", "levels")


def criterion_version(criterion: Criterion) -> str:
    return row_version(criterion, CRITERION_VERSION_FIELDS)


@transaction.atomic
def criterion_save(*, criterion: Criterion, user: User | None, loaded_version: str | None = None) -> Criterion:
    """Create or change a criterion (name, guidance, scale, weight, position) of a rubric that is not frozen.

    `loaded_version` is `criterion_version` of the page as loaded (None: no check): a change over a save made
    since (another tab, a colleague) is refused with EditedMeanwhile.
    """
    before = Criterion.objects.select_for_update().filter(pk=criterion.pk).first() if criterion.pk else None
    if (before is not None and loaded_version is not None and loaded_version != criterion_version(before)
            and criterion_version(criterion) != criterion_version(before)):
        raise EditedMeanwhile(changed_meanwhile_message(), current_version=criterion_version(before))
    if before is not None:
        rubric_ensure_editable(before.rubric)  # moving it out of a frozen rubric changes that rubric too
    rubric_ensure_editable(criterion.rubric)
    criterion.full_clean()
    criterion.save()
    audit_log(actor=user, action="criterion.save", target=criterion, edition_id=criterion.rubric.edition_id,
              before=snapshot(before) if before else None, after=snapshot(criterion))
    return criterion


@transaction.atomic
def criterion_delete(*, criterion: Criterion, user: User | None) -> None:
    rubric_ensure_editable(criterion.rubric)
    audit_log(actor=user, action="criterion.delete", target=criterion, edition_id=criterion.rubric.edition_id,
              before=snapshot(criterion))
    criterion.delete()


@transaction.atomic
def stage_weight_save(*, stage_weight: StageWeight, user: User | None) -> StageWeight:
    """Set a criterion's weight for one development stage (overriding its default weight for those entries)."""
    before = _stored(StageWeight, stage_weight)
    if before is not None:
        rubric_ensure_editable(before.criterion.rubric)
    rubric_ensure_editable(stage_weight.criterion.rubric)
    stage_weight.full_clean()
    stage_weight.save()
    audit_log(actor=user, action="stage_weight.save", target=stage_weight,
              edition_id=stage_weight.criterion.rubric.edition_id,
              before=snapshot(before) if before else None, after=snapshot(stage_weight))
    return stage_weight


@transaction.atomic
def stage_weight_delete(*, stage_weight: StageWeight, user: User | None) -> None:
    rubric_ensure_editable(stage_weight.criterion.rubric)
    audit_log(actor=user, action="stage_weight.delete", target=stage_weight,
              edition_id=stage_weight.criterion.rubric.edition_id, before=snapshot(stage_weight))
    stage_weight.delete()


def _weight_problems(criteria: list[Criterion]) -> list[str]:
    problems = []
    for stage, label in Application.Stage.choices:
        if sum(float(criterion_weight(c, stage)) for c in criteria) <= 0:
            problems.append(_("The weights add up to zero for entries at the “%(stage)s” stage.") % {"stage": label})
    return problems


def rubric_problems(rubric: Rubric) -> list[str]:
    """What would stop this rubric from scoring: no criteria, or weights adding up to zero for a stage."""
    criteria = list(rubric.criteria.prefetch_related("stage_weights"))
    if not criteria:
        return [_("The rubric has no criteria.")]
    return _weight_problems(criteria)


def round_rubric_gaps(judging_round: JudgingRound) -> list[str]:
    """Why the round's categories cannot be scored yet: a category without any rubric, a rubric without criteria,
    a rubric whose weights add up to zero for a development stage. Empty when every category can be scored."""
    rubrics = list(_with_criteria(Rubric.objects.filter(edition_id=judging_round.edition_id)))
    default = next((rubric for rubric in rubrics if rubric.category_id is None), None)
    own = {rubric.category_id: rubric for rubric in rubrics if rubric.category_id is not None}
    gaps: list[str] = []
    checked: set[int] = set()
    for category in judging_round.categories.order_by("position", "id"):
        rubric = own.get(category.pk, default)
        if rubric is None:
            gaps.append(_("Category “%(category)s” has no rubric and the edition has no default rubric.")
                        % {"category": category.name})
            continue
        if rubric.pk in checked:
            continue
        checked.add(rubric.pk)
        criteria = list(rubric.criteria.all())
        if not criteria:
            gaps.append(_("Rubric “%(rubric)s” has no criteria.") % {"rubric": rubric.name})
            continue
        gaps.extend(_("Rubric “%(rubric)s”: %(problem)s") % {"rubric": rubric.name, "problem": problem}
                    for problem in _weight_problems(criteria))
    return gaps


# --- the editor's compound changes ------------------------------------------------------------------------


@transaction.atomic
def criterion_move(*, criterion: Criterion, offset: int, user: User | None) -> bool:
    """Move a criterion `offset` places (−1 up, +1 down) in its rubric; False when it is already at that end.

    Positions are renumbered 0, 1, 2, … and each criterion whose position changes gets its own audit entry.
    """
    rubric_ensure_editable(criterion.rubric)
    siblings = list(Criterion.objects.select_for_update().filter(rubric_id=criterion.rubric_id)
                    .order_by("position", "id"))
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == criterion.pk)
    target = index + offset
    if not 0 <= target < len(siblings):
        return False
    siblings.insert(target, siblings.pop(index))
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            before = {"position": sibling.position}
            sibling.position = position
            sibling.save(update_fields=["position"])
            audit_log(actor=user, action="criterion.move", target=sibling, edition_id=criterion.rubric.edition_id,
                      before=before, after={"position": position})
    criterion.position = target
    return True


@transaction.atomic
def rubric_stage_weights_set(*, rubric: Rubric, weights: Mapping[tuple[int, str], Decimal | None],
                             user: User | None) -> int:
    """Set the rubric's weight profiles: {(criterion id, stage): weight, or None for the criterion's default}.

    Pairs not named are left as they are. Returns how many stage weights changed (each one audited).
    """
    rubric_ensure_editable(rubric)
    changed = 0
    for criterion in rubric.criteria.prefetch_related("stage_weights"):
        stored = {stage_weight.stage: stage_weight for stage_weight in criterion.stage_weights.all()}
        for stage, _label in Application.Stage.choices:
            if (criterion.pk, stage) not in weights:
                continue
            wanted, existing = weights[(criterion.pk, stage)], stored.get(stage)
            if wanted is None and existing is not None:
                stage_weight_delete(stage_weight=existing, user=user)
            elif wanted is not None and (existing is None or existing.weight != wanted):
                stage_weight = existing or StageWeight(criterion=criterion, stage=stage)
                stage_weight.weight = wanted
                stage_weight_save(stage_weight=stage_weight, user=user)
            else:
                continue
            changed += 1
    return changed


# Fields a copy does not take from its source: the copy's own identity and rubric.
_NOT_COPIED = {"id", "rubric"}


@transaction.atomic
def rubric_copy(*, source: Rubric, edition: Edition, category: Category | None = None,
                user: User | None) -> Rubric:
    """Copy `source` (of any edition) into the rubric of `edition` (or of its `category`): criteria with their
    levels, in order, and their stage weights. The target is created, or must still be empty and not frozen.

    Every row written is audited by the services it calls, and one `rubric.copy` entry names the source.
    """
    if category is not None and category.edition_id != edition.pk:
        raise ValidationError(_("The category must belong to the rubric's edition."), code="category")
    target = Rubric.objects.filter(edition=edition, category=category).first()
    if target is not None and target.pk == source.pk:
        raise ValidationError(_("A rubric cannot be copied onto itself."), code="same")
    if target is None:
        target = rubric_save(rubric=Rubric(edition=edition, category=category, name=source.name, **{
            field: getattr(source, field) for field in per_language("name")}), user=user)
    else:
        rubric_ensure_editable(target)
        if target.criteria.exists():
            raise ValidationError(
                _("The rubric “%(name)s” already has criteria: delete them, or the rubric, before copying another "
                  "rubric into it.") % {"name": target.name}, code="not_empty")
    fields = [field.name for field in Criterion._meta.concrete_fields if field.name not in _NOT_COPIED]
    copied = 0
    for criterion in source.criteria.order_by("position", "id").prefetch_related("stage_weights"):
        copy = Criterion(rubric=target, **{name: deepcopy(getattr(criterion, name)) for name in fields})
        criterion_save(criterion=copy, user=user)
        for stage_weight in criterion.stage_weights.all():
            stage_weight_save(stage_weight=StageWeight(criterion=copy, stage=stage_weight.stage,
                                                       weight=stage_weight.weight), user=user)
        copied += 1
    audit_log(actor=user, action="rubric.copy", target=target, edition_id=edition.pk,
              after={"source": f"{source.name} · {source.edition.name}", "criteria": copied})
    return target

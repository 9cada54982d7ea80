"""The model guard of the edition lock: no row of a finalised or published edition's judging is saved or deleted.

The services check the lock first (judging/services/locks.py); these receivers catch every other caller of
`Model.save()` and `Model.delete()`: the admin, a shell, a script, a service that forgot. Each check reads the
edition's state as stored with one query, through the row's foreign-key chain (`GUARDED`); the Edition row
itself is never guarded (its state is what moves the lock). Bulk paths send no signals and are covered by the
services (the list is in judging/services/locks.py).

Deletes cascade: when the delete started from a guarded row or queryset (`origin`), that origin's editions
are checked once and decide for every row deleted with it (a cascade never leaves its edition); a delete
started elsewhere (a user, an application) checks each guarded row. EntryResult and JudgeResult have no
`pre_delete` receiver, so that recomputing a round's results keeps Django's fast delete; only the
aggregation service deletes them, after its own check, and a cascade reaching them starts from a guarded row.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.db.models.signals import pre_delete, pre_save

from portal.models import Edition

from .models import (
    AggregationRun,
    Assignment,
    AssignmentRun,
    AwardDecision,
    Ballot,
    CalibrationEntry,
    Criterion,
    CriterionScore,
    DeliberationMinutes,
    EditionAward,
    EntryResult,
    JudgeResult,
    JudgingRound,
    PrizeTier,
    Review,
    Rubric,
    Shortlisting,
    StageWeight,
)
from .services.locks import CHECKED_ATTRIBUTE, LOCKED_EDITION_STATES, EditionLocked, lock_message

# Each guarded model and its path to the edition.
GUARDED: dict[type[Model], str] = {
    JudgingRound: "edition",
    Assignment: "round__edition",
    AssignmentRun: "round__edition",
    AggregationRun: "round__edition",
    CalibrationEntry: "round__edition",
    Review: "assignment__round__edition",
    CriterionScore: "review__assignment__round__edition",
    EntryResult: "round__edition",
    JudgeResult: "round__edition",
    Shortlisting: "round__edition",
    Rubric: "edition",
    Criterion: "rubric__edition",
    StageWeight: "criterion__rubric__edition",
    PrizeTier: "category__edition",
    EditionAward: "edition",
    AwardDecision: "edition",
    DeliberationMinutes: "edition",
    Ballot: "round__edition",
}
# Derived rows replaced whole by the aggregation service (fast delete kept; see above).
SAVE_ONLY = (EntryResult, JudgeResult)
# A job's run may still be recorded as failed in a locked edition (a task refusing it says why).
RUNS = (AssignmentRun, AggregationRun)


def _edition_state(instance: Model) -> str | None:
    """The stored state of the instance's edition, with one query through the first link of its chain."""
    path = GUARDED[type(instance)]
    first, _sep, rest = path.partition("__")
    field = instance._meta.get_field(first)
    value = getattr(instance, field.attname)
    if value is None:
        return None
    if not rest:  # the first link is the edition itself
        return Edition.objects.filter(pk=value).values_list("state", flat=True).first()
    related = field.related_model._default_manager
    return related.filter(pk=value).values_list(f"{rest}__state", flat=True).first()


def _refuse(instance: Model) -> None:
    raise EditionLocked(lock_message(), code="finalised", params={"model": type(instance).__name__})


def _check(instance: Model) -> None:
    if _edition_state(instance) in LOCKED_EDITION_STATES:
        _refuse(instance)


def guard_save(sender, instance: Model, raw: bool = False, **kwargs) -> None:
    if raw:  # loading a fixture
        return
    if instance.__dict__.get(CHECKED_ATTRIBUTE):  # the saving service checked it in this transaction (locks.py)
        return
    if isinstance(instance, RUNS) and instance.pk is not None and instance.state == instance.State.FAILED:
        return
    _check(instance)


def _origin_locked(origin) -> bool | None:
    """Whether the delete's origin touches a locked edition (cached on it); None when it is not guarded."""
    if isinstance(origin, QuerySet):
        model = origin.model
    elif isinstance(origin, Model):
        model = type(origin)
    else:
        return None
    if model is Edition:
        return None  # deleting a whole edition: each guarded row it takes with it is checked
    if model not in GUARDED:
        return None
    cache = origin.__dict__
    if "_edition_lock_checked" not in cache:
        if isinstance(origin, QuerySet):
            states = set(origin.values_list(f"{GUARDED[model]}__state", flat=True).order_by().distinct())
        else:
            states = {_edition_state(origin)}
        cache["_edition_lock_checked"] = bool(states & set(LOCKED_EDITION_STATES))
    return cache["_edition_lock_checked"]


def guard_delete(sender, instance: Model, origin=None, **kwargs) -> None:
    locked = _origin_locked(origin)
    if locked is None:
        _check(instance)
    elif locked:
        _refuse(instance)


def connect() -> None:
    for model in GUARDED:
        pre_save.connect(guard_save, sender=model, dispatch_uid=f"edition_lock_save_{model._meta.label}")
        if model not in SAVE_ONLY:
            pre_delete.connect(guard_delete, sender=model, dispatch_uid=f"edition_lock_delete_{model._meta.label}")

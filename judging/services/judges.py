"""Judges of an edition, their bids and conflicts of interest. Every write here is audited."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from portal.models import Edition, EditionRole, Organisation, User
from portal.services import audit_log, snapshot
from portal.services.roles import edition_role_add
from submissions.models import Application, Category

from ..models import Assignment, Bid, Conflict, JudgeProfile
from ..selectors.assignment import ACTIVE_STATES
from ..selectors.bids import BIDDABLE_STATUSES
from .conflicts import assignment_mark_conflicted
from .locks import ensure_edition_unlocked

PROFILE_FIELDS = ("country", "capacity", "active")


def _profile_state(judge: JudgeProfile) -> dict:
    return {
        **snapshot(judge, fields=["edition", "user", *PROFILE_FIELDS]),
        "expertise": sorted(judge.expertise.values_list("pk", flat=True)),
        "affiliations": sorted(judge.affiliations.values_list("pk", flat=True)),
    }


def _check_expertise(edition: Edition, expertise: Iterable[Category]) -> list[Category]:
    expertise = list(expertise)
    if any(category.edition_id != edition.pk for category in expertise):
        raise ValidationError({"expertise": _("Expertise is chosen among the categories of the judge's edition.")})
    return expertise


@transaction.atomic
def judge_profile_create(*, edition: Edition, user: User, actor: User | None, country: str = "",
                         capacity: int = 20, expertise: Iterable[Category] = (),
                         affiliations: Iterable[Organisation] = (), active: bool = True) -> JudgeProfile:
    """Make `user` a judge of `edition`: the profile, and the judge role that opens the judges' pages.

    The role's row is recorded here directly: `role_grant` of the judge role is routed to
    `judging.services.people.judge_role_grant`, which calls this one."""
    judge = JudgeProfile(edition=edition, user=user, country=country, capacity=capacity, active=active)
    judge.full_clean()
    judge.save()
    judge.expertise.set(_check_expertise(edition, expertise))
    judge.affiliations.set(list(affiliations))
    edition_role_add(edition=edition, user=user, role=EditionRole.Role.JUDGE, actor=actor)
    audit_log(actor=actor, action="judge.create", target=judge, edition=edition, after=_profile_state(judge))
    return judge


@transaction.atomic
def judge_profile_update(*, judge: JudgeProfile, actor: User | None, data: dict) -> JudgeProfile:
    """Change any of country, capacity, active, expertise, affiliations. Assignments are left as they are:
    the next run of the assigner uses the new values."""
    judge = JudgeProfile.objects.select_for_update().select_related("edition").get(pk=judge.pk)
    before = _profile_state(judge)
    for name in PROFILE_FIELDS:
        if name in data:
            setattr(judge, name, data[name])
    judge.full_clean()
    judge.save()
    if "expertise" in data:
        judge.expertise.set(_check_expertise(judge.edition, data["expertise"]))
    if "affiliations" in data:
        judge.affiliations.set(list(data["affiliations"]))
    if judge.active and not before["active"]:
        # An active profile always goes with the role (a revoked judge made active again is a judge again).
        edition_role_add(edition=judge.edition, user=judge.user, role=EditionRole.Role.JUDGE, actor=actor)
    after = _profile_state(judge)
    if after != before:
        audit_log(actor=actor, action="judge.update", target=judge, edition_id=judge.edition_id,
                  before=before, after=after)
    return judge


@transaction.atomic
def bid_set(*, judge: JudgeProfile, level: str | None, user: User | None, application: Application | None = None,
            category: Category | None = None) -> Bid | None:
    """Set (or with level None, withdraw) the judge's bid on one entry or one whole category."""
    if (application is None) == (category is None):
        raise ValidationError(_("A bid is on one entry or on one category."))
    target = application or category
    if target.edition_id != judge.edition_id:
        raise ValidationError(_("A judge bids only on entries and categories of their own edition."))
    ensure_edition_unlocked(judge.edition, message=_("Judging in this edition is over: bids can no longer change."),
                            code="closed")
    lookup = {"judge": judge, "application": application} if application else {"judge": judge, "category": category}
    bid = Bid.objects.select_for_update().filter(**lookup).first()
    before = {"level": bid.level} if bid else None
    if level is None:
        if bid is not None:
            bid.delete()
            audit_log(actor=user, action="bid.withdraw", target=judge, edition_id=judge.edition_id,
                      before={**before, "on": str(target)})
        return None
    if bid is None:
        bid = Bid(**lookup)
    if bid.level == level:
        return bid
    bid.level = level
    bid.full_clean()
    bid.save()
    audit_log(actor=user, action="bid.set", target=judge, edition_id=judge.edition_id, before=before,
              after={"level": level, "on": str(target)})
    return bid


@transaction.atomic
def bids_save(*, judge: JudgeProfile, user: User, entries: dict[int, str | None],
              categories: dict[int, str | None]) -> int:
    """The judge's own bids from one page of the bidding form, all or nothing; how many changed.

    `entries` and `categories` map ids to a level, or None to withdraw the bid. Only the judge bids for
    themselves (the secretariat records conflicts instead), only on entries open for bids, and not once the
    edition's judging is over.
    """
    if judge.user_id != user.pk:
        raise ValidationError(_("Only the judge places their own bids."), code="not_own")
    edition = Edition.objects.get(pk=judge.edition_id)
    ensure_edition_unlocked(edition, message=_("Judging in this edition is over: bids can no longer change."),
                            code="closed")
    levels = set(Bid.Level.values)
    if any(level is not None and level not in levels for level in [*entries.values(), *categories.values()]):
        raise ValidationError(_("Choose eager, willing, not willing, conflict or no bid."), code="level")
    applications = Application.objects.in_bulk(list(entries)) if entries else {}
    open_ids = {pk for pk, application in applications.items()
                if application.edition_id == edition.pk and application.status in BIDDABLE_STATUSES}
    if set(entries) - open_ids:
        raise ValidationError(_("Some of these entries are no longer open for bids; the page has been refreshed."),
                              code="entry")
    known_categories = Category.objects.filter(edition=edition).in_bulk(list(categories)) if categories else {}
    if set(categories) - set(known_categories):
        raise ValidationError(_("Some of these categories are not in this edition."), code="category")
    existing = {(bid.application_id, bid.category_id): bid.level for bid in Bid.objects.filter(
        Q(application_id__in=list(entries)) | Q(category_id__in=list(categories)), judge=judge)}
    changed = 0
    for pk, level in entries.items():
        if existing.get((pk, None)) != level:
            bid_set(judge=judge, level=level, user=user, application=applications[pk])
            changed += 1
    for pk, level in categories.items():
        if existing.get((None, pk)) != level:
            bid_set(judge=judge, level=level, user=user, category=known_categories[pk])
            changed += 1
    return changed


@transaction.atomic
def conflict_record(*, judge: JudgeProfile, application: Application, reason: str, user: User | None) -> Conflict:
    """The secretariat records a conflict of interest. An active assignment of the pair is withdrawn and replaced."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the record.")})
    if application.edition_id != judge.edition_id:
        raise ValidationError(_("The judge and the entry belong to different editions."))
    ensure_edition_unlocked(judge.edition)
    conflict = Conflict.objects.filter(judge=judge, application=application).first()
    if conflict is None:
        conflict = Conflict(judge=judge, application=application, source=Conflict.Source.SECRETARIAT, reason=reason,
                            recorded_by=user if user and user.is_authenticated else None)
        conflict.full_clean(exclude=["recorded_by"])  # null for the system; the model forbids blank
        conflict.save()
        audit_log(actor=user, action="conflict.record", target=conflict, edition_id=judge.edition_id,
                  after=snapshot(conflict, fields=["judge", "application", "source", "reason"]))
    for assignment in (Assignment.objects.filter(judge=judge, application=application, state__in=ACTIVE_STATES)
                       .select_related("judge__user")):
        assignment_mark_conflicted(assignment=assignment, user=user, reason=reason)
    return conflict


@transaction.atomic
def conflict_remove(*, conflict: Conflict, user: User | None) -> None:
    """Remove a conflict recorded by mistake. The pair may be assigned again by the next run or by hand."""
    ensure_edition_unlocked(conflict.judge.edition)
    before = snapshot(conflict, fields=["judge", "application", "source", "reason"])
    edition_id = conflict.judge.edition_id
    deleted, _rows = Conflict.objects.filter(pk=conflict.pk).delete()
    if deleted:
        audit_log(actor=user, action="conflict.remove", edition_id=edition_id, before=before)

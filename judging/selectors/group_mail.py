"""Reads for mail to a group: who is in a group (applicants or judges, filtered), the log of mails, a mail's
recipients with the state of each one's e-mail in the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from portal.models import Edition, Membership, User
from submissions.models import Application, Category
from worker.models import OutboxMessage

from ..models import Assignment, GroupMail, GroupMailRecipient, JudgeProfile, JudgingRound, MailTemplate, Shortlisting

Audience = GroupMail.Audience

JUDGES_ALL, JUDGES_LATE, JUDGES_DONE = "all", "late", "done"


@dataclass(frozen=True)
class GroupCriteria:
    """Who a mail goes to. Applicants: by status, category, the round whose entries they are, shortlisted in it.
    Judges: by the round and the categories they score in, late (open reviews past an open round's deadline) or
    done (every review submitted). An empty filter is no filter."""

    audience: str = Audience.APPLICANTS
    statuses: tuple[str, ...] = ()
    category_ids: tuple[int, ...] = ()
    round_id: int | None = None
    shortlisted: bool = False
    judge_progress: str = JUDGES_ALL

    def as_json(self) -> dict:
        data = {"audience": self.audience, "category_ids": list(self.category_ids), "round_id": self.round_id}
        if self.audience == Audience.APPLICANTS:
            data.update(statuses=list(self.statuses), shortlisted=self.shortlisted)
        else:
            data.update(judge_progress=self.judge_progress)
        return data

    @classmethod
    def from_json(cls, data: dict) -> GroupCriteria:
        return cls(audience=data.get("audience", Audience.APPLICANTS), statuses=tuple(data.get("statuses") or ()),
                   category_ids=tuple(data.get("category_ids") or ()), round_id=data.get("round_id"),
                   shortlisted=bool(data.get("shortlisted")), judge_progress=data.get("judge_progress") or JUDGES_ALL)


@dataclass
class GroupMember:
    """One recipient of a group: a person, and for applicants the application the mail is about."""

    user: User
    application: Application | None = None
    extra: dict = field(default_factory=dict)


def _applications(edition: Edition, criteria: GroupCriteria) -> QuerySet[Application]:
    applications = Application.objects.filter(edition=edition)
    if criteria.statuses:
        applications = applications.filter(status__in=criteria.statuses)
    if criteria.category_ids:
        applications = applications.filter(category_id__in=criteria.category_ids)
    if criteria.shortlisted:
        shortlisted = Shortlisting.objects.filter(application=OuterRef("pk"), round__edition=edition)
        if criteria.round_id:
            shortlisted = shortlisted.filter(round_id=criteria.round_id)
        applications = applications.filter(Exists(shortlisted))
    elif criteria.round_id:
        applications = applications.filter(Exists(Assignment.objects.filter(
            application=OuterRef("pk"), round_id=criteria.round_id, state__in=Assignment.ACTIVE_STATES)))
    return applications


def _applicants(edition: Edition, criteria: GroupCriteria) -> list[GroupMember]:
    applications = list(_applications(edition, criteria).select_related("organisation", "category")
                        .order_by("pk"))
    members: dict[int, list[User]] = {}
    for membership in (Membership.objects.filter(organisation_id__in={a.organisation_id for a in applications})
                       .select_related("user").filter(user__is_active=True).order_by("user__email")):
        members.setdefault(membership.organisation_id, []).append(membership.user)
    return [GroupMember(user=user, application=application)
            for application in applications for user in members.get(application.organisation_id, [])]


def _judges(edition: Edition, criteria: GroupCriteria, *, now=None) -> list[GroupMember]:
    now = now or timezone.now()
    judges = JudgeProfile.objects.filter(edition=edition, active=True, user__is_active=True)
    active = Assignment.objects.filter(judge=OuterRef("pk"), state__in=Assignment.ACTIVE_STATES)
    if criteria.round_id:
        active = active.filter(round_id=criteria.round_id)
    if criteria.category_ids:
        active = active.filter(application__category_id__in=criteria.category_ids)
    if criteria.round_id or criteria.category_ids or criteria.judge_progress != JUDGES_ALL:
        judges = judges.filter(Exists(active))
    open_reviews = active.filter(state__in=Assignment.OPEN_STATES)
    if criteria.judge_progress == JUDGES_LATE:
        judges = judges.filter(Exists(open_reviews.filter(round__state=JudgingRound.State.OPEN,
                                                          round__deadline__lt=now)))
    elif criteria.judge_progress == JUDGES_DONE:
        judges = judges.filter(~Exists(open_reviews))
    return [GroupMember(user=judge.user) for judge in judges.select_related("user").order_by("user__email")]


def group_members(*, edition: Edition, criteria: GroupCriteria, now=None) -> list[GroupMember]:
    """Everyone the criteria select, in a fixed order (two queries for applicants, one for judges)."""
    if criteria.audience == Audience.JUDGES:
        return _judges(edition, criteria, now=now)
    return _applicants(edition, criteria)


def criteria_labels(*, edition: Edition) -> dict:
    """The names a group's description needs: the edition's categories and rounds by id (two queries)."""
    return {"categories": dict(Category.objects.filter(edition=edition).values_list("pk", "name")),
            "rounds": {r.pk: r for r in JudgingRound.objects.filter(edition=edition).only("pk", "name", "deadline")}}


def edition_templates(*, edition: Edition) -> QuerySet[MailTemplate]:
    return MailTemplate.objects.filter(edition=edition).annotate(uses=Count("group_mails")).order_by("name")


def edition_group_mails(*, edition: Edition) -> QuerySet[GroupMail]:
    """The log, newest first, with each mail's counts of e-mails sent and failed (one query per page)."""
    done, failed = OutboxMessage.State.DONE, OutboxMessage.State.FAILED
    return (GroupMail.objects.filter(edition=edition).select_related("created_by", "template")
            .defer("body_en", "body_ko")
            .annotate(recipient_count=Count("recipients"),
                      delivered=Count("recipients", filter=Q(recipients__outbox_message__state=done)),
                      failed=Count("recipients", filter=Q(recipients__outbox_message__state=failed)))
            .order_by("-created_at", "-pk"))


def group_mail_recipients(*, group_mail: GroupMail, failed_only: bool = False) -> QuerySet[GroupMailRecipient]:
    """A mail's recipients with their outbox rows and applications (one query per page), failed first."""
    recipients = (GroupMailRecipient.objects.filter(group_mail=group_mail)
                  .select_related("outbox_message", "application__organisation")
                  .defer("outbox_message__body", "outbox_message__kwargs"))
    if failed_only:
        recipients = recipients.filter(outbox_message__state=OutboxMessage.State.FAILED)
    return recipients.order_by("email", "pk")


def group_mail_counts(*, group_mail: GroupMail) -> dict[str, int]:
    """How many recipients' e-mails are sent, failed, on their way, not written yet (one query)."""
    state = "outbox_message__state"
    counts = GroupMailRecipient.objects.filter(group_mail=group_mail).aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(**{state: OutboxMessage.State.DONE})),
        failed=Count("pk", filter=Q(**{state: OutboxMessage.State.FAILED})),
        unwritten=Count("pk", filter=Q(outbox_message__isnull=True)),
    )
    counts = {key: value or 0 for key, value in counts.items()}
    counts["waiting"] = counts["total"] - counts["sent"] - counts["failed"] - counts["unwritten"]
    return counts

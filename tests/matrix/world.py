"""The data the authorization matrix walks every URL over: two applicants' work in one edition, with everything
that could leak present (scores, comments, results, draft decisions, files), and one person per role.

Built once per test module (tests/test_authorization_matrix.py) with the factories; states are set directly,
since the matrix tests who may reach a page, not how an edition gets there.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from judging.models import Assignment, AwardJob, JudgingRound, Review
from portal.models import Edition, EditionRole, User, WebhookDelivery
from submissions.models import ApplicationSnapshot
from tests.factories import (
    AggregationRunFactory,
    AssignmentFactory,
    AssignmentRunFactory,
    AttachmentFactory,
    AuditEntryFactory,
    AwardDecisionFactory,
    AwardJobFactory,
    CalibrationEntryFactory,
    CategoryFactory,
    ConflictFactory,
    CriterionFactory,
    CriterionScoreFactory,
    DeletionRequestFactory,
    DeliberationMinutesFactory,
    EditionAwardFactory,
    EditionFactory,
    EditionRoleFactory,
    EntryResultFactory,
    GroupMailFactory,
    GroupMailRecipientFactory,
    InvitationFactory,
    JudgeProfileFactory,
    JudgeResultFactory,
    JudgingRoundFactory,
    MailTemplateFactory,
    MembershipFactory,
    OrganisationFactory,
    PrizeTierFactory,
    ReviewFactory,
    RoleInvitationFactory,
    RubricFactory,
    ShortlistingFactory,
    VerifiedUserFactory,
    WebhookDeliveryFactory,
    WebhookFactory,
)
from tests.factories.scoring import submitted_entry
from tests.factories.submissions import QuestionFactory, snapshot_data
from tests.factories.worker import OutboxMessageFactory
from worker.models import OutboxMessage

# What only A's organisation and the people who may read A's application may ever read.
A_SECRETS = ("Aurora Leakwatch Municipality", "Aurora lantern-grid pilot", "aurora.applicant@leak-a.example")
# What only the committee (secretariat, chair, observer) and the judge who wrote it may read.
SCORE_SECRETS = ("Kestrel-private-committee-remark",)
# The draft decision's reason: the committee's, before publication.
DECISION_SECRETS = ("Osprey-draft-decision-reason",)

ROLES = (
    "anonymous", "applicant_a", "applicant_b", "judge_assigned", "judge_unassigned", "judge_conflict",
    "secretariat", "secretariat_other", "chair", "committee", "observer", "superuser",
)


@dataclass
class World:
    edition: Edition
    other_edition: Edition
    open_edition: Edition
    users: dict[str, User | None] = field(default_factory=dict)
    objects: dict = field(default_factory=dict)


def build_world() -> World:
    now = timezone.now()
    edition = EditionFactory(name="Matrix Prize", slug="matrix-prize", state=Edition.State.DELIBERATION,
                             opens_at=now - timedelta(days=90), closes_at=now - timedelta(days=60))
    other_edition = EditionFactory(name="Other Prize", slug="other-prize", state=Edition.State.JUDGING,
                                   opens_at=now - timedelta(days=90), closes_at=now - timedelta(days=60))
    # The open call where applicant A keeps a draft (the edit, autosave, submit and upload pages).
    open_edition = EditionFactory(name="Open Prize", slug="open-prize", state=Edition.State.OPEN)
    world = World(edition, other_edition, open_edition)
    users, objects = world.users, world.objects
    users["anonymous"] = None

    category = CategoryFactory(edition=edition, name="Human-centric", slug="human-centric")
    open_category = CategoryFactory(edition=open_edition, name="Open category", slug="open-category")
    CategoryFactory(edition=other_edition, name="Other category", slug="other-category")

    org_a = OrganisationFactory(name=A_SECRETS[0])
    applicant_a = MembershipFactory(organisation=org_a, user=VerifiedUserFactory(email=A_SECRETS[2],
                                                                                 name="Applicant Aurora")).user
    org_b = OrganisationFactory(name="Borealis Testing Township")
    applicant_b = MembershipFactory(organisation=org_b, user=VerifiedUserFactory(
        email="borealis.applicant@leak-b.example", name="Applicant Borealis")).user
    users["applicant_a"], users["applicant_b"] = applicant_a, applicant_b

    app_a = submitted_entry(edition=edition, category=category, organisation=org_a, title=A_SECRETS[1],
                            with_public_image=True)
    app_b = submitted_entry(edition=edition, category=category, organisation=org_b, title="Borealis heat-map trial")
    attachment_a = AttachmentFactory(application=app_a, original_name="aurora-plan.pdf")
    ApplicationSnapshot.objects.filter(application=app_a).update(data=snapshot_data(app_a, [attachment_a]))
    draft_a = submitted_entry(edition=open_edition, category=open_category, organisation=org_a,
                              title="Aurora second draft", status="draft")
    question = QuestionFactory(edition=edition, key="matrix_question", label_en="Aurora's form question")
    objects.update(category=category, open_category=open_category, org_a=org_a, org_b=org_b, app_a=app_a,
                   app_b=app_b, attachment_a=attachment_a, draft_a=draft_a, question=question)

    for role in ("secretariat", "chair", "committee", "observer"):
        users[role] = EditionRoleFactory(edition=edition, role=role, user__name=f"The {role}").user
    # The secretariat is also an organiser (may create editions), as the demo's is.
    users["secretariat"].is_organiser = True
    users["secretariat"].save(update_fields=["is_organiser"])
    users["secretariat_other"] = EditionRoleFactory(edition=other_edition, role=EditionRole.Role.SECRETARIAT,
                                                    user__name="Secretariat elsewhere").user
    users["superuser"] = VerifiedUserFactory(is_staff=True, is_superuser=True, name="Super user")

    rubric = RubricFactory(edition=edition, name="Main rubric")
    criterion = CriterionFactory(rubric=rubric, name="Impact")
    judging_round = JudgingRoundFactory(edition=edition, name="Category round", state=JudgingRound.State.SCORED,
                                        categories=[category], committee_vote=True)
    judges = {name: JudgeProfileFactory(edition=edition, user__name=f"Judge {name}")
              for name in ("judge_assigned", "judge_unassigned", "judge_conflict")}
    users.update({name: profile.user for name, profile in judges.items()})
    assignment_a = AssignmentFactory(round=judging_round, judge=judges["judge_assigned"], application=app_a,
                                     state=Assignment.State.SUBMITTED)
    review = ReviewFactory(assignment=assignment_a, state=Review.State.SUBMITTED, submitted_at=now,
                           committee_comment=SCORE_SECRETS[0], applicant_comment="Clear and measurable.",
                           weighted_total=8.0)
    CriterionScoreFactory(review=review, criterion=criterion, score=8, comment=SCORE_SECRETS[0])
    assignment_b = AssignmentFactory(round=judging_round, judge=judges["judge_unassigned"], application=app_b,
                                     state=Assignment.State.SUBMITTED)
    CriterionScoreFactory(review=ReviewFactory(assignment=assignment_b, state=Review.State.SUBMITTED,
                                               submitted_at=now, weighted_total=6.0), criterion=criterion, score=6)
    conflicted = AssignmentFactory(round=judging_round, judge=judges["judge_conflict"], application=app_a,
                                   state=Assignment.State.CONFLICT_DECLARED)
    ConflictFactory(judge=judges["judge_conflict"], application=app_a, source="judge", reason="My former employer")
    AssignmentFactory(round=judging_round, judge=judges["judge_conflict"], application=app_b,
                      state=Assignment.State.SUBMITTED)
    assignment_run = AssignmentRunFactory(round=judging_round, state="succeeded")
    aggregation_run = AggregationRunFactory(round=judging_round, state="succeeded")
    EntryResultFactory(round=judging_round, application=app_a, category=category, rank=1, corrected=8.0)
    EntryResultFactory(round=judging_round, application=app_b, category=category, rank=2, corrected=6.0)
    for profile in judges.values():
        JudgeResultFactory(round=judging_round, judge=profile)
    ShortlistingFactory(round=judging_round, application=app_a)
    CalibrationEntryFactory(round=judging_round, application=app_b)

    tier = PrizeTierFactory(category=category)
    award = EditionAwardFactory(edition=edition, name="Leadership award")
    decision = AwardDecisionFactory(tier=tier, application=app_a, proposed_rank=1, reason=DECISION_SECRETS[0])
    minutes = DeliberationMinutesFactory(edition=edition)
    minutes.file.save("minutes.pdf", ContentFile(b"%PDF-1.4 minutes"), save=True)
    job = AwardJobFactory(edition=edition, kind=AwardJob.Kind.CERTIFICATES, state="succeeded")
    job.result.save("certificates.zip", ContentFile(b"PK"), save=True)
    AuditEntryFactory(edition=edition, actor=users["secretariat"], action="application.screen",
                      target_repr=A_SECRETS[1])

    role_invitation = RoleInvitationFactory(edition=edition, invited_by=users["secretariat"])
    outbox_message = OutboxMessageFactory(kind=OutboxMessage.Kind.EMAIL, edition=edition, recipient=A_SECRETS[2],
                                          subject="Your application", body="…", state=OutboxMessage.State.FAILED,
                                          last_error="SMTP refused")
    invitation = InvitationFactory(organisation=org_a, email="colleague.aurora@leak-a.example")
    # A mail to the applicants, A's member among its recipients, whose e-mail failed.
    mail_template = MailTemplateFactory(edition=edition, name="News to applicants")
    group_mail = GroupMailFactory(edition=edition, template=mail_template, state="succeeded", progress=100)
    group_mail_recipient = GroupMailRecipientFactory(
        group_mail=group_mail, user=applicant_a, email=applicant_a.email, application=app_a,
        outbox_message=OutboxMessageFactory(kind=OutboxMessage.Kind.EMAIL, edition=edition, recipient=A_SECRETS[2],
                                            subject="News", body="…", state=OutboxMessage.State.FAILED,
                                            last_error="SMTP refused"))
    # Applicant A's pending request to have their account deleted (data protection).
    deletion_request_a = DeletionRequestFactory(user=applicant_a, reason="Aurora leaves the municipality.")
    webhook = WebhookFactory(edition=edition, created_by=users["secretariat"])
    webhook_delivery = WebhookDeliveryFactory(webhook=webhook, state=WebhookDelivery.State.FAILED,
                                              payload={"application_id": app_a.pk})

    objects.update(rubric=rubric, criterion=criterion, round=judging_round, assignment_a=assignment_a,
                   assignment_b=assignment_b, conflicted=conflicted, judge_a=judges["judge_assigned"],
                   assignment_run=assignment_run, aggregation_run=aggregation_run, tier=tier, award=award,
                   decision=decision, minutes=minutes, job=job, role_invitation=role_invitation,
                   invitation=invitation, outbox_message=outbox_message,
                   mail_template=mail_template, group_mail=group_mail, group_mail_recipient=group_mail_recipient,
                   deletion_request_a=deletion_request_a, webhook=webhook, webhook_delivery=webhook_delivery)
    return world

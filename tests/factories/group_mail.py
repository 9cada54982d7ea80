"""Mail to a group: a template, a mail sent, a recipient (rows; tests that send go through the services)."""

from dataclasses import dataclass, field

import factory

from judging.models import GroupMail, GroupMailRecipient, MailTemplate

from .portal import EditionFactory, UserFactory


class MailTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MailTemplate

    edition = factory.SubFactory(EditionFactory)
    name = factory.Sequence(lambda n: f"Template {n}")
    subject_en = "News about {edition}"
    subject_ko = "{edition} 소식"
    body_en = "Dear {name},\n\nNews about {edition}: {link}\n"
    body_ko = "{name}님께,\n\n{edition} 소식입니다: {link}\n"


class GroupMailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupMail

    edition = factory.SubFactory(EditionFactory)
    template = factory.SubFactory(MailTemplateFactory, edition=factory.SelfAttribute("..edition"))
    audience = GroupMail.Audience.APPLICANTS
    criteria = factory.LazyFunction(lambda: {"audience": "applicants", "statuses": ["submitted"]})
    subject_en = factory.SelfAttribute("template.subject_en")
    subject_ko = factory.SelfAttribute("template.subject_ko")
    body_en = factory.SelfAttribute("template.body_en")
    body_ko = factory.SelfAttribute("template.body_ko")
    total = 1


class GroupMailRecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupMailRecipient

    group_mail = factory.SubFactory(GroupMailFactory)
    user = factory.SubFactory(UserFactory)
    email = factory.SelfAttribute("user.email")
    name = factory.SelfAttribute("user.name")
    language = "en"


@dataclass
class MailWorld:
    """An edition with applicants in every status and judges late, done and idle, for mail to a group; and another
    edition whose people must never be written to."""

    edition: object
    other_edition: object
    secretariat: object
    human: object
    tech: object
    round: object
    template: object
    applications: dict = field(default_factory=dict)  # submitted, eligible, draft, withdrawn, elsewhere
    members: dict = field(default_factory=dict)  # application key -> [users]
    judges: dict = field(default_factory=dict)  # late, done, idle -> JudgeProfile


def mail_world(*, blind: bool = False) -> MailWorld:
    from datetime import timedelta

    from django.utils import timezone

    from judging.models import Assignment, JudgingRound
    from portal.models import EditionRole
    from submissions.models import Application

    from .judging import AssignmentFactory, JudgeProfileFactory, JudgingRoundFactory, ShortlistingFactory
    from .portal import EditionRoleFactory, MembershipFactory, OrganisationFactory, VerifiedUserFactory
    from .submissions import ApplicationFactory, CategoryFactory

    edition = EditionFactory(name="Seoul Smart City Prize", name_ko="서울 스마트시티 상", slug="seoul-prize")
    other = EditionFactory(name="Other Prize", slug="other-prize")
    human = CategoryFactory(edition=edition, name="Human-centric", name_ko="인간 중심")
    tech = CategoryFactory(edition=edition, name="Tech-innovative", name_ko="기술 혁신")
    judging_round = JudgingRoundFactory(edition=edition, name="Category round", state=JudgingRound.State.OPEN,
                                        deadline=timezone.now() - timedelta(days=1), blind=blind,
                                        categories=[human, tech])
    secretariat = EditionRoleFactory(edition=edition, role=EditionRole.Role.SECRETARIAT, user__name="Sec").user
    template = MailTemplateFactory(
        edition=edition, name="News",
        subject_en="{edition}: news for {name}", subject_ko="{edition}: {name}님께 소식",
        body_en="Dear {name} of {organisation},\nYour entry “{application_title}” ({category}).\n"
                "Deadline {deadline}. {link}\n",
        body_ko="{organisation}의 {name}님,\n“{application_title}” ({category}).\n마감 {deadline}. {link}\n")
    world = MailWorld(edition, other, secretariat, human, tech, judging_round, template)
    specs = {
        "submitted": (edition, human, Application.Status.SUBMITTED, ["en", "ko"]),
        "eligible": (edition, tech, Application.Status.ELIGIBLE, ["ko"]),
        "draft": (edition, human, Application.Status.DRAFT, [""]),
        "withdrawn": (edition, tech, Application.Status.WITHDRAWN, ["en"]),
        "elsewhere": (other, CategoryFactory(edition=other), Application.Status.SUBMITTED, ["en"]),
    }
    for key, (in_edition, category, status, languages) in specs.items():
        organisation = OrganisationFactory(name=f"Organisation {key}")
        world.applications[key] = ApplicationFactory(edition=in_edition, category=category, organisation=organisation,
                                                     status=status, title=f"Entry {key}")
        world.members[key] = [MembershipFactory(organisation=organisation, user=VerifiedUserFactory(
            email=f"{key}{index}@applicant.example", name=f"Applicant {key} {index}", language=language)).user
            for index, language in enumerate(languages)]
    for key, language in (("late", "ko"), ("done", "en"), ("idle", "")):
        world.judges[key] = JudgeProfileFactory(edition=edition, user__email=f"{key}@judge.example",
                                                user__name=f"Judge {key}", user__language=language)
    AssignmentFactory(round=judging_round, judge=world.judges["late"], application=world.applications["eligible"],
                      state=Assignment.State.IN_PROGRESS)
    AssignmentFactory(round=judging_round, judge=world.judges["late"], application=world.applications["submitted"],
                      state=Assignment.State.SUBMITTED)
    AssignmentFactory(round=judging_round, judge=world.judges["done"], application=world.applications["eligible"],
                      state=Assignment.State.SUBMITTED)
    JudgeProfileFactory(edition=other, user__email="elsewhere@judge.example")
    ShortlistingFactory(round=judging_round, application=world.applications["eligible"])
    return world

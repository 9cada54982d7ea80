"""Shared set-up for the scoring tests: an edition in judging with an open round, a rubric, judges and entries.

The other test_scoring_* / test_workbench_* / ... modules import these helpers; the one test
here checks the set-up itself.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone

from judging.models import Assignment, Criterion, JudgeProfile, JudgingRound, Rubric
from portal.models import Edition, EditionRole
from submissions.models import Application, ApplicationSnapshot, Category
from tests.factories import EditionRoleFactory, OrganisationFactory
from tests.factories.judging import (
    AssignmentFactory,
    CriterionFactory,
    JudgeProfileFactory,
    JudgingRoundFactory,
    RubricFactory,
)
from tests.factories.portal import EditionFactory
from tests.factories.submissions import ApplicationFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def snapshot_data(application: Application, attachments=()) -> dict:
    """What application_submit freezes, built the same way (content fields, category, organisation, files)."""
    organisation = application.organisation
    data = {name: getattr(application, name) for name in Application.CONTENT_FIELDS}
    data["category"] = {"slug": application.category.slug, "name": application.category.name}
    data["organisation"] = {
        "name": organisation.name, "kind": organisation.kind, "country": organisation.country.code,
        "city": organisation.city, "population_band": organisation.population_band,
    }
    data["attachments"] = [
        {"id": a.pk, "name": a.original_name, "content_type": a.content_type, "size": a.size, "pages": a.pages}
        for a in attachments
    ]
    return data


def submitted_entry(*, edition: Edition, category: Category, attachments=(), **fields) -> Application:
    """An eligible application with its submitted snapshot."""
    fields.setdefault("status", Application.Status.ELIGIBLE)
    application = ApplicationFactory(edition=edition, category=category, **fields)
    ApplicationSnapshot.objects.create(application=application, number=1, data=snapshot_data(application, attachments))
    return application


@dataclass
class World:
    edition: Edition
    category: Category
    round: JudgingRound
    rubric: Rubric
    criteria: list[Criterion]
    judges: list[JudgeProfile]
    entries: list[Application]
    assignments: dict = field(default_factory=dict)  # (judge index, entry index) -> Assignment

    def assignment(self, judge: int, entry: int) -> Assignment:
        return self.assignments[(judge, entry)]

    def role(self, role: str):
        return EditionRoleFactory(edition=self.edition, role=role).user


def make_world(*, judges: int = 2, entries: int = 2, pairs=None, criteria=((0, 10, 1), (0, 10, 1)),
               blind: bool = False, state=JudgingRound.State.OPEN, edition_state=Edition.State.JUDGING,
               category=None, edition=None) -> World:
    """`pairs` lists (judge index, entry index) to assign; by default every judge gets every entry."""
    edition = edition or EditionFactory(state=edition_state, opens_at=timezone.now() - timedelta(days=60),
                                        closes_at=timezone.now() - timedelta(days=30))
    category = category or CategoryFactory(edition=edition, name="Human-centric")
    rubric = Rubric.objects.filter(edition=edition, category__isnull=True).first() or RubricFactory(
        edition=edition, name="Main rubric")
    made = [
        CriterionFactory(rubric=rubric, name=f"Criterion {i + 1}", scale_min=low, scale_max=high, weight=weight,
                         position=i)
        for i, (low, high, weight) in enumerate(criteria)
    ] if not rubric.criteria.exists() else list(rubric.criteria.all())
    judging_round = JudgingRoundFactory(edition=edition, state=state, blind=blind, judges_per_entry=3,
                                        categories=[category])
    judge_profiles = [JudgeProfileFactory(edition=edition, expertise=[category]) for _ in range(judges)]
    apps = [submitted_entry(edition=edition, category=category, title=f"Entry {i + 1}",
                            organisation=OrganisationFactory(name=f"Organisation {category.pk}-{i + 1}"))
            for i in range(entries)]
    world = World(edition, category, judging_round, rubric, made, judge_profiles, apps)
    for j, e in pairs if pairs is not None else [(j, e) for j in range(judges) for e in range(entries)]:
        world.assignments[(j, e)] = AssignmentFactory(round=judging_round, judge=judge_profiles[j],
                                                      application=apps[e])
    return world


def test_the_world_has_what_the_scoring_tests_need():
    world = make_world(judges=2, entries=3)
    assert Assignment.objects.filter(round=world.round).count() == 6
    assert [c.name for c in world.rubric.criteria.all()] == ["Criterion 1", "Criterion 2"]
    assert ApplicationSnapshot.objects.filter(application__in=world.entries).count() == 3
    assert EditionRole.objects.filter(edition=world.edition, role="judge").count() == 2

"""The committee's move of an entry to another category's consideration; `award_world`, a final round's results."""

from dataclasses import dataclass

import factory

from judging.models import CategoryConsideration, Criterion, JudgingRound, PrizeTier, Rubric
from portal.models import Edition
from submissions.models import Application, Category

from .awards import PrizeTierFactory
from .ceremony import lock_edition
from .judging import CriterionFactory, EntryResultFactory, JudgingRoundFactory, RubricFactory
from .portal import EditionFactory, EditionRoleFactory, OrganisationFactory
from .submissions import ApplicationFactory, CategoryFactory


class CategoryConsiderationFactory(factory.django.DjangoModelFactory):
    """An eligible entry considered in another category of its edition."""

    class Meta:
        model = CategoryConsideration

    application = factory.SubFactory(ApplicationFactory, status="eligible")
    edition = factory.LazyAttribute(lambda consideration: consideration.application.edition)
    category = factory.SubFactory(CategoryFactory, edition=factory.SelfAttribute("..edition"))
    reason = "It fits the other category's call better."


# --- a final round's results, for the proposal and the deliberation ---------------------------------------------

SEOUL = (("gold", 1), ("silver", 2), ("bronze", 3))


@dataclass
class AwardWorld:
    edition: Edition
    category: Category
    round: JudgingRound
    tiers: list[PrizeTier]
    entries: list[Application]
    criterion: Criterion

    def role(self, role: str):
        return EditionRoleFactory(edition=self.edition, role=role).user

    def tier(self, level: str) -> PrizeTier:
        return next(tier for tier in self.tiers if tier.level == level)


def award_world(scores, *, intervals=None, tiers=SEOUL, medians=None, edition=None, name="Human-centric",
                state=Edition.State.DELIBERATION) -> AwardWorld:
    """A category with `tiers` and one entry per score, ranked (competition ranks, ties shown) in its final round.

    `intervals` gives each entry's (low, high); by default ±0.1 around its score, so that entries one point
    apart are told apart. `medians` gives each entry's median on the rubric's criterion "Impact".
    """
    # A locked edition refuses new rows (judging.signals): build it deliberating, then lock it at the end.
    locked = state in (Edition.State.FINALISED, Edition.State.PUBLISHED)
    edition = edition or EditionFactory(state=Edition.State.DELIBERATION if locked else state)
    category = CategoryFactory(edition=edition, name=name)
    rubric = Rubric.objects.filter(edition=edition).first() or RubricFactory(edition=edition, name="Rubric")
    criterion = rubric.criteria.first() or CriterionFactory(rubric=rubric, name="Impact")
    made_tiers = [PrizeTierFactory(category=category, level=level, places=places, position=position)
                  for position, (level, places) in enumerate(tiers, start=1)]
    JudgingRoundFactory(edition=edition, categories=[category], state=JudgingRound.State.SCORED)  # an earlier round
    final = JudgingRoundFactory(edition=edition, categories=[category], state=JudgingRound.State.SCORED)
    entries = []
    for index, score in enumerate(scores):
        entry = ApplicationFactory(edition=edition, category=category, status="eligible", title=f"Entry {index + 1}",
                                   organisation=OrganisationFactory(name=f"Organisation {category.pk}-{index + 1}"))
        low, high = intervals[index] if intervals else (score - 0.1, score + 0.1)
        rank = 1 + sum(other > score for other in scores)
        EntryResultFactory(round=final, application=entry, corrected=score, mean=score, interval_low=low,
                           interval_high=high, rank=rank, tied=list(scores).count(score) > 1, criterion_medians={
                               str(criterion.pk): {"median": medians[index] if medians else score, "n": 3}})
        entries.append(entry)
    if locked:
        lock_edition(edition, state)
    return AwardWorld(edition, category, final, made_tiers, entries, criterion)

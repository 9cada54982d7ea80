"""Factories of the awards models: prize tiers, edition awards, decisions, minutes, ballots, notices, jobs."""

import datetime

import factory

from judging.models import AwardDecision, AwardJob, Ballot, DecisionNotice, DeliberationMinutes, EditionAward, PrizeTier

from .judging import JudgingRoundFactory
from .portal import EditionFactory, VerifiedUserFactory
from .submissions import ApplicationFactory, CategoryFactory


class PrizeTierFactory(factory.django.DjangoModelFactory):
    """One gold prize in a new category; pass level, places and position for other tiers."""

    class Meta:
        model = PrizeTier

    category = factory.SubFactory(CategoryFactory)
    level = PrizeTier.Level.GOLD
    places = 1
    position = 1


class EditionAwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EditionAward

    edition = factory.SubFactory(EditionFactory)
    kind = EditionAward.Kind.SPECIAL_MENTION
    name = factory.Sequence(lambda n: f"Special mention {n}")
    position = factory.Sequence(lambda n: n + 1)


class AwardDecisionFactory(factory.django.DjangoModelFactory):
    """A category prize for an entry of the tier's category, in the same edition."""

    class Meta:
        model = AwardDecision

    tier = factory.SubFactory(PrizeTierFactory)
    category = factory.LazyAttribute(lambda decision: decision.tier.category)
    edition = factory.LazyAttribute(lambda decision: decision.category.edition)
    application = factory.SubFactory(ApplicationFactory, edition=factory.SelfAttribute("..edition"),
                                     category=factory.SelfAttribute("..category"), status="eligible")
    proposed_rank = 1


class DeliberationMinutesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliberationMinutes

    edition = factory.SubFactory(EditionFactory)
    held_on = datetime.date(2026, 11, 20)
    text = "The committee met and agreed the proposal in both main categories."


class BallotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ballot

    round = factory.SubFactory(JudgingRoundFactory)
    category = factory.SubFactory(CategoryFactory, edition=factory.SelfAttribute("..round.edition"))
    voter = factory.SubFactory(VerifiedUserFactory)
    ranking = factory.LazyFunction(list)


class DecisionNoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DecisionNotice

    application = factory.SubFactory(ApplicationFactory, status="eligible")


class AwardJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardJob

    edition = factory.SubFactory(EditionFactory)
    kind = AwardJob.Kind.NOTIFY

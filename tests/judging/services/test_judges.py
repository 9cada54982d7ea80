"""Judge profiles, bids and conflicts of interest: the services, and how they read back as conflicts."""

import pytest
from django.core.exceptions import ValidationError

from judging.models import Bid, Conflict, JudgeProfile
from judging.selectors.assignment import pair_affinity, pair_conflict_reasons
from judging.services import judges as services
from portal.models import AuditEntry, EditionRole
from tests.factories import (
    ApplicationFactory,
    CategoryFactory,
    EditionFactory,
    MembershipFactory,
    OrganisationFactory,
    VerifiedUserFactory,
)
from tests.factories.judging import ConflictFactory, JudgeProfileFactory

pytestmark = pytest.mark.django_db


def test_creating_a_judge_grants_the_role_and_is_audited():
    edition = EditionFactory()
    human = CategoryFactory(edition=edition)
    city = OrganisationFactory()
    user, secretary = VerifiedUserFactory(), VerifiedUserFactory()

    judge = services.judge_profile_create(edition=edition, user=user, actor=secretary, country="KE", capacity=12,
                                          expertise=[human], affiliations=[city])

    assert (judge.country.code, judge.capacity, judge.active) == ("KE", 12, True)
    assert list(judge.expertise.all()) == [human]
    assert list(judge.affiliations.all()) == [city]
    assert EditionRole.objects.filter(edition=edition, user=user, role="judge").exists()
    audit = AuditEntry.objects.get(action="judge.create")
    assert (audit.actor, audit.after["expertise"], audit.after["affiliations"]) == (secretary, [human.pk], [city.pk])


def test_expertise_must_come_from_the_judges_edition():
    edition, elsewhere = EditionFactory(), CategoryFactory()
    with pytest.raises(ValidationError):
        services.judge_profile_create(edition=edition, user=VerifiedUserFactory(), actor=None, expertise=[elsewhere])
    assert JudgeProfile.objects.count() == 0


def test_a_user_is_a_judge_once_per_edition():
    judge = JudgeProfileFactory()
    with pytest.raises(ValidationError):
        services.judge_profile_create(edition=judge.edition, user=judge.user, actor=None)


def test_updating_a_judge_records_before_and_after_and_nothing_when_unchanged():
    judge = JudgeProfileFactory(capacity=20)
    tech = CategoryFactory(edition=judge.edition)

    services.judge_profile_update(judge=judge, actor=None, data={"capacity": 8, "expertise": [tech]})
    services.judge_profile_update(judge=judge, actor=None, data={"capacity": 8})

    judge.refresh_from_db()
    assert judge.capacity == 8
    audit = AuditEntry.objects.get(action="judge.update")
    assert (audit.before["capacity"], audit.after["capacity"], audit.after["expertise"]) == (20, 8, [tech.pk])


def test_a_bid_is_set_changed_and_withdrawn():
    judge = JudgeProfileFactory()
    entry = ApplicationFactory(edition=judge.edition)

    services.bid_set(judge=judge, level="eager", user=None, application=entry)
    services.bid_set(judge=judge, level="willing", user=None, application=entry)
    assert list(Bid.objects.values_list("application_id", "level")) == [(entry.pk, "willing")]
    services.bid_set(judge=judge, level=None, user=None, application=entry)

    assert Bid.objects.count() == 0
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "bid.set", "bid.set", "bid.withdraw"]


def test_a_bid_is_on_one_entry_or_one_category_of_the_judges_edition():
    judge = JudgeProfileFactory()
    with pytest.raises(ValidationError):
        services.bid_set(judge=judge, level="eager", user=None)
    with pytest.raises(ValidationError):
        services.bid_set(judge=judge, level="eager", user=None, application=ApplicationFactory())
    with pytest.raises(ValidationError):
        services.bid_set(judge=judge, level="keen", user=None, category=CategoryFactory(edition=judge.edition))
    assert Bid.objects.count() == 0


def test_a_conflict_is_recorded_once_and_removed_with_an_audit_trail():
    judge = JudgeProfileFactory()
    entry = ApplicationFactory(edition=judge.edition)
    secretary = VerifiedUserFactory()

    first = services.conflict_record(judge=judge, application=entry, reason="Board member", user=secretary)
    again = services.conflict_record(judge=judge, application=entry, reason="Board member", user=secretary)
    assert (first.pk, first.source, first.recorded_by) == (again.pk, Conflict.Source.SECRETARIAT, secretary)
    services.conflict_remove(conflict=first, user=secretary)

    assert Conflict.objects.count() == 0
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "conflict.record", "conflict.remove"]
    with pytest.raises(ValidationError):
        services.conflict_record(judge=judge, application=entry, reason="", user=secretary)


def test_every_kind_of_conflict_reads_back_with_its_reason():
    edition = EditionFactory(conflict_same_country=True)
    city = OrganisationFactory(country="KR")
    entry = ApplicationFactory(edition=edition, organisation=city)
    judge = JudgeProfileFactory(edition=edition, country="FR")
    assert pair_conflict_reasons(judge=judge, application=entry) == []

    MembershipFactory(organisation=city, user=judge.user)
    judge.affiliations.add(city)
    JudgeProfile.objects.filter(pk=judge.pk).update(country="KR")
    ConflictFactory(judge=judge, application=entry, source="declared")
    services.bid_set(judge=judge, level="conflict", user=None, category=entry.category)
    judge.refresh_from_db()

    assert pair_conflict_reasons(judge=judge, application=entry) == [
        "the judge is a member of the applying organisation",
        "the applying organisation is among the judge's affiliations",
        "the judge is from the applicant's country (this edition forbids it)",
        "the judge declared a conflict of interest",
        "the judge bid “conflict”",
    ]


def test_affinity_is_expertise_plus_the_most_specific_bid():
    edition = EditionFactory()
    human = CategoryFactory(edition=edition)
    entry = ApplicationFactory(edition=edition, category=human)
    judge = JudgeProfileFactory(edition=edition, expertise=[human])
    assert pair_affinity(judge=judge, application=entry) == (10, [])
    services.bid_set(judge=judge, level="not_willing", user=None, category=human)
    assert pair_affinity(judge=judge, application=entry) == (5, [])
    services.bid_set(judge=judge, level="eager", user=None, application=entry)  # the entry's bid wins
    assert pair_affinity(judge=judge, application=entry) == (15, [])

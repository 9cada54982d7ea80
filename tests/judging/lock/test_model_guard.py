"""The model guard: a direct save() or delete() of a finalised edition's judging row is refused."""

import pytest
from django.db import transaction

from judging.models import (
    AwardDecision,
    Ballot,
    CriterionScore,
    DeliberationMinutes,
    EditionAward,
    EntryResult,
    JudgeResult,
    Review,
    Shortlisting,
)
from judging.services.locks import EditionLocked
from portal.models import Edition

pytestmark = pytest.mark.django_db


def test_a_direct_review_save_and_delete_are_refused(locked, fingerprint):
    before = fingerprint(locked.edition)
    review = Review.objects.filter(assignment__round=locked.round).first()
    review.committee_comment = "Changed after the fact"
    with pytest.raises(EditionLocked, match="finalised"):
        review.save()
    with pytest.raises(EditionLocked), transaction.atomic():
        review.delete()
    assert fingerprint(locked.edition) == before


@pytest.mark.parametrize("model", [CriterionScore, EntryResult, JudgeResult, Shortlisting, AwardDecision])
def test_every_locked_row_refuses_a_save(locked, fingerprint, model):
    before = fingerprint(locked.edition)
    row = model.objects.first()
    with pytest.raises(EditionLocked):
        row.save()
    assert fingerprint(locked.edition) == before


def test_new_rows_in_a_locked_edition_are_refused(locked):
    with pytest.raises(EditionLocked):
        EditionAward.objects.create(edition=locked.edition, kind="leadership", name="Late award")
    with pytest.raises(EditionLocked):
        DeliberationMinutes.objects.create(edition=locked.edition, held_on="2026-12-01", text="Late minutes")
    with pytest.raises(EditionLocked):
        Ballot.objects.create(round=locked.round, category=locked.world.category, voter=locked.chair, ranking=[])


def test_a_cascade_from_the_round_or_the_edition_is_refused(locked, fingerprint):
    before = fingerprint(locked.edition)
    with pytest.raises(EditionLocked), transaction.atomic():
        locked.round.delete()
    with pytest.raises(EditionLocked), transaction.atomic():
        Review.objects.filter(assignment__round=locked.round).delete()
    assert fingerprint(locked.edition) == before


def test_the_edition_row_itself_is_not_guarded(locked):
    edition = Edition.objects.get(pk=locked.edition.pk)
    edition.description = "Thanks to every city that applied."
    edition.save()
    assert Edition.objects.get(pk=edition.pk).description == "Thanks to every city that applied."


def test_the_guard_reads_the_state_with_one_query(locked, django_assert_num_queries):
    review = Review.objects.filter(assignment__round=locked.round).first()
    with django_assert_num_queries(1), pytest.raises(EditionLocked):
        review.save()

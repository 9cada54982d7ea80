"""Copying last year's edition: exactly its set-up, none of its history, every row audited, in one transaction."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from judging.models import (
    AggregationRun,
    Assignment,
    AwardDecision,
    Ballot,
    Bid,
    CalibrationEntry,
    Conflict,
    CriterionScore,
    EditionAward,
    EntryResult,
    JudgeProfile,
    JudgingRound,
    PrizeTier,
    Review,
    Rubric,
)
from judging.services.edition_copy import edition_copy
from portal.models import AuditEntry, Edition, EditionRole
from submissions.models import Application, Category, Question
from tests.factories import JudgingRoundFactory, VerifiedUserFactory
from tests.factories.editions import LAST_YEAR_OPENS, last_year_edition

pytestmark = pytest.mark.django_db

NEXT_YEAR_OPENS = datetime.datetime(2026, 3, 15, 9, 0, tzinfo=datetime.UTC)
SHIFT = NEXT_YEAR_OPENS - LAST_YEAR_OPENS


def data(**changes) -> dict:
    return {"name": "Seoul Smart City Prize 2026", "slug": "seoul-2026", "programme": "Seoul Smart City Prize",
            "description": "The third edition.", "time_zone": "Asia/Seoul", "opens_at": NEXT_YEAR_OPENS,
            "closes_at": NEXT_YEAR_OPENS + datetime.timedelta(days=60), **changes}


def test_a_copy_takes_the_set_up_exactly():
    last = last_year_edition()
    new = edition_copy(source=last.edition, user=last.secretariat, data=data())

    assert (new.state, new.name, new.slug, new.time_zone, new.opens_at) == (
        "draft", "Seoul Smart City Prize 2026", "seoul-2026", "Asia/Seoul", NEXT_YEAR_OPENS)
    assert (new.conflict_same_country, new.tie_break, new.tie_break_criterion, new.publish_scores,
            new.publish_dataset) == (True, "criterion", "Impact", True, True)
    assert new.finalised_at is None and new.published_at is None
    assert list(Category.objects.filter(edition=new).values_list(
        "name", "slug", "description", "allowed_kinds", "max_entries_per_organisation", "position")) == [
        ("Human-centric", "human-centric", "Services built around residents.", ["city", "institute"], 2, 1),
        ("Tech-innovative", "tech-innovative", "New technology in the city.", [], 1, 2),
    ]
    assert list(Question.objects.filter(edition=new).values_list(
        "key", "version", "label_en", "label_ko", "help_text_en", "max_chars", "required", "position")) == [
        ("summary", 1, "In short", "요약", "What the project does.", 800, True, 1),
        ("impact_evidence", 1, "Evidence of impact", "", "What changed, with numbers.", 4000, False, 2),
    ]
    seoul = [("gold", 1, 1), ("silver", 2, 2), ("bronze", 3, 3)]
    assert list(PrizeTier.objects.filter(category__edition=new).order_by("category__position", "position")
                .values_list("category__slug", "level", "places", "position")) == [
        *(("human-centric", *tier) for tier in seoul), *(("tech-innovative", *tier) for tier in seoul)]
    assert list(EditionAward.objects.filter(edition=new).values_list(
        "kind", "name", "description", "max_recipients", "position")) == [
        ("leadership", "Leadership award", "For a mayor's leadership.", 2, 1),
        ("special_mention", "Special mention", "", None, 2),
    ]
    first, final = JudgingRound.objects.filter(edition=new).order_by("position")
    assert [(r.name, r.position, r.source, r.judges_per_entry, r.deadline, r.blind, r.reminder_hours,
             r.committee_vote, r.explanation_to_applicants, r.state) for r in (first, final)] == [
        ("Category round", 1, "eligible", 4, LAST_YEAR_OPENS + datetime.timedelta(days=90) + SHIFT, True, [72, 24],
         False, True, "scheduled"),
        ("Final round", 2, "shortlist", 5, LAST_YEAR_OPENS + datetime.timedelta(days=120) + SHIFT, False, [48],
         True, False, "scheduled"),
    ]
    assert final.previous_round_id == first.pk
    assert sorted(first.categories.values_list("slug", flat=True)) == ["human-centric", "tech-innovative"]
    assert list(final.categories.values_list("edition_id", "slug")) == [(new.pk, "human-centric")]


def test_a_copy_takes_none_of_the_history():
    last = last_year_edition()
    before = _history_counts(last.edition)
    new = edition_copy(source=last.edition, user=last.secretariat, data=data())

    assert _history_counts(new) == dict.fromkeys(before, 0)
    assert _history_counts(last.edition) == before  # and the source keeps all of it
    assert list(EditionRole.objects.filter(edition=new).values_list("user_id", "role")) == [
        (last.secretariat.pk, "secretariat")]
    # The rubric comes along, open to changes again (the source's is frozen by its scores); its scores do not.
    rubric = Rubric.objects.get(edition=new)
    assert (rubric.name, rubric.frozen_at, list(rubric.criteria.values_list("name", flat=True))) == (
        "Main rubric", None, ["Impact"])
    assert Rubric.objects.get(edition=last.edition).criteria.get().scores.count() == 1


def _history_counts(edition) -> dict:
    return {
        "applications": Application.objects.filter(edition=edition).count(),
        "judges": JudgeProfile.objects.filter(edition=edition).count(),
        "judge roles": EditionRole.objects.filter(edition=edition, role="judge").count(),
        "bids": Bid.objects.filter(judge__edition=edition).count(),
        "conflicts": Conflict.objects.filter(judge__edition=edition).count(),
        "assignments": Assignment.objects.filter(round__edition=edition).count(),
        "reviews": Review.objects.filter(assignment__round__edition=edition).count(),
        "scores": CriterionScore.objects.filter(review__assignment__round__edition=edition).count(),
        "calibration": CalibrationEntry.objects.filter(round__edition=edition).count(),
        "results": EntryResult.objects.filter(round__edition=edition).count(),
        "runs": AggregationRun.objects.filter(round__edition=edition).count(),
        "decisions": AwardDecision.objects.filter(edition=edition).count(),
        "ballots": Ballot.objects.filter(round__edition=edition).count(),
    }


def test_every_copied_row_is_audited_in_the_new_edition_by_its_creator():
    last = last_year_edition()
    new = edition_copy(source=last.edition, user=last.secretariat, data=data())
    entries = AuditEntry.objects.filter(edition=new).order_by("id")
    assert set(entries.values_list("actor_id", flat=True)) == {last.secretariat.pk}
    assert list(entries.values_list("action", flat=True)) == [
        "edition.create", "role.grant",
        "category.create", "category.create",
        "question.copy",
        *["prize_tier.save"] * 6,
        "edition_award.save", "edition_award.save",
        "round.create", "round.scoring_settings", "round.create",
        "rubric.save", "criterion.save", "rubric.copy",
    ]
    assert entries.first().after["slug"] == "seoul-2026"
    assert AuditEntry.objects.filter(edition=last.edition).count() == 0  # nothing written to the source


def test_only_the_sources_secretariat_copies_it():
    last = last_year_edition()
    other_organiser = VerifiedUserFactory(is_organiser=True)
    with pytest.raises(ValidationError) as refused:
        edition_copy(source=last.edition, user=other_organiser, data=data())
    assert refused.value.message_dict == {"copy_from": ["You can copy only an edition whose secretariat you are."]}
    assert not Edition.objects.filter(slug="seoul-2026").exists()


def test_a_secretariat_who_is_not_an_organiser_cannot_copy():
    secretariat = VerifiedUserFactory(is_organiser=False)
    last = last_year_edition(secretariat=secretariat)
    with pytest.raises(ValidationError, match="Only organisers create editions"):
        edition_copy(source=last.edition, user=secretariat, data=data())
    assert not Edition.objects.filter(slug="seoul-2026").exists()


def test_a_refusal_half_way_leaves_nothing_behind():
    last = last_year_edition()
    # A round whose stored settings no longer validate (written past the services): its copy is refused.
    JudgingRoundFactory(edition=last.edition, name="Broken", position=3, categories=last.categories,
                        reminder_hours=[-5])
    editions, categories, audit = Edition.objects.count(), Category.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError, match="Reminders are whole numbers"):
        edition_copy(source=last.edition, user=last.secretariat, data=data())
    assert (Edition.objects.count(), Category.objects.count(), AuditEntry.objects.count()) == (
        editions, categories, audit)


def test_bad_input_is_refused_by_field():
    last = last_year_edition()
    with pytest.raises(ValidationError) as refused:
        edition_copy(source=last.edition, user=last.secretariat, data=data(slug="seoul-2025"))
    assert refused.value.message_dict == {
        "slug": ["Another edition already uses the address “seoul-2025”; choose another."]}
    with pytest.raises(ValidationError) as refused:
        edition_copy(source=last.edition, user=last.secretariat, data=data(closes_at=NEXT_YEAR_OPENS))
    assert refused.value.message_dict == {"closes_at": ["The closing time must come after the opening time."]}

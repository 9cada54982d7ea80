"""Last year's edition, to copy: its set-up (categories, form, prizes, rounds, settings) and its history
(applications, judges, assignments, scores, results, decisions), which a copy must never take."""

import datetime
from dataclasses import dataclass, field

from judging.models import JudgingRound, PrizeTier
from portal.models import Edition, EditionRole, User
from submissions.models import Category, Question

from .awards import AwardDecisionFactory, EditionAwardFactory, PrizeTierFactory
from .judging import (
    AssignmentFactory,
    BidFactory,
    CalibrationEntryFactory,
    ConflictFactory,
    CriterionFactory,
    CriterionScoreFactory,
    EntryResultFactory,
    JudgeProfileFactory,
    JudgingRoundFactory,
    ReviewFactory,
    RubricFactory,
)
from .portal import EditionFactory, EditionRoleFactory, VerifiedUserFactory
from .submissions import ApplicationFactory, CategoryFactory, QuestionFactory

LAST_YEAR_OPENS = datetime.datetime(2025, 3, 1, 0, 0, tzinfo=datetime.UTC)


@dataclass
class LastYear:
    edition: Edition
    categories: list[Category]
    sections: list[Question]
    rounds: list[JudgingRound]
    secretariat: User
    history: dict = field(default_factory=dict)


def last_year_edition(*, secretariat: User | None = None, **edition_fields) -> LastYear:
    """A Seoul-shaped edition in deliberation: two categories with 1 gold, 2 silver, 3 bronze each; a leadership
    award and special mentions; two rounds (the second on the first's shortlist, decided by vote); and its
    history. `secretariat` (a new organiser by default) holds the secretariat role in it."""
    secretariat = secretariat or VerifiedUserFactory(is_organiser=True)
    edition_fields.setdefault("name", "Seoul Smart City Prize 2025")
    edition_fields.setdefault("slug", "seoul-2025")
    edition = EditionFactory(
        programme="Seoul Smart City Prize", description="Cities that make life better with technology.",
        state=Edition.State.DELIBERATION, opens_at=LAST_YEAR_OPENS,
        closes_at=LAST_YEAR_OPENS + datetime.timedelta(days=60), conflict_same_country=True,
        tie_break=Edition.TieBreak.CRITERION, tie_break_criterion="Impact", publish_scores=True,
        publish_dataset=True, **edition_fields,
    )
    EditionRoleFactory(edition=edition, user=secretariat, role=EditionRole.Role.SECRETARIAT)
    categories = [
        CategoryFactory(edition=edition, name="Human-centric", slug="human-centric", position=1,
                        description="Services built around residents.", allowed_kinds=["city", "institute"],
                        max_entries_per_organisation=2),
        CategoryFactory(edition=edition, name="Tech-innovative", slug="tech-innovative", position=2,
                        description="New technology in the city.", allowed_kinds=[]),
    ]
    sections = [
        QuestionFactory(edition=edition, key="summary", kind=Question.Kind.LONG_TEXT, label_en="In short",
                        label_ko="요약", help_text_en="What the project does.", max_chars=800, required=True,
                        position=1),
        QuestionFactory(edition=edition, key="impact_evidence", kind=Question.Kind.LONG_TEXT,
                        label_en="Evidence of impact", label_ko="", help_text_en="What changed, with numbers.",
                        max_chars=4000, required=False, position=2),
    ]
    for category in categories:
        for position, (level, places) in enumerate(
                ((PrizeTier.Level.GOLD, 1), (PrizeTier.Level.SILVER, 2), (PrizeTier.Level.BRONZE, 3)), start=1):
            PrizeTierFactory(category=category, level=level, places=places, position=position)
    leadership = EditionAwardFactory(edition=edition, kind="leadership", name="Leadership award",
                                     description="For a mayor's leadership.", max_recipients=2, position=1)
    EditionAwardFactory(edition=edition, kind="special_mention", name="Special mention", description="",
                        max_recipients=None, position=2)
    first = JudgingRoundFactory(
        edition=edition, name="Category round", position=1, categories=categories, judges_per_entry=4,
        deadline=LAST_YEAR_OPENS + datetime.timedelta(days=90), blind=True, reminder_hours=[72, 24],
        explanation_to_applicants=True, state=JudgingRound.State.SCORED,
    )
    final = JudgingRoundFactory(
        edition=edition, name="Final round", position=2, categories=categories[:1], source="shortlist",
        previous_round=first, judges_per_entry=5, deadline=LAST_YEAR_OPENS + datetime.timedelta(days=120),
        blind=False, reminder_hours=[48], committee_vote=True, state=JudgingRound.State.OPEN,
    )
    history = _history(edition, categories, first, leadership)
    return LastYear(edition, categories, sections, [first, final], secretariat, history)


def _history(edition, categories, judging_round, leadership) -> dict:
    """What happened in the edition: none of it is set-up, none of it may be copied."""
    entry = ApplicationFactory(edition=edition, category=categories[0], status="eligible")
    judge = JudgeProfileFactory(edition=edition, expertise=categories)
    assignment = AssignmentFactory(round=judging_round, judge=judge, application=entry, state="submitted")
    rubric = RubricFactory(edition=edition, name="Main rubric")
    criterion = CriterionFactory(rubric=rubric, name="Impact")
    score = CriterionScoreFactory(review=ReviewFactory(assignment=assignment), criterion=criterion, score=8)
    return {
        "application": entry, "judge": judge, "assignment": assignment, "score": score,
        "conflict": ConflictFactory(judge=judge, application=ApplicationFactory(edition=edition,
                                                                                category=categories[1])),
        "bid": BidFactory(judge=judge, application=entry),
        "calibration": CalibrationEntryFactory(round=judging_round, application=entry),
        "result": EntryResultFactory(round=judging_round, application=entry, category=categories[0]),
        "decision": AwardDecisionFactory(tier=categories[0].prize_tiers.get(level="gold"), application=entry),
        "award_decision": AwardDecisionFactory(award=leadership, tier=None, category=None, edition=edition,
                                               application=entry, citation="For leadership.", proposed_rank=None),
    }

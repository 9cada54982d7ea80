"""Judging's models, one module per sub-domain; every model is importable from `judging.models`.

- judges: JudgeProfile, Bid, Conflict
- rounds: JudgingRound, Assignment, CategoryAssignmentSummary, AssignmentRun, ReminderSent, CalibrationEntry
- rubrics: Rubric, Criterion, StageWeight
- reviews: Review, CriterionScore
- results: AggregationRun, EntryResult, CategoryResultSummary, JudgeResult, Shortlisting
- awards: PrizeTier, EditionAward, AwardDecision, DeliberationMinutes, Ballot, DecisionNotice, AwardJob
- deliberation: CategoryConsideration
- group_mail: MailTemplate, GroupMail, GroupMailRecipient (mail to a group)

State fields change only through the services in judging/services/ (one writer per state).
"""

from .awards import AwardDecision, AwardJob, Ballot, DecisionNotice, DeliberationMinutes, EditionAward, PrizeTier
from .deliberation import CategoryConsideration
from .group_mail import GroupMail, GroupMailRecipient, MailTemplate
from .judges import Bid, Conflict, JudgeProfile
from .results import AggregationRun, CategoryResultSummary, EntryResult, JudgeResult, Shortlisting
from .reviews import CriterionScore, Review
from .rounds import (
    Assignment,
    AssignmentRun,
    CalibrationEntry,
    CategoryAssignmentSummary,
    JudgingRound,
    ReminderSent,
    default_prize_boundaries,  # noqa: F401 - migration 0002 only
)
from .rubrics import Criterion, Rubric, StageWeight

__all__ = [
    "AwardDecision", "AwardJob", "Ballot", "CategoryConsideration", "DecisionNotice", "DeliberationMinutes",
    "EditionAward", "PrizeTier", "GroupMail", "GroupMailRecipient", "MailTemplate",
    "AggregationRun", "Assignment", "AssignmentRun", "Bid", "CalibrationEntry", "Conflict", "Criterion",
    "CategoryAssignmentSummary", "CategoryResultSummary", "CriterionScore", "EntryResult", "JudgeProfile", "JudgeResult", "JudgingRound", "ReminderSent", "Review",
    "Rubric", "Shortlisting", "StageWeight",
]

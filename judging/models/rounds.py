"""Judging rounds, their assignments, the assigner's runs, reminders sent and calibration entries."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Edition
from submissions.models import Application, Category

from .jobs import WorkerJob
from .judges import JudgeProfile


def default_prize_boundaries() -> list[int]:
    """Gone with `JudgingRound.prize_boundaries` (prize tiers are data, issue 9); kept only because migration
    0002 names it as that field's default, and migrations are never edited."""
    return [1, 3, 6]


class JudgingRound(models.Model):
    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        ASSIGNING = "assigning", _("Assigning")
        OPEN = "open", _("Open for scoring")
        CLOSED = "closed", _("Closed")
        SCORED = "scored", _("Scored")

    class Source(models.TextChoices):
        ELIGIBLE = "eligible", _("All eligible entries")
        SHORTLIST = "shortlist", _("The shortlist of the previous round")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="rounds")
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    categories = models.ManyToManyField(Category, related_name="rounds", verbose_name=_("categories"))
    source = models.CharField(_("entries"), max_length=20, choices=Source.choices, default=Source.ELIGIBLE)
    previous_round = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_rounds",
        verbose_name=_("previous round"),
    )
    judges_per_entry = models.PositiveSmallIntegerField(_("judges per entry"), default=3)
    deadline = models.DateTimeField(_("scoring deadline"))
    blind = models.BooleanField(_("blind"), default=False, help_text=_("Judges do not see who applied."))
    reminder_hours = models.JSONField(
        _("reminders (hours before the deadline)"), default=list, blank=True,
        help_text=_("e.g. [72, 24]: judges with open reviews are reminded that many hours before the deadline."),
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.SCHEDULED)
    # Scoring (issue 5): whether applicants read their entry's explanation card once the edition is published.
    # Where prize tiers end is the categories' PrizeTier rows (issue 9).
    explanation_to_applicants = models.BooleanField(
        _("applicants see their explanation card"), default=False,
        help_text=_("After publication, each applicant reads the per-criterion medians and the correction applied."),
    )
    class AggregationMethod(models.TextChoices):
        # Values are the names of judging.algorithms.aggregation.METHODS.
        CALIBRATED = "calibrated", _("Calibrated judges: scale, leniency and reliability (method 2)")
        OFFSETS = "offsets", _("Judges' leniency only (method 1)")

    aggregation_method = models.CharField(
        _("how the scores are combined"), max_length=20, choices=AggregationMethod.choices,
        default=AggregationMethod.CALIBRATED,
        help_text=_("Results already computed keep the method they were computed with."),
    )
    connected_panels = models.BooleanField(
        _("keep panels connected"), default=False,
        help_text=_("The assigner links every category's judges through shared entries, so that their scores can "
                    "be put on one scale (it swaps or adds a few reviews where needed)."),
    )
    committee_vote = models.BooleanField(
        _("the committee votes"), default=False,
        help_text=_("Committee members rank each category's entries of this round; the Schulze method decides."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("judging round")
        verbose_name_plural = _("judging rounds")
        ordering = ["edition", "position"]
        constraints = [models.UniqueConstraint(fields=["edition", "position"], name="round_unique_position")]

    def __str__(self) -> str:
        return f"{self.name} · {self.edition}"

    def clean(self) -> None:
        if self.source == self.Source.SHORTLIST and self.previous_round_id is None:
            raise ValidationError({"previous_round": _("A round on a shortlist needs the round it follows.")})
        if self.previous_round_id and self.previous_round.edition_id != self.edition_id:
            raise ValidationError({"previous_round": _("The previous round must belong to the same edition.")})
        if any(not isinstance(hours, int) or hours <= 0 for hours in self.reminder_hours or []):
            raise ValidationError({"reminder_hours": _("Reminders are whole numbers of hours, e.g. [72, 24].")})


class Assignment(models.Model):
    class State(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        CONFLICT_DECLARED = "conflict_declared", _("Conflict declared")
        RELEASED = "released", _("Released")

    class Source(models.TextChoices):
        SOLVER = "solver", _("Assigner")
        MANUAL = "manual", _("By hand")
        REPLACEMENT = "replacement", _("Replacement")
        CALIBRATION = "calibration", _("Calibration")

    ACTIVE_STATES = (State.ASSIGNED, State.IN_PROGRESS, State.SUBMITTED)
    OPEN_STATES = (State.ASSIGNED, State.IN_PROGRESS)  # active, and the review is not submitted yet
    STARTED_STATES = (State.IN_PROGRESS, State.SUBMITTED)

    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="assignments")
    judge = models.ForeignKey(JudgeProfile, on_delete=models.PROTECT, related_name="assignments")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="assignments")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.ASSIGNED)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.SOLVER)
    affinity = models.IntegerField(_("affinity"), default=0)
    # Each judge's queue has its own fixed random order (issue 5), so reading order does not bias the same entries.
    queue_position = models.PositiveIntegerField(default=0)
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["round", "judge", "queue_position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "judge", "application"], name="assignment_unique_active",
                condition=models.Q(state__in=["assigned", "in_progress", "submitted"]),
            )
        ]
        indexes = [
            models.Index(fields=["round", "state"]), models.Index(fields=["judge", "state"]),
            # A judge's queue in its order: a page of it is a LIMIT/OFFSET on this index.
            models.Index(fields=["round", "judge", "queue_position", "id"], name="assignment_queue_order",
                         condition=models.Q(state__in=["assigned", "in_progress", "submitted"])),
            # The queue's progress: a count per state of one judge's assignments in a round, from the index alone.
            models.Index(fields=["round", "judge", "state"], name="assignment_queue_states"),
            # The round's page of assignments in entry order, and each entry's judges counted (the short entries).
            models.Index(fields=["round", "application", "judge", "id"], name="assignment_entry_order"),
        ]

    def __str__(self) -> str:
        return f"{self.judge.user} → {self.application} ({self.get_state_display()})"


class CategoryAssignmentSummary(models.Model):
    """What the round's page shows of one category's assignments, counted by the service that changes them, in the
    same transaction (judging/services/assignment_summaries.py): rows, active assignments, judges, entries by
    their number of judges, and the panels the judges form (selectors/design.py computes it). A page then reads
    one small row per category instead of every assignment of the round.

    A round whose categories lack a row has not been counted (rows written by a bulk path that does not count,
    such as a test factory): the page then counts from the assignments, as before."""

    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="assignment_summaries")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    rows = models.PositiveIntegerField(default=0)  # assignments in any state: the round's list
    assignments = models.PositiveIntegerField(default=0)  # active ones
    judges = models.PositiveIntegerField(default=0)  # judges with an active assignment in the category
    # {"n": entries with n active judges}, over the entries with an assignment in any state (0 when all of an
    # entry's assignments were released or conflicted); an entry never assigned has no row to be counted from.
    entries_by_judges = models.JSONField(default=dict)
    panel_sizes = models.JSONField(default=list)  # judges per panel (sharing no entry with another), largest first
    # [[entry id, judges], ...]: the first entries (fewest active judges, then id) with an assignment but fewer
    # active judges than the round's judges per entry, when counted.
    short_entries = models.JSONField(default=list)
    counted_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "category"], name="category_assignment_summary_unique")]

    def __str__(self) -> str:
        return f"{self.round_id} · {self.category_id}: {self.assignments} assignments, panels {self.panel_sizes}"

    def entries_with_at_least(self, judges: int) -> int:
        return sum(count for n, count in self.entries_by_judges.items() if int(n) >= judges)

    @property
    def entries_assigned(self) -> int:
        """Entries with an assignment in any state: the others were never given a judge in this round."""
        return sum(self.entries_by_judges.values())


class AssignmentRun(WorkerJob):
    """One run of the assigner for a round, with its progress and result, shown on the round's page."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Done")
        INFEASIBLE = "infeasible", _("No feasible assignment")
        FAILED = "failed", _("Failed")

    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="assignment_runs")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    objective = models.BigIntegerField(null=True, blank=True)
    bound = models.BigIntegerField(null=True, blank=True)
    min_load = models.PositiveIntegerField(null=True, blank=True)
    max_load = models.PositiveIntegerField(null=True, blank=True)
    kept = models.PositiveIntegerField(default=0, help_text=_("Assignments kept because their review had started."))
    shortfall = models.JSONField(default=dict, blank=True)
    # With the round's "keep panels connected": what the repair did, {"swaps": n, "added": n, "split": {name: n}}.
    panels = models.JSONField(default=dict, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "-created_at"]

    def __str__(self) -> str:
        return f"{self.round} · run {self.pk} · {self.state}"


class ReminderSent(models.Model):
    """One reminder to one judge for one round at one lead time; the unique key makes reminders idempotent."""

    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="reminders_sent")
    judge = models.ForeignKey(JudgeProfile, on_delete=models.CASCADE, related_name="reminders_sent")
    hours_before = models.PositiveIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "judge", "hours_before"], name="reminder_unique")
        ]


class CalibrationEntry(models.Model):
    """An entry every judge of its category in the round scores first, tying the judges' pools together."""

    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="calibration_entries")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "application"], name="calibration_unique")]

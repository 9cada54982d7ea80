"""Judges, conflicts, rounds, assignments (issue 4) and rubrics, reviews, results (issue 5).

Status fields change only through the services in judging/services/.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from portal.models import Edition, Organisation
from submissions.models import Application, Category

# --- judges and conflicts ----------------------------------------------------------------------------


class JudgeProfile(models.Model):
    """A steering-committee judge in one edition: what they know, where they come from, how much they take."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="judges")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="judge_profiles")
    country = CountryField(_("country"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), default=20, help_text=_("Most entries this judge scores."))
    expertise = models.ManyToManyField(Category, blank=True, related_name="expert_judges", verbose_name=_("expertise"))
    affiliations = models.ManyToManyField(
        Organisation, blank=True, related_name="affiliated_judges", verbose_name=_("affiliations"),
        help_text=_("Organisations the judge works for or with: never assigned their entries."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("judge")
        verbose_name_plural = _("judges")
        ordering = ["edition", "user__email"]
        constraints = [models.UniqueConstraint(fields=["edition", "user"], name="judge_unique_per_edition")]

    def __str__(self) -> str:
        return f"{self.user} · {self.edition}"


class Bid(models.Model):
    """A judge's preference for an entry or a whole category, as reviewers bid in HotCRP."""

    class Level(models.TextChoices):
        EAGER = "eager", _("Eager")
        WILLING = "willing", _("Willing")
        NOT_WILLING = "not_willing", _("Not willing")
        CONFLICT = "conflict", _("Conflict")

    judge = models.ForeignKey(JudgeProfile, on_delete=models.CASCADE, related_name="bids")
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.CASCADE, related_name="bids")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="bids")
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(application__isnull=False, category__isnull=True)
                           | models.Q(application__isnull=True, category__isnull=False)),
                name="bid_on_entry_or_category",
            ),
            models.UniqueConstraint(fields=["judge", "application"], name="bid_unique_entry",
                                    condition=models.Q(application__isnull=False)),
            models.UniqueConstraint(fields=["judge", "category"], name="bid_unique_category",
                                    condition=models.Q(category__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.judge} · {self.application or self.category} · {self.level}"


class Conflict(models.Model):
    """A declared or recorded conflict of interest. Automatic ones (organisation, country) are derived, not stored."""

    class Source(models.TextChoices):
        DECLARED = "declared", _("Declared by the judge")
        SECRETARIAT = "secretariat", _("Recorded by the secretariat")

    judge = models.ForeignKey(JudgeProfile, on_delete=models.CASCADE, related_name="conflicts")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="conflicts")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [models.UniqueConstraint(fields=["judge", "application"], name="conflict_unique_pair")]

    def __str__(self) -> str:
        return f"{self.judge} ✕ {self.application}"


# --- rounds and assignments --------------------------------------------------------------------------


def default_prize_boundaries() -> list[int]:
    """Seoul-like tiers: 1 gold, 2 silver, 3 bronze end at ranks 1, 3 and 6."""
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
    # Scoring (issue 5): where prize tiers end in each category's ranking, until prizes are data of their own,
    # and whether applicants read their entry's explanation card once the edition is published.
    prize_boundaries = models.JSONField(
        _("prize boundaries"), default=default_prize_boundaries, blank=True,
        help_text=_("Ranks after which a prize tier ends, e.g. [1, 3, 6] for 1 gold, 2 silver, 3 bronze."),
    )
    explanation_to_applicants = models.BooleanField(
        _("applicants see their explanation card"), default=False,
        help_text=_("After publication, each applicant reads the per-criterion medians and the correction applied."),
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
        boundaries = self.prize_boundaries or []
        if not isinstance(boundaries, list) or any(
            not isinstance(rank, int) or isinstance(rank, bool) or rank < 1 for rank in boundaries
        ) or boundaries != sorted(set(boundaries)):
            raise ValidationError({"prize_boundaries": _("Prize boundaries are increasing whole ranks, e.g. [1, 3, 6].")})


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
        indexes = [models.Index(fields=["round", "state"]), models.Index(fields=["judge", "state"])]

    def __str__(self) -> str:
        return f"{self.judge.user} → {self.application} ({self.get_state_display()})"


class AssignmentRun(models.Model):
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


# --- rubrics and reviews (issue 5) -------------------------------------------------------------------


class Rubric(models.Model):
    """Criteria for an edition, or for one category of it (a category's rubric wins over the edition's)."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="rubrics")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="rubrics")
    name = models.CharField(_("name"), max_length=200)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True,
                                     help_text=_("Set when the first score is saved; a frozen rubric cannot change."))

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        constraints = [
            models.UniqueConstraint(fields=["edition", "category"], name="rubric_unique_category",
                                    condition=models.Q(category__isnull=False)),
            models.UniqueConstraint(fields=["edition"], name="rubric_unique_edition_default",
                                    condition=models.Q(category__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=200)
    guidance = models.TextField(_("guidance"), blank=True)
    scale_min = models.PositiveSmallIntegerField(_("lowest score"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("highest score"), default=10)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=3, default=1)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["rubric", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(scale_max__gt=models.F("scale_min")), name="criterion_scale_order"),
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="criterion_weight_non_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class StageWeight(models.Model):
    """A criterion's weight for entries at one development stage, overriding its default weight."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="stage_weights")
    stage = models.CharField(_("development stage"), max_length=20, choices=Application.Stage.choices)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["criterion", "stage"], name="stage_weight_unique"),
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="stage_weight_non_negative"),
        ]


class CalibrationEntry(models.Model):
    """An entry every judge of its category in the round scores first, tying the judges' pools together."""

    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="calibration_entries")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "application"], name="calibration_unique")]


class Review(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="review")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    committee_comment = models.TextField(_("comment for the committee"), blank=True)
    applicant_comment = models.TextField(_("comment for the applicant (optional)"), blank=True)
    confidence = models.PositiveSmallIntegerField(_("confidence"), null=True, blank=True,
                                                  help_text=_("1 (low) to 5 (expert)."))
    weighted_total = models.FloatField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confidence__isnull=True) | models.Q(confidence__gte=1, confidence__lte=5),
                name="review_confidence_range",
            )
        ]

    def __str__(self) -> str:
        return f"Review of {self.assignment}"


class CriterionScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="criterion_score_unique")]


# --- results (issue 5) --------------------------------------------------------------------------------


class AggregationRun(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Done")
        FAILED = "failed", _("Failed")

    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="aggregation_runs")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    method = models.CharField(max_length=100, blank=True)
    method_version = models.CharField(max_length=20, blank=True)
    reviews = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "-created_at"]


class EntryResult(models.Model):
    """The aggregate of one entry in one round; replaced as a whole by every recompute."""

    # Round and category carry no database constraint or index of their own: the rows are derived data that
    # one service writes whole under the round's lock, taking both ids from the round and its applications
    # in the same transaction, and Django still cascades deletes. Checking 20,000 deferred foreign keys and
    # keeping two more indexes at each recompute cost a third of its write (bench_results, 10,000 entries);
    # the unique (round, application) and (round, category, rank) indexes serve every read.
    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="entry_results",
                              db_constraint=False, db_index=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="results")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+", db_constraint=False,
                                 db_index=False)
    n_reviews = models.PositiveIntegerField()
    mean = models.FloatField()
    median = models.FloatField()
    corrected = models.FloatField()
    spread = models.FloatField()
    stdev = models.FloatField()
    disagreement = models.BooleanField(default=False)
    uncorrected_judges = models.PositiveIntegerField(default=0)
    interval_low = models.FloatField()
    interval_high = models.FloatField()
    rank = models.PositiveIntegerField()
    tied = models.BooleanField(default=False)
    boundary_overlap = models.BooleanField(default=False)
    criterion_medians = models.JSONField(default=dict)
    correction = models.FloatField(default=0, help_text=_("corrected minus mean"))
    method = models.CharField(max_length=100)
    method_version = models.CharField(max_length=20)

    class Meta:
        ordering = ["round", "category", "rank", "application_id"]
        constraints = [models.UniqueConstraint(fields=["round", "application"], name="entry_result_unique")]
        indexes = [models.Index(fields=["round", "category", "rank"])]


class JudgeResult(models.Model):
    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="judge_results")
    judge = models.ForeignKey(JudgeProfile, on_delete=models.CASCADE, related_name="results")
    n_reviews = models.PositiveIntegerField()
    offset = models.FloatField()
    corrected = models.BooleanField()

    class Meta:
        ordering = ["round", "judge"]
        constraints = [models.UniqueConstraint(fields=["round", "judge"], name="judge_result_unique")]


class Shortlisting(models.Model):
    """An entry taken from a round into the next: by rank (top n of its category) or by hand with a reason."""

    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="shortlist")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="shortlistings")
    by_rank = models.BooleanField(default=True)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "application"], name="shortlisting_unique")]

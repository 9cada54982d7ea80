"""A round's results: the aggregation runs, entry and judge results, and the shortlist drawn from them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from submissions.models import Application, Category

from .jobs import WorkerJob
from .judges import JudgeProfile
from .rounds import JudgingRound


class AggregationRun(WorkerJob):
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

    # Round, application and category carry no database constraint (and round and category no index of their
    # own): the rows are derived data that one service writes whole under the round's lock, taking the ids from
    # the round and from the applications of its submitted reviews (reviews and assignments keep their database
    # keys), and Django still cascades deletes. The only application the portal ever deletes is a draft that was
    # never submitted (data_protection), which has no review and so no result. Checking 30,000 deferred foreign
    # keys (each locking its application row) and keeping two more indexes at each recompute cost a third of its
    # write (bench_results, 10,000 entries); the unique (round, application), the application's index and the
    # board order (round, category, rank, application) serve every read.
    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="entry_results",
                              db_constraint=False, db_index=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="results",
                                    db_constraint=False)
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
    # Method 2: the probability of each prize tier of the category, the last "no prize"; and of a prize at all.
    # Null where a writer (COPY) names no value: method 1's rows and older writers.
    tier_probabilities = models.JSONField(default=list, blank=True, null=True)
    top_probability = models.FloatField(null=True, blank=True)
    method = models.CharField(max_length=100)
    method_version = models.CharField(max_length=20)

    class Meta:
        ordering = ["round", "category", "rank", "application_id"]
        constraints = [models.UniqueConstraint(fields=["round", "application"], name="entry_result_unique")]
        # The leaderboard's order, whole: a page is a LIMIT/OFFSET on it (no sort of the category), and a
        # recompute still keeps two indexes.
        indexes = [models.Index(fields=["round", "category", "rank", "application"], name="entry_result_board_order")]


class CategoryResultSummary(models.Model):
    """What the leaderboard shows of a whole category, counted when its round's results are written, in the same
    transaction: how many entries have a result, how many assigned entries had none (no submitted review counted),
    and the score charts' bins. A page then reads one small row per category instead of counting the category."""

    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="category_summaries")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    entries = models.PositiveIntegerField(default=0)
    without_results = models.PositiveIntegerField(default=0)
    corrected_bins = models.JSONField(default=list)  # counts per bin of the corrected scores (algorithms.histogram)
    raw_bins = models.JSONField(default=list)  # and of the raw means

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "category"], name="category_result_summary_unique")]


class JudgeResult(models.Model):
    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="judge_results")
    judge = models.ForeignKey(JudgeProfile, on_delete=models.CASCADE, related_name="results")
    n_reviews = models.PositiveIntegerField()
    offset = models.FloatField()
    corrected = models.BooleanField()
    scale = models.FloatField(default=1.0, db_default=1.0)  # method 2: how widely the judge uses the scale
    weight = models.FloatField(null=True, blank=True)  # method 2: the judge's share of the information

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

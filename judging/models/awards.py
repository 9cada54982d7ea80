"""Awards: the prizes an edition gives, the committee's decisions, its votes and minutes.

Prizes are data. A category's tiers (Seoul: 1 gold, 2 silver, 3 bronze; the World Smart City
Awards: 1 winner) and an edition's awards given without a ranking (leadership awards, special
mentions). The committee's decisions fill the tiers' places; the chair finalises (the edition
locks) and publishes. Only the services in judging/services/awards*.py write these rows.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Edition
from submissions.models import Application, Category

from .jobs import WorkerJob
from .rounds import JudgingRound


class PrizeTier(models.Model):
    """One tier of a category's prizes, e.g. 2 silver prizes. Tiers are ordered by `position` (1 = highest)."""

    class Level(models.TextChoices):
        GOLD = "gold", _("Gold")
        SILVER = "silver", _("Silver")
        BRONZE = "bronze", _("Bronze")
        WINNER = "winner", _("Winner")

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="prize_tiers")
    level = models.CharField(_("tier"), max_length=20, choices=Level.choices)
    places = models.PositiveSmallIntegerField(_("number of prizes"), default=1)
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    class Meta:
        verbose_name = _("prize tier")
        verbose_name_plural = _("prize tiers")
        ordering = ["category", "position"]
        constraints = [
            models.UniqueConstraint(fields=["category", "level"], name="prize_tier_unique_level"),
            models.UniqueConstraint(fields=["category", "position"], name="prize_tier_unique_position"),
            models.CheckConstraint(condition=models.Q(places__gte=1), name="prize_tier_places_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} × {self.places} · {self.category.name}"


class EditionAward(models.Model):
    """An award the committee gives without a ranking: Seoul's leadership awards, special mentions."""

    class Kind(models.TextChoices):
        LEADERSHIP = "leadership", _("Leadership award")
        SPECIAL_MENTION = "special_mention", _("Special mention")
        OTHER = "other", _("Other award")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="edition_awards")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200, help_text=_("e.g. “Leadership award”."))
    description = models.TextField(_("description"), blank=True)
    max_recipients = models.PositiveSmallIntegerField(
        _("at most this many recipients"), null=True, blank=True, help_text=_("Leave empty for any number."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    class Meta:
        verbose_name = _("edition award")
        verbose_name_plural = _("edition awards")
        ordering = ["edition", "position", "id"]

    def __str__(self) -> str:
        return self.name


class AwardDecision(models.Model):
    """One place the committee filled (or left empty): a tier's prize or an edition-level award.

    A tier place has `tier` (and `category`, the category whose prizes it is: usually the entry's own, or
    another when the committee moved the entry to that category's consideration); an edition award has
    `award` and a public `citation`. `application` is empty when the committee leaves a tier place empty.
    `proposed_rank` is the rank the proposal had for this entry; a decision that departs from the
    proposal (`departs`) carries a written `reason`.
    """

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="award_decisions")
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="award_decisions",
    )
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    tier = models.ForeignKey(PrizeTier, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions")
    award = models.ForeignKey(EditionAward, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions")
    citation = models.TextField(_("citation"), blank=True)
    proposed_rank = models.PositiveIntegerField(null=True, blank=True)
    departs = models.BooleanField(default=False)
    reason = models.TextField(_("reason"), blank=True)
    tie_break = models.CharField(_("tie-break applied"), max_length=200, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("award decision")
        verbose_name_plural = _("award decisions")
        ordering = ["edition", "category", "tier__position", "award__position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(tier__isnull=False, award__isnull=True)
                           | models.Q(tier__isnull=True, award__isnull=False)),
                name="award_decision_tier_xor_award",
            ),
            # One category prize per entry; one of each edition award per entry.
            models.UniqueConstraint(fields=["edition", "application"], condition=models.Q(tier__isnull=False),
                                    name="award_decision_one_prize_per_entry"),
            models.UniqueConstraint(fields=["award", "application"], name="award_decision_award_once"),
        ]

    def clean(self) -> None:
        if self.departs and not self.reason.strip():
            raise ValidationError({"reason": _("Every departure from the ranking needs a written reason.")})
        if self.award_id and self.application_id is None:
            raise ValidationError({"application": _("An award goes to an entry.")})


class DeliberationMinutes(models.Model):
    """The minutes of a committee meeting, with an optional file (the signed minutes, a slide deck)."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="minutes")
    held_on = models.DateField(_("meeting date"))
    text = models.TextField(_("minutes"))
    file = models.FileField(_("file"), upload_to="minutes/%Y/", blank=True, max_length=300)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["edition", "-held_on", "-id"]


class Ballot(models.Model):
    """A committee member's ranking of a category's shortlist in a final round decided by vote (Schulze).

    `ranking` is a list of groups of application ids, best first; ids in one group are tied; `eligible` lists the
    ids the member could rank (unranked eligible entries rank below every ranked one). Entries the member is
    conflicted with are never on their ballot (recused), and count for nothing in their pairs.
    """

    round = models.ForeignKey(JudgingRound, on_delete=models.CASCADE, related_name="ballots")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ballots")
    ranking = models.JSONField(default=list)
    # The entries this member could rank when they voted (the category's entries minus those they are recused
    # from): in the count they take part in pairs of these only. An entry added later counts for nothing here.
    eligible = models.JSONField(default=list)
    submitted_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["round", "category", "voter"]
        constraints = [models.UniqueConstraint(fields=["round", "category", "voter"], name="ballot_unique_voter")]


class DecisionNotice(models.Model):
    """The decision e-mail to one application's organisation. Claimed (sent_at) before sending: sent once."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="decision_notice")
    recipients = models.JSONField(default=list)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)


class AwardJob(WorkerJob):
    """A long awards job the chair or secretariat starts (decision e-mails, certificates, exports), with progress.

    Only judging/services/award_jobs.py changes `state` (one transition table, one writer).
    """

    class Kind(models.TextChoices):
        NOTIFY = "notify", _("Decision e-mails")
        CERTIFICATES = "certificates", _("Certificates")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Done")
        FAILED = "failed", _("Failed")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="award_jobs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    result = models.FileField(upload_to="awards/%Y/", blank=True, max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["edition", "-created_at"]

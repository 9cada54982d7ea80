"""An edition's application form as data: its questions (per edition, or per category) and the answers to them.

A question that has answers is frozen: changing it makes a new version (same `key`, `version` + 1) and retires
the old one, so every answer keeps pointing at the exact wording it was given to. The applicant's form shows
the current versions (`retired_at` empty); its fields are named by `key`.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Edition

# Names the application form already uses for its fixed fields: a question's key may not take them.
RESERVED_KEYS = frozenset({"title", "stage", "budget_usd", "links", "version", "then", "file", "csrfmiddlewaretoken"})


class Question(models.Model):
    class Kind(models.TextChoices):
        HEADING = "heading", _("Section heading")
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        NUMBER = "number", _("Number")
        MONEY = "money", _("Amount of money")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Single choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
        COUNTRY = "country", _("Country")
        URL = "url", _("Web address")
        FILE = "file", _("File")
        CONSENT = "consent", _("Consent checkbox")

    class Operator(models.TextChoices):
        EQUALS = "equals", _("equals")
        CONTAINS = "contains", _("contains")

    # The kinds whose answer is text with a length limit, and those answered from a list of choices.
    TEXT_KINDS = (Kind.SHORT_TEXT, Kind.LONG_TEXT)
    CHOICE_KINDS = (Kind.CHOICE, Kind.MULTIPLE_CHOICE)
    NUMBER_KINDS = (Kind.NUMBER, Kind.MONEY)

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="questions")
    category = models.ForeignKey(
        "submissions.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="questions",
        verbose_name=_("category"), help_text=_("Leave empty to ask it in every category."),
    )
    key = models.SlugField(
        _("key"), max_length=40,
        help_text=_("A short name for the question, kept across its versions (letters, digits, underscores)."),
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    retired_at = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.LONG_TEXT)
    label = models.CharField(_("label"), max_length=300)
    help_text = models.TextField(_("help text"), blank=True)
    required = models.BooleanField(_("required to submit"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    max_chars = models.PositiveIntegerField(_("maximum characters"), null=True, blank=True)
    min_value = models.DecimalField(_("smallest value"), max_digits=18, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("largest value"), max_digits=18, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True, default="USD")
    choices = models.TextField(_("choices"), blank=True, help_text=_("One choice per line."))
    file_types = models.JSONField(_("file types"), default=list, blank=True)
    max_file_mb = models.PositiveSmallIntegerField(_("largest file (MB)"), null=True, blank=True)
    identifies_applicant = models.BooleanField(
        _("identifies the applicant"), default=False,
        help_text=_("Hidden from judges in a blind round."),
    )
    condition_key = models.SlugField(_("shown only if question"), max_length=40, blank=True)
    condition_operator = models.CharField(
        _("condition"), max_length=10, choices=Operator.choices, blank=True, default=Operator.EQUALS
    )
    condition_value = models.CharField(_("value"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["edition", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "key", "version"], name="question_unique_version"),
            models.UniqueConstraint(fields=["edition", "key"], condition=models.Q(retired_at__isnull=True),
                                    name="question_one_current_version"),
        ]
        indexes = [models.Index(fields=["edition", "retired_at"])]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if self.key in RESERVED_KEYS:
            raise ValidationError({"key": _("“%(key)s” is used by the form itself; choose another key.")
                                   % {"key": self.key}})
        if self.condition_key and self.condition_key == self.key:
            raise ValidationError({"condition_key": _("A question cannot depend on itself.")})
        if self.kind in self.CHOICE_KINDS and not self.choice_list():
            # Keyed by the English list, the one answers store (a form shows the two languages' lists).
            raise ValidationError({"choices_en": _("Give at least one choice, one per line.")})
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            raise ValidationError({"max_value": _("The largest value is smaller than the smallest.")})

    @property
    def answerable(self) -> bool:
        return self.kind != self.Kind.HEADING

    def choice_list(self, language: str | None = None) -> list[str]:
        """The choices in `language` ("en" is what answers store), else in the reader's language."""
        text = getattr(self, f"choices_{language}", None) if language else self.choices
        return [line.strip() for line in (text or self.choices or "").splitlines() if line.strip()]

    def choice_pairs(self) -> list[tuple[str, str]]:
        """(stored value, label in the reader's language): answers store the English line, whatever is shown."""
        stored = self.choice_list("en") or self.choice_list()
        shown = self.choice_list()
        return [(value, shown[index] if index < len(shown) else value) for index, value in enumerate(stored)]

    @property
    def has_condition(self) -> bool:
        return bool(self.condition_key)


class Answer(models.Model):
    """One application's answer to one version of a question, as JSON (text, number as text, ISO date, list...)."""

    application = models.ForeignKey("submissions.Application", on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField(null=True, blank=True)
    # The value as plain text, for the screening list's search (JSON would hold Korean escaped on SQLite).
    text = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["application", "question"], name="answer_unique_question")]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.question_id}"

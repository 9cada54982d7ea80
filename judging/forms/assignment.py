"""Forms of the rounds' and judges' pages, of the judge's bids, and of the admin for judges and rounds."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from portal.models import Organisation, User
from submissions.forms.secretariat import WallClockDateTimeField, wall_clock
from submissions.models import Application, Category

from ..models import Bid, Conflict, JudgeProfile, JudgingRound
from ..selectors.assignment import round_active_judges, round_entries


class JudgeChoiceField(forms.ModelChoiceField):
    """Judges labelled with their load in the round, so the choice shows who has room."""

    def label_from_instance(self, judge: JudgeProfile) -> str:
        load = getattr(judge, "load", None)
        if load is None:
            return str(judge.user)
        return _("%(judge)s — %(load)s of %(capacity)s") % {"judge": judge.user, "load": load,
                                                           "capacity": judge.capacity}


class EntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, application: Application) -> str:
        return f"#{application.pk} {application.title} · {application.organisation.name} ({application.category.name})"


class AssignmentAddForm(forms.Form):
    application = EntryChoiceField(label=_("Entry"), queryset=Application.objects.none())
    judge = JudgeChoiceField(label=_("Judge"), queryset=JudgeProfile.objects.none())

    def __init__(self, *args, round: JudgingRound, **kwargs):  # noqa: A002
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = (
            round_entries(round=round).select_related("organisation", "category").order_by("category__position", "pk")
        )
        self.fields["judge"].queryset = round_active_judges(round=round)


class AssignmentMoveForm(forms.Form):
    to_judge = JudgeChoiceField(label=_("Give it to"), queryset=JudgeProfile.objects.none())

    def __init__(self, *args, round: JudgingRound, exclude_judge_id: int, **kwargs):  # noqa: A002
        super().__init__(*args, **kwargs)
        self.fields["to_judge"].queryset = round_active_judges(round=round).exclude(pk=exclude_judge_id)


class AssignmentReleaseForm(forms.Form):
    reason = forms.CharField(label=_("Reason (kept in the audit trail)"), required=False, max_length=500)


class JudgeSearchForm(forms.Form):
    """The round's judges searched by name or e-mail address (the judges' page of the round)."""

    q = forms.CharField(label=_("Name or e-mail address contains"), required=False, max_length=200)


class NamedChoiceField(forms.ModelChoiceField):
    """Choices labelled by name alone: the edition is already the page's."""

    def label_from_instance(self, obj) -> str:
        return obj.name


class NamedMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class ReminderHoursField(forms.CharField):
    """Hours before the deadline, typed as "72, 24"; stored as a list of whole numbers, largest first."""

    def to_python(self, value):
        text = super().to_python(value)
        parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        # isdecimal, not isdigit ("²" is a digit int() refuses); a deadline reminder is within a year (8760 h).
        if not all(part.isdecimal() and len(part) <= 4 and 0 < int(part) <= 8760 for part in parts):
            raise ValidationError(_("Type whole numbers of hours separated by commas, e.g. 72, 24."))
        return sorted({int(part) for part in parts}, reverse=True)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(hours) for hours in value)
        return value


class RoundForm(forms.Form):
    """The secretariat's form for a round's settings, with times in the edition's own time zone."""

    name = forms.CharField(label=_("Name"), max_length=200)
    position = forms.IntegerField(label=_("Position"), min_value=1, max_value=32767,
                                  help_text=_("Rounds run in this order: 1 first."))
    categories = NamedMultipleChoiceField(label=_("Categories"), queryset=Category.objects.none(),
                                          widget=forms.CheckboxSelectMultiple)
    source = forms.ChoiceField(label=_("Entries"), choices=JudgingRound.Source.choices)
    previous_round = NamedChoiceField(label=_("Round it follows"), queryset=JudgingRound.objects.none(),
                                      required=False,
                                      help_text=_("Needed when the entries are the shortlist of a round."))
    judges_per_entry = forms.IntegerField(label=_("Judges per entry"), min_value=1, max_value=50)
    deadline = WallClockDateTimeField(label=_("Scoring deadline"))
    blind = forms.BooleanField(label=_("Blind: judges do not see who applied"), required=False)
    reminder_hours = ReminderHoursField(label=_("Reminders (hours before the deadline)"), required=False,
                                        help_text=_("e.g. 72, 24: judges with open reviews are reminded then."))
    committee_vote = forms.BooleanField(label=_("The committee votes on this round's entries (Schulze)"),
                                        required=False)
    connected_panels = forms.BooleanField(
        label=_("Keep panels connected: every category's judges linked through shared entries"), required=False,
        help_text=_("So that their scores can be put on one scale. The assigner swaps or adds a few reviews where "
                    "needed, within conflicts and capacities, and says when it cannot."))

    def __init__(self, *args, edition, round: JudgingRound | None = None, **kwargs):  # noqa: A002
        super().__init__(*args, **kwargs)
        self.edition = edition
        self.fields["categories"].queryset = Category.objects.filter(edition=edition).order_by("position", "name")
        previous = JudgingRound.objects.filter(edition=edition).order_by("position")
        if round is not None:
            previous = previous.exclude(pk=round.pk)
        self.fields["previous_round"].queryset = previous
        self.fields["deadline"].help_text = _("In the edition's time zone, %(zone)s.") % {"zone": edition.time_zone}

    @classmethod
    def initial_for(cls, judging_round: JudgingRound) -> dict:
        return {
            "name": judging_round.name, "position": judging_round.position, "source": judging_round.source,
            "categories": list(judging_round.categories.all()), "previous_round": judging_round.previous_round,
            "judges_per_entry": judging_round.judges_per_entry, "blind": judging_round.blind,
            "deadline": wall_clock(judging_round.deadline, judging_round.edition.tz),
            "reminder_hours": judging_round.reminder_hours, "committee_vote": judging_round.committee_vote,
            "connected_panels": judging_round.connected_panels,
        }

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        return timezone.make_aware(deadline, self.edition.tz) if deadline is not None else deadline


class JudgeForm(forms.Form):
    """A judge's profile on the secretariat's page. `email` only when adding one."""

    email = forms.EmailField(label=_("E-mail address of their account"))
    country = LazyTypedChoiceField(label=_("Country"), choices=[("", "—"), *countries], required=False,
                                   help_text=_("Used for same-country conflicts when the edition asks for them."))
    capacity = forms.IntegerField(label=_("Capacity"), min_value=0, max_value=10_000,
                                  help_text=_("Most entries this judge scores."))
    expertise = NamedMultipleChoiceField(label=_("Expertise"), queryset=Category.objects.none(),
                                         widget=forms.CheckboxSelectMultiple, required=False)
    affiliations = forms.ModelMultipleChoiceField(
        label=_("Affiliations"), queryset=Organisation.objects.none(), required=False,
        help_text=_("Applicants the judge works for or with: never assigned their entries."),
    )
    active = forms.BooleanField(label=_("Active: the assigner may give them entries"), required=False)

    def __init__(self, *args, edition, judge: JudgeProfile | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = edition
        if judge is not None:
            del self.fields["email"]
        self.fields["expertise"].queryset = Category.objects.filter(edition=edition).order_by("position", "name")
        # Only organisations that applied to this edition can conflict with its judges; a bounded list.
        self.fields["affiliations"].queryset = Organisation.objects.filter(
            applications__edition=edition).distinct().order_by("name")

    @classmethod
    def initial_for(cls, judge: JudgeProfile) -> dict:
        return {"country": judge.country.code if judge.country else "", "capacity": judge.capacity,
                "expertise": list(judge.expertise.all()), "affiliations": list(judge.affiliations.all()),
                "active": judge.active}

    def clean_email(self):
        email = self.cleaned_data["email"]
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise ValidationError(_("No account uses this address. Ask them to sign up first, then add them."))
        if JudgeProfile.objects.filter(edition=self.edition, user=user).exists():
            raise ValidationError(_("They are already a judge of this edition."))
        self.user = user
        return email


# --- admin -----------------------------------------------------------------------------------------------


class JudgeProfileAdminForm(forms.ModelForm):
    class Meta:
        model = JudgeProfile
        fields = ["edition", "user", "country", "capacity", "expertise", "affiliations", "active"]

    def clean(self):
        cleaned = super().clean()
        edition = cleaned.get("edition") or (self.instance.edition if self.instance.pk else None)
        if edition and any(category.edition_id != edition.pk for category in cleaned.get("expertise") or []):
            self.add_error("expertise", _("Choose categories of the judge's edition."))
        return cleaned


class JudgingRoundAdminForm(forms.ModelForm):
    class Meta:
        model = JudgingRound
        fields = ["edition", "name", "position", "categories", "source", "previous_round", "judges_per_entry",
                  "deadline", "blind", "reminder_hours", "committee_vote", "connected_panels"]

    def clean(self):
        cleaned = super().clean()
        edition = cleaned.get("edition") or (self.instance.edition if self.instance.pk else None)
        if edition and any(category.edition_id != edition.pk for category in cleaned.get("categories") or []):
            self.add_error("categories", _("Choose categories of the round's edition."))
        return cleaned


class ConflictAdminForm(forms.ModelForm):
    class Meta:
        model = Conflict
        fields = ["judge", "application", "reason"]

    def clean(self):
        cleaned = super().clean()
        judge, application = cleaned.get("judge"), cleaned.get("application")
        if judge and application and judge.edition_id != application.edition_id:
            raise ValidationError(_("The judge and the entry belong to different editions."))
        return cleaned


class BidAdminForm(forms.ModelForm):
    class Meta:
        model = Bid
        fields = ["judge", "application", "category", "level"]

    def clean(self):
        cleaned = super().clean()
        judge, application, category = cleaned.get("judge"), cleaned.get("application"), cleaned.get("category")
        if (application is None) == (category is None):
            raise ValidationError(_("A bid is on one entry or on one category."))
        target = application or category
        if judge and target.edition_id != judge.edition_id:
            raise ValidationError(_("A judge bids only on entries and categories of their own edition."))
        return cleaned


NO_BID = ""


class BidsForm(forms.Form):
    """One select per category and per entry shown on the page; blank means no bid.

    `shown` carries the ids of the page's entries, so that a blank select withdraws the bid on exactly the
    entries the judge saw, and nothing on the other pages.
    """

    shown = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, categories, entries, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(NO_BID, _("No bid")), *Bid.Level.choices]
        for category in categories:
            self.fields[f"category_{category.pk}"] = forms.ChoiceField(
                label=_("Bid on the whole category %(category)s") % {"category": category.name},
                choices=choices, required=False,
            )
        for entry in entries:
            self.fields[f"entry_{entry.pk}"] = forms.ChoiceField(
                # The title as the page shows it (`entries_as_shown`: redacted in a blind edition).
                label=_("Bid on %(title)s") % {"title": getattr(entry, "shown_title", entry.title)},
                choices=choices, required=False,
            )
        self.category_ids = [category.pk for category in categories]
        self.entry_ids = [entry.pk for entry in entries]
        self.initial.setdefault("shown", ",".join(map(str, self.entry_ids)))

    def bids(self) -> tuple[dict[int, str | None], dict[int, str | None]]:
        """(entry id -> level or None, category id -> level or None) from the cleaned data."""
        data = self.cleaned_data
        return (
            {pk: data.get(f"entry_{pk}") or None for pk in self.entry_ids},
            {pk: data.get(f"category_{pk}") or None for pk in self.category_ids},
        )


class BidFilterForm(forms.Form):
    category = forms.TypedChoiceField(label=_("Category"), coerce=int, required=False, empty_value=None)
    q = forms.CharField(label=_("Title contains"), required=False, max_length=200)

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories")), *((c.pk, c.name) for c in categories)]


def shown_entry_ids(raw: str) -> list[int] | None:
    """The ids a bidding form says it showed; None when the value was tampered with."""
    parts = [part for part in (raw or "").split(",") if part]
    if len(parts) > 500 or not all(part.isdecimal() and len(part) <= 18 for part in parts):
        return None
    return [int(part) for part in parts]

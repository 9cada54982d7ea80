"""The committee member's ballot: a rank number per entry (no drag and drop), equal numbers tie, blank = unranked."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from submissions.models import Application

FIELD_PREFIX = "rank_"


class BallotForm(forms.Form):
    """One select per entry the member may rank, 1..n; `ranking()` turns the numbers into groups, best first."""

    def __init__(self, *args, entries: list[Application], recused: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.rankable = [entry for entry in entries if entry.pk not in recused]
        self.recused = recused
        choices = [("", _("not ranked"))] + [(str(n), str(n)) for n in range(1, len(self.rankable) + 1)]
        for entry in self.rankable:
            self.fields[f"{FIELD_PREFIX}{entry.pk}"] = forms.TypedChoiceField(
                # The title as the page shows it (`entries_as_shown`: redacted for a judge in a blind round).
                label=getattr(entry, "shown_title", entry.title) or _("Entry #%(number)s") % {"number": entry.pk},
                choices=choices, coerce=int,
                empty_value=None, required=False,
                error_messages={"invalid_choice": _("Choose a rank from 1 to %(n)s, or leave it blank.")
                                % {"n": len(self.rankable)}},
            )
            self.fields[f"{FIELD_PREFIX}{entry.pk}"].entry = entry

    @classmethod
    def initial_for(cls, ranking: list[list[int]]) -> dict:
        """A stored ranking as rank numbers: tied entries share a number, the next group skips (1, 1, 3)."""
        initial, position = {}, 1
        for group in ranking:
            initial.update({f"{FIELD_PREFIX}{pk}": str(position) for pk in group})
            position += len(group)
        return initial

    def field_for(self, entry: Application):
        return self[f"{FIELD_PREFIX}{entry.pk}"] if entry.pk not in self.recused else None

    def clean(self):
        cleaned = super().clean()
        known = {f"{FIELD_PREFIX}{entry.pk}" for entry in self.rankable}
        for key in self.data:
            if key.startswith(FIELD_PREFIX) and key not in known:
                number = key[len(FIELD_PREFIX):]
                if number.isdecimal() and len(number) <= 18 and int(number) in self.recused:
                    raise ValidationError(_("You are recused from entry #%(entry)s: it is not on your ballot.")
                                          % {"entry": number}, code="recused")
                raise ValidationError(_("Entry #%(entry)s is not on this ballot: it is not an entry of this "
                                        "category in this round.") % {"entry": number}, code="not_candidate")
        if self.rankable and all(cleaned.get(name) is None for name in known):
            raise ValidationError(_("Give at least one entry a rank."), code="empty")
        return cleaned

    def ranking(self) -> list[list[int]]:
        """Groups of application ids, best (lowest number) first; equal numbers share a group."""
        by_rank: dict[int, list[int]] = {}
        for entry in self.rankable:
            rank = self.cleaned_data.get(f"{FIELD_PREFIX}{entry.pk}")
            if rank is not None:
                by_rank.setdefault(rank, []).append(entry.pk)
        return [sorted(by_rank[rank]) for rank in sorted(by_rank)]

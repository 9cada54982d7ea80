"""The committee's vote on a round's entries (a final round on a shortlist, with `committee_vote`).

Each member (the chair or a committee member of the edition) casts one ballot per category and may
replace it while the vote is open: while the round is open, closed or scored, until the edition is
finalised. Entries the member is recused from (judging/selectors/votes.py: conflicts, organisation
membership, affiliations) are dropped from the ballot, and its `eligible` set leaves them out, so the
count gives the member no say in any pair with them. The count itself is a selector (`vote_result`).

Ballots are secret among the committee: the audit trail records who voted, when, how many entries they
ranked and which they were recused from, never the ranking.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import User
from portal.rules import is_chair, is_committee_member
from portal.services import audit_log
from submissions.models import Category

from ..models import Ballot, JudgingRound
from ..selectors.votes import VOTE_ROUND_STATES, recusals, vote_entries
from .locks import ensure_edition_unlocked, round_lock


def ensure_vote_open(judging_round: JudgingRound) -> None:
    """Refuse a ballot in a round without a vote, a round not (yet or any more) voting, or a finalised edition."""
    ensure_edition_unlocked(judging_round.edition,
                            message=_("The edition is finalised: the committee's vote is closed."))
    if not judging_round.committee_vote:
        raise ValidationError(_("The committee does not vote on this round."), code="no_vote")
    if judging_round.state not in VOTE_ROUND_STATES:
        raise ValidationError(
            _("The vote opens with the round; this round is %(state)s.")
            % {"state": judging_round.get_state_display().lower()},
            code="vote_not_open",
        )


def _groups(ranking: Sequence[Iterable[int]], *, entry_ids: set[int], category: Category) -> list[list[int]]:
    groups, seen = [], set()
    for group in ranking:
        ids = []
        for raw in group:
            try:
                application_id = int(raw)
            except (TypeError, ValueError):
                raise ValidationError({"ranking": _("A ballot names entries by their number.")}, code="invalid")
            if application_id not in entry_ids:
                raise ValidationError(
                    {"ranking": _("Entry #%(entry)s is not on this ballot: it is not an entry of “%(category)s” "
                                  "in this round.") % {"entry": application_id, "category": category.name}},
                    code="not_candidate",
                )
            if application_id in seen:
                raise ValidationError({"ranking": _("Entry #%(entry)s is ranked twice.") % {"entry": application_id}},
                                      code="twice")
            seen.add(application_id)
            ids.append(application_id)
        groups.append(ids)
    return groups


@transaction.atomic
def ballot_save(*, judging_round: JudgingRound, category: Category, voter: User,
                ranking: Sequence[Iterable[int]]) -> Ballot:
    """Cast or replace `voter`'s ballot for `category` in `judging_round`.

    `ranking` is a list of groups of application ids, best first; ids in one group are tied; entries left
    out rank below every ranked one. Entries the voter is recused from are dropped.
    """
    ensure_vote_open(judging_round)  # first: its refusal says that the vote is closed
    judging_round = round_lock(judging_round.pk)  # one ballot at a time against the round's state
    ensure_vote_open(judging_round)
    edition = judging_round.edition
    if not judging_round.categories.filter(pk=category.pk).exists():
        raise ValidationError({"category": _("This category is not one of the round's.")}, code="category")
    if not (is_chair(voter, edition) or is_committee_member(voter, edition)):
        raise ValidationError(_("Only the chair and the committee members vote."), code="not_voter")
    entries = vote_entries(judging_round=judging_round, category=category)
    entry_ids = {entry.pk for entry in entries}
    recused = set(recusals(edition=edition, user_ids=[voter.pk], entries=entries).get(voter.pk, {}))
    eligible = sorted(entry_ids - recused)
    if not eligible:
        raise ValidationError(_("You are recused from every entry of this category: you have no ballot here."),
                              code="all_recused")
    groups = _groups(ranking, entry_ids=entry_ids, category=category)
    kept = [sorted(pk for pk in group if pk not in recused) for group in groups]
    kept = [group for group in kept if group]
    if not kept:
        raise ValidationError({"ranking": _("Rank at least one entry.")}, code="empty")

    ballot = Ballot.objects.filter(round=judging_round, category=category, voter=voter).first()
    replaced = ballot is not None
    if ballot is None:
        ballot = Ballot(round=judging_round, category=category, voter=voter)
    ballot.ranking, ballot.eligible = kept, eligible
    ballot.full_clean()
    ballot.save()
    audit_log(actor=voter, action="vote.ballot_replace" if replaced else "vote.ballot_cast", target=judging_round,
              edition_id=edition.pk,
              after={"category": category.name, "ranked": sum(len(group) for group in kept),
                     "recused": sorted(recused)})
    return ballot

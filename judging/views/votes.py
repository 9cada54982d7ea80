"""The committee's vote: the edition's vote rounds, a round's overview, a member's ballot, a category's count.

The chair and the committee members vote (`judging.vote`); they, the secretariat and the observers read
the overview and the count (`judging.view_votes`). A judge with no other role in the edition reads
neither. The count names who voted, never how: no page shows anyone's ballot but the member's own.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from portal.access import edition_permission_required
from portal.service_errors import add_service_errors

from ..forms.votes import BallotForm
from ..models import JudgingRound
from ..selectors import votes as selectors
from ..selectors.bids import entries_as_shown
from ..services import votes as services
from .loaders import load_round

REFUSALS = {
    "judging.vote": _lazy("Only the chair and the committee members of this edition vote."),
    "judging.view_votes": _lazy("Only the committee members, the chair, the secretariat and the observers "
                                "read the committee's vote."),
}


def load_vote_round(request, slug: str, round_id: int) -> JudgingRound:
    """A round of the edition that the committee votes on; 404 for any other round."""
    judging_round = load_round(request, slug=slug, round_id=round_id)
    if not judging_round.committee_vote:
        raise Http404
    return judging_round


def vote_permission_required(perm: str):
    return edition_permission_required(perm, load=load_vote_round, refusal=REFUSALS[perm])


def _category(judging_round: JudgingRound, category_id: int):
    category = selectors.vote_category(judging_round=judging_round, category_id=category_id)
    if category is None:
        raise Http404
    return category


def _blind_for(request, judging_round: JudgingRound) -> bool:
    """A blind round's vote is blind for a voter who is also a judge of the edition: a judge never learns who
    applied. The other members read the entries as the committee's pages show them."""
    return judging_round.blind and request.user.has_perm("portal.judge_edition", judging_round.edition)


def _closed_reason(judging_round: JudgingRound) -> str | None:
    try:
        services.ensure_vote_open(judging_round)
    except ValidationError as error:
        return " ".join(error.messages)
    return None


@edition_permission_required("judging.view_edition_votes",
                             refusal=_lazy("Only the committee, the secretariat and the observers see the votes."))
def vote_home(request, edition):
    return render(request, "judging/votes/home.html", {
        "edition": edition, "rounds": selectors.vote_rounds(edition=edition),
    })


@vote_permission_required("judging.view_votes")
def vote_overview(request, judging_round: JudgingRound):
    return render(request, "judging/votes/overview.html", {
        "edition": judging_round.edition,
        "round": judging_round,
        "rows": selectors.vote_overview(judging_round=judging_round, user=request.user),
        "closed_reason": _closed_reason(judging_round),
        "can_vote": request.user.has_perm("judging.vote", judging_round),
    })


@vote_permission_required("judging.vote")
def vote_ballot(request, judging_round: JudgingRound, category_id: int):
    category = _category(judging_round, category_id)
    blind = _blind_for(request, judging_round)
    entries = entries_as_shown(entries=selectors.vote_entries(judging_round=judging_round, category=category),
                               blind=blind)
    recused = selectors.recusals(edition=judging_round.edition, user_ids=[request.user.pk],
                                 entries=entries).get(request.user.pk, {})
    ballot = selectors.ballot_of(judging_round=judging_round, category=category, voter=request.user)
    closed_reason = _closed_reason(judging_round)
    form = BallotForm(request.POST if request.method == "POST" else None, entries=entries, recused=set(recused),
                      initial=BallotForm.initial_for(ballot.ranking) if ballot else None)
    if request.method == "POST" and closed_reason is None and form.is_valid():
        try:
            services.ballot_save(judging_round=judging_round, category=category, voter=request.user,
                                 ranking=form.ranking())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your ballot for “%(category)s” is saved. You may change it while the "
                                        "vote is open.") % {"category": category.name})
            return redirect("judging:vote_overview", slug=judging_round.edition.slug, round_id=judging_round.pk)
    if request.method == "POST" and closed_reason is not None:
        form.add_error(None, closed_reason)
    rows = [{"entry": entry, "field": form.field_for(entry),
             "recused": selectors.recusal_reasons(recused[entry.pk]) if entry.pk in recused else ""}
            for entry in entries]
    return render(request, "judging/votes/ballot.html", {
        "edition": judging_round.edition,
        "round": judging_round,
        "category": category,
        "form": form,
        "rows": rows,
        "ballot": ballot,
        "closed_reason": closed_reason,
        "rankable": len(entries) - len(recused),
        "blind": blind,
    }, status=400 if form.is_bound and form.errors else 200)


@vote_permission_required("judging.view_votes")
def vote_result(request, judging_round: JudgingRound, category_id: int):
    category = _category(judging_round, category_id)
    outcome = selectors.vote_result(judging_round=judging_round, category=category)
    context = {"edition": judging_round.edition, "round": judging_round, "category": category,
               "outcome": outcome, "closed_reason": _closed_reason(judging_round),
               "can_vote": request.user.has_perm("judging.vote", judging_round),
               "blind": _blind_for(request, judging_round)}
    if outcome is not None:
        entries_as_shown(entries=outcome.entries, blind=context["blind"])
        entries, result = outcome.entries, outcome.result
        context["pairwise"] = [
            (x, [(y, result.pairwise[x.pk][y.pk] if x.pk != y.pk else None,
                  x.pk != y.pk and result.pairwise[x.pk][y.pk] > result.pairwise[y.pk][x.pk]) for y in entries])
            for x in entries
        ]
        context["strongest"] = [
            (x, [(y, result.strongest[x.pk][y.pk] if x.pk != y.pk else None,
                  x.pk != y.pk and result.beats(x.pk, y.pk)) for y in entries])
            for x in entries
        ]
        places, position = [], 1
        for group in outcome.order:
            places.append({"place": position, "tied": len(group) > 1, "entries": group})
            position += len(group)
        context["places"] = places
    return render(request, "judging/votes/result.html", context)

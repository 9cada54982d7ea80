"""The objects judging URLs name, loaded for `edition_permission_required(load=...)`: 404 when absent."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _lazy

from portal.access import edition_permission_required
from portal.models import Edition

from ..models import Assignment, JudgingRound
from ..selectors import scoring as selectors


def load_round(request, slug: str, round_id: int) -> JudgingRound:
    """The round `round_id` of the edition `slug`."""
    edition = get_object_or_404(Edition, slug=slug)
    judging_round = selectors.round_for_edition(edition=edition, pk=round_id)
    if judging_round is None:
        raise Http404
    return judging_round


def load_review_assignment(request, pk: int) -> Assignment:
    """An assignment with what its review page needs; for a POST without its review (the save reads it under
    the row lock)."""
    assignment = selectors.review_assignment(pk=pk, with_review=request.method != "POST")
    if assignment is None:
        raise Http404
    return assignment


ROUND_REFUSALS = {
    "judging.view_results": _lazy("Only the secretariat, the chair and the observers read the results; "
                                  "judges never do."),
    "judging.view_round": _lazy("Only the secretariat, the chair and the observers open this page."),
}


def round_permission_required(perm: str):
    """A round's page (URL: edition slug and round id): `perm` on the round, then MFA; the view takes the round."""
    return edition_permission_required(perm, load=load_round, refusal=ROUND_REFUSALS.get(perm))

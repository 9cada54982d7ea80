"""The applicant's feedback: the judges' comments for them and, if the round chooses, the explanation card.

Only members of the applying organisation, and only once the edition is published: before
that, nothing of the judging shows, not even whether comments exist.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from submissions.models import Application, Edition

from ..selectors import scoring as selectors
from .results import _card


@login_required
def feedback(request, pk: int):
    application = get_object_or_404(Application.objects.select_related("edition", "category", "organisation"), pk=pk)
    if not request.user.has_perm("submissions.application_edit", application):
        raise PermissionDenied(_("Only members of the organisation that owns this application can read its feedback."))
    published = application.edition.state == Edition.State.PUBLISHED
    rounds = selectors.applicant_feedback(application=application) if published else []
    criteria = selectors.card_criteria([item["result"] for item in rounds])
    for item in rounds:
        item["card"] = _card(item["result"], criteria)
    return render(request, "judging/scoring/feedback.html", {
        "application": application,
        "edition": application.edition,
        "published": published,
        "rounds": rounds,
    })

"""The applicant's feedback: the judges' comments for them and, if the round chooses, the explanation card.

Only members of the applying organisation, and only once the edition is published: before
that, nothing of the judging shows, not even whether comments exist.
"""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _lazy

from portal.models import Edition
from submissions.models import Application
from submissions.views.loaders import EDIT, application_permission_required

from ..selectors import results as result_selectors
from .results import _card


@application_permission_required(
    EDIT, refusal=_lazy("Only members of the organisation that owns this application can read its feedback."),
)
def feedback(request, application: Application):
    published = application.edition.state == Edition.State.PUBLISHED
    rounds = result_selectors.applicant_feedback(application=application) if published else []
    criteria = result_selectors.card_criteria([item["result"] for item in rounds])
    for item in rounds:
        item["card"] = _card(item["result"], criteria)
    return render(request, "judging/scoring/feedback.html", {
        "application": application,
        "edition": application.edition,
        "published": published,
        "rounds": rounds,
    })

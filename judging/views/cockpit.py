"""The cockpit's buttons that belong to judging (the cockpit itself is portal's edition workspace)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ..models import JudgingRound
from ..services.reminders import round_remind_late_judges
from .loaders import round_permission_required


@round_permission_required("judging.manage_round")
@require_POST
def round_remind(request, judging_round: JudgingRound):
    """Remind now: e-mail every judge of the open round who still has reviews to submit."""
    try:
        count = round_remind_late_judges(round=judging_round, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if count:
            messages.success(request, ngettext(
                "%(count)s judge with open reviews in %(round)s is being reminded by e-mail.",
                "%(count)s judges with open reviews in %(round)s are being reminded by e-mail.", count,
            ) % {"count": count, "round": judging_round.name})
        else:
            messages.info(request, _("Every judge of %(round)s has submitted all reviews: nobody to remind.")
                          % {"round": judging_round.name})
    workspace = reverse("portal:edition_workspace", args=[judging_round.edition.slug])
    return redirect(f"{workspace}#round-completion-{judging_round.pk}")

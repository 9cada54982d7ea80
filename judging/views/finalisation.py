"""The edition's last steps: judging ends (deliberation), the chair finalises with their second factor, then publishes.

Finalising re-asks the chair's second factor: the POST goes through only after a recent authentication with
the TOTP code (allauth.mfa's reauthenticate flow, which replays the suspended POST once the code is right).
A chair without TOTP is sent to set it up first by `edition_permission_required` when MFA is enforced; where it
is not (a laptop demo) the password is asked again instead.
"""

from __future__ import annotations

import time

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.internal.flows.reauthentication import suspend_request
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from portal.access import edition_permission_required
from portal.models import Edition
from portal.service_errors import run_service

from ..forms.confirm import ConfirmForm
from ..selectors.finalisation import finalisation_decisions, finalisation_version
from ..selectors.stages import finalise_summary
from ..services import edition_stages as edition_services


def _workspace(edition: Edition):
    return redirect(reverse("portal:edition_workspace", args=[edition.slug]))


def second_factor_is_recent(request) -> bool:
    """Whether the user confirmed who they are recently: with the TOTP code when they have one, else the password.

    A login counts as much as a re-authentication: what matters is that the second factor was given within
    ACCOUNT_REAUTHENTICATION_TIMEOUT seconds.
    """
    user = request.user
    with_totp = is_mfa_enabled(user, [Authenticator.Type.TOTP])
    now = time.time()
    for record in get_authentication_records(request, user):
        if now - record.get("at", 0) >= account_settings.REAUTHENTICATION_TIMEOUT:
            continue
        if record.get("method") == "mfa" or (not with_totp and record.get("reauthenticated")):
            return True
    return False


def _reauthenticate(request):
    """Suspend this POST and ask for the second factor (or the password without one); allauth replays it after."""
    with_totp = is_mfa_enabled(request.user, [Authenticator.Type.TOTP])
    messages.info(request, _("Confirm it is you: enter the code from your authenticator app.") if with_totp
                  else _("Confirm it is you: enter your password again."))
    return suspend_request(request, reverse("mfa_reauthenticate" if with_totp else "account_reauthenticate"))


@edition_permission_required("judging.start_deliberation",
                             refusal=gettext_lazy("Only the secretariat or the chair ends the judging."))
@require_http_methods(["GET", "POST"])
def deliberation_start(request, edition: Edition):
    """End the judging: a page that says what happens, then the POST with the confirmation box."""
    form = ConfirmForm(request.POST if request.method == "POST" else None,
                       label=_("Yes, end the judging and start the deliberation"))
    if request.method == "POST" and form.is_valid():
        if run_service(request, lambda: edition_services.edition_start_deliberation(edition=edition, user=request.user),
                       success=_("Judging is over: the committee deliberates on the prizes.")):
            return _workspace(edition)
        return redirect(reverse("judging:awards_start_deliberation", args=[edition.slug]))
    return render(request, "judging/awards/deliberation_start.html", {
        "edition": edition, "form": form, "refusal": edition_services.edition_deliberation_refusal(edition),
        "rounds": list(edition.rounds.order_by("position", "pk")),
    }, status=400 if form.is_bound else 200)


@edition_permission_required("judging.finalise_edition",
                             refusal=gettext_lazy("Only the chair of this edition finalises it."))
@require_http_methods(["GET", "POST"])
def awards_finalise(request, edition: Edition):
    """The chair's finalisation: what it does, the decisions it locks, and the button (second factor first)."""
    form = FinaliseForm(request.POST if request.method == "POST" else None,
                        label=_("Yes, finalise: nothing can be changed afterwards"))
    if request.method == "POST":
        refusal = edition_services.edition_finalise_refusal(edition)
        if refusal:  # said before the second factor is asked for
            messages.error(request, refusal)
            return redirect(reverse("judging:awards_finalise", args=[edition.slug]))
        if not form.is_valid():  # without the box nothing happens, and the second factor is not asked for
            return _finalise_page(request, edition, form, status=400)
        if not second_factor_is_recent(request):
            return _reauthenticate(request)
        shown = form.cleaned_data["shown"] or None
        done = run_service(request, lambda: edition_services.edition_finalise(edition=edition, user=request.user,
                                                                              shown_version=shown),
                           success=_("The edition is finalised: scores, assignments, results and prize decisions "
                                     "are locked for good. You can now publish it."))
        if done:
            return redirect(reverse("judging:awards_publish", args=[edition.slug]))
        return redirect(reverse("judging:awards_finalise", args=[edition.slug]))
    return _finalise_page(request, edition, form)


class FinaliseForm(ConfirmForm):
    # What the chair was shown (judging.selectors.finalisation.finalisation_version): finalising refuses when
    # a decision, a result or a score changed since.
    shown = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


def _finalise_page(request, edition: Edition, form: ConfirmForm, *, status: int = 200):
    # The page shows the decisions as stored now, so its form carries their version now, even when redisplayed.
    shown, label = finalisation_version(edition=edition), form.fields["confirm"].label
    if form.is_bound:
        form = FinaliseForm({**form.data.dict(), "shown": shown}, label=label)
        form.is_valid()
    else:
        form = FinaliseForm(initial={"shown": shown}, label=label)
    decisions = list(finalisation_decisions(edition=edition))
    return render(request, "judging/awards/finalise.html", {
        "edition": edition,
        "form": form,
        "decisions": decisions,
        "prizes": [d for d in decisions if d.tier_id],
        "awards": [d for d in decisions if d.award_id],
        "summary": finalise_summary(edition=edition),
        "refusal": edition_services.edition_finalise_refusal(edition),
    }, status=status)


class PublishForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I have checked the decisions: publish the results."),
        error_messages={"required": gettext_lazy("Tick the box to confirm the publication.")},
    )


@edition_permission_required("judging.publish_edition",
                             refusal=gettext_lazy("Only the chair of this edition publishes it."))
@require_http_methods(["GET", "POST"])
def awards_publish(request, edition: Edition):
    """The chair's publication: what becomes public, and a confirmation."""
    form = PublishForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            edition_services.edition_publish(edition=edition, user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The results are published: anyone can read them now."))
            return _workspace(edition)
    return render(request, "judging/awards/publish.html", {
        "edition": edition,
        "form": form,
        "winners": finalisation_decisions(edition=edition).filter(application__isnull=False).count(),
        "published": edition.state == Edition.State.PUBLISHED,
        "finalised": edition.state == Edition.State.FINALISED,
    })

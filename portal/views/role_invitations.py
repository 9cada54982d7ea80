"""Accepting a role invitation from its e-mailed link: with an account (log in first) or without (name and
password here; the account is made with the invited address verified). Used, revoked, expired or unknown links
get a page that says so and what to do."""

from urllib.parse import urlencode

from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import perform_login
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..access import needs_mfa_setup
from ..forms import AccountFromInvitationForm
from ..models import RoleInvitation, User
from ..service_errors import add_service_errors
from ..services import role_invitations as services


def _next_page(request, invitation: RoleInvitation, user) -> str:
    """The edition's workspace, through MFA set-up first when the new role needs it."""
    messages.success(request, _("Welcome: you are now %(role)s in %(edition)s.")
                     % {"role": invitation.get_role_display(), "edition": invitation.edition.name})
    landing = reverse("portal:edition_workspace", args=[invitation.edition.slug])
    if needs_mfa_setup(user):
        messages.warning(request, _("Your role needs two-factor authentication. Set up an authenticator app to "
                                    "continue."))
        return f"{reverse('mfa_activate_totp')}?{urlencode({'next': landing})}"
    return landing


@require_http_methods(["GET", "POST"])
def role_invitation_accept(request, token: str):
    invitation = (RoleInvitation.objects.select_related("edition", "invited_by").filter(token=token).first())
    if invitation is None:
        return render(request, "portal/roles/accept.html", {"status": "unknown"}, status=404)
    status = invitation.status()
    context = {"invitation": invitation, "status": status, "error": None}
    if status != RoleInvitation.Status.PENDING:
        return render(request, "portal/roles/accept.html", context, status=410)
    user = request.user
    if user.is_authenticated:
        context["wrong_address"] = user.email.lower() != invitation.email.lower()
        if request.method == "POST" and not context["wrong_address"]:
            try:
                services.role_invitation_accept(invitation=invitation, user=user)
            except ValidationError as refusal:
                context["error"] = " ".join(refusal.messages)
            else:
                return redirect(_next_page(request, invitation, user))
        return render(request, "portal/roles/accept.html", context, status=400 if context["error"] else 200)
    if User.objects.filter(email__iexact=invitation.email).exists():
        context["login_url"] = f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}"
        return render(request, "portal/roles/accept.html", context)
    form = AccountFromInvitationForm(request.POST or None, initial={"name": invitation.name})
    if request.method == "POST" and form.is_valid():
        try:
            new_user = services.role_invitation_accept_new_account(
                invitation=invitation, name=form.cleaned_data["name"], password=form.cleaned_data["password1"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # They typed their password in this very request: recorded as allauth's own password
            # re-authentication does (after the login, which starts the session's records afresh), so the MFA
            # set-up that comes next does not ask for it again.
            response = perform_login(request, new_user, email_verification="none",
                                     redirect_url=_next_page(request, invitation, new_user), signup=True,
                                     email=new_user.email)
            record_authentication(request, new_user, method="password", reauthenticated=True)
            return response
    context["form"] = form
    return render(request, "portal/roles/accept.html", context, status=400 if form.is_bound else 200)

"""The public home page and each person's dashboard."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .. import selectors
from ..models import Edition


def home(request):
    # Every edition past its draft has a public page (judging:public_edition); published ones their winners.
    editions = Edition.objects.exclude(state=Edition.State.DRAFT).order_by("-opens_at")
    return render(request, "portal/home.html", {"editions": editions})


@login_required
def dashboard(request):
    return render(
        request,
        "portal/dashboard.html",
        {
            "memberships": selectors.user_memberships(user=request.user),
            "roles_by_edition": selectors.user_roles_by_edition(user=request.user),
        },
    )

"""The error pages' views (403 and 404 in the portal's layout)."""

from django.shortcuts import render
from django.utils.translation import gettext as _


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else _("You do not have access to this page.")
    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)

"""The organiser's page creating an edition, empty or with the set-up of one whose secretariat they are.

It lives in judging (not portal) because copying reads every app's set-up: judging.services.edition_copy.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.access import holds, mfa_setup_redirect, needs_mfa_setup
from portal.bilingual import per_language
from portal.service_errors import add_service_errors
from portal.services.editions import edition_create as edition_create_service
from submissions.forms.secretariat import wall_clock

from ..forms.editions import EditionCreateForm
from ..selectors.editions import edition_copy_sources
from ..services.edition_copy import edition_copy


def _a_year_later(value):
    """The same wall-clock time a year on (29 February becomes the 28th)."""
    try:
        return value.replace(year=value.year + 1)
    except ValueError:
        return value.replace(year=value.year + 1, day=28)


def _initial(request, sources: list) -> dict:
    """A source chosen by link (?copy_from=<id>) preselected, with its programme, zone and description, and its
    opening and closing times a year later (in its zone)."""
    try:
        chosen = int(request.GET.get("copy_from", ""))
    except ValueError:
        return {}
    source = next((edition for edition in sources if edition.pk == chosen), None)
    if source is None:
        return {}
    return {"copy_from": source.pk, "time_zone": source.time_zone,
            **{field: getattr(source, field) or "" for field in per_language("programme", "description")},
            "opens_at": _a_year_later(wall_clock(source.opens_at, source.tz)),
            "closes_at": _a_year_later(wall_clock(source.closes_at, source.tz))}


@login_required
@require_http_methods(["GET", "POST"])
def edition_create(request):
    if not holds(request.user, "portal.create_edition"):
        raise PermissionDenied(_("Only organisers create editions. If you should create one, ask an organiser of "
                                 "this portal to make you one."))
    if needs_mfa_setup(request.user):
        return mfa_setup_redirect(request)
    sources = list(edition_copy_sources(user=request.user))
    form = EditionCreateForm(request.POST if request.method == "POST" else None, sources=sources,
                             initial=_initial(request, sources))
    if form.is_bound and form.is_valid():
        source = form.source
        try:
            if source is None:
                edition = edition_create_service(user=request.user, data=form.edition_data())
            else:
                edition = edition_copy(source=source, user=request.user, data=form.edition_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if source is None:
                messages.success(request, _(
                    "“%(name)s” is created as a draft and you are its secretariat. Next: add its categories and "
                    "application form here, then its rubric, rounds and judges; open the call when all is ready."
                ) % {"name": edition.name})
            else:
                messages.success(request, _(
                    "“%(name)s” is created as a draft with the set-up of “%(source)s”, and you are its secretariat. "
                    "Next: check the categories and the form here, then the rubric, the rounds' deadlines and the "
                    "judges; open the call when all is ready."
                ) % {"name": edition.name, "source": source.name})
            return redirect(reverse("submissions:edition_settings", args=[edition.slug]))
    return render(request, "judging/editions/create.html", {"form": form, "sources": sources},
                  status=400 if form.is_bound else 200)

"""Work a gunicorn worker would otherwise do in its first requests, done once at start-up (from wsgi.py).

Each worker process compiles the templates on first use (the cached loader keeps them for the process's life),
builds the URL resolvers and reads the translation catalogues. Done in the first request of each worker, that
is tens of milliseconds added to the requests that arrive first, which under a burst (everyone logging in at a
ceremony or a deadline) queue behind it. With gunicorn's --preload the work is done once before the fork and
shared by every worker.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

# The templates of the busiest pages (the public ones, logging in, drafts, reviews, the judge's queue).
TEMPLATES = [
    "base.html",
    "portal/home.html",
    "judging/public/edition.html",
    "judging/public/results.html",
    "account/login.html",
    "submissions/applicant/application_edit.html",
    "submissions/applicant/my_applications.html",
    "judging/scoring/review.html",
    "judging/scoring/workbench.html",
    "judging/scoring/home.html",
]


def warm_up() -> None:
    """Load templates, URL resolvers and catalogues; never stops start-up (a failure is logged only)."""
    from django.conf import settings
    from django.template.loader import get_template
    from django.urls import get_resolver, reverse
    from django.utils import translation

    try:
        get_resolver()._populate()
        reverse("portal:home")
        for name in TEMPLATES:
            get_template(name)
        from django.forms.renderers import get_default_renderer

        renderer = get_default_renderer()
        for name in ("django/forms/div.html", "django/forms/field.html", "django/forms/widgets/input.html",
                     "django/forms/widgets/textarea.html", "django/forms/widgets/select.html"):
            renderer.get_template(name)
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                translation.gettext("Home")
    except Exception:  # noqa: BLE001 - warming is an optimisation: the first request does the same work anyway
        logger.exception("warm-up failed; the first requests will load what it could not")

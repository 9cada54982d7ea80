"""The public pages of an edition, read without logging in: the call, the results, each winner, the dataset.

Pages a winning city links to from its press release, so they are cacheable and identical for every visitor
(the base layout's header aside): `Cache-Control: public, max-age=300`, an ETag and Last-Modified from the
edition's publication, no cookie ever set (no CSRF token is rendered for visitors; see `_no_cookies`). The
results, winner, image and dataset answer 404 unless the edition is PUBLISHED, whoever asks: staff read the
results on their own pages. What may show is decided in judging.selectors.public.
"""

from functools import wraps

from django.conf import settings
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_GET

from portal import public_cache
from portal.models import Edition

from ..selectors import public as public_selectors
from ..services.dataset import results_dataset

PUBLIC_MAX_AGE = 300


def _edition(request, slug: str) -> Edition | None:
    """The edition of the URL, read once per request (the ETag, Last-Modified and the view share it)."""
    cache = request.__dict__.setdefault("_public_editions", {})
    if slug not in cache:
        cache[slug] = public_selectors.public_edition_get(slug=slug)
    return cache[slug]


def _published_at(request, slug, **kwargs):
    edition = _edition(request, slug)
    return edition.published_at if edition and edition.state == Edition.State.PUBLISHED else None


def _etag(request, slug, **kwargs):
    published_at = _published_at(request, slug)
    if published_at is None:
        return None
    # The page differs by language and, in its header, by who is logged in: both are in the tag.
    return f"{slug}-{published_at.timestamp():.0f}-{get_language()}-{request.user.pk or 0}"


def _no_cookies(view):
    """Never set a cookie from a public page: the CSRF cookie of a logged-in visitor is not renewed here."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
        return response
    return wrapped


def public_page(view):
    """GET only, cacheable for five minutes, conditional on the publication, cookie-free; read-only, so outside
    the request transaction (ATOMIC_REQUESTS): no BEGIN/COMMIT round trips for the busiest pages."""
    return transaction.non_atomic_requests(require_GET(cache_control(public=True, max_age=PUBLIC_MAX_AGE)(
        condition(etag_func=_etag, last_modified_func=_published_at)(_no_cookies(view))
    )))


def rendered_once_for_visitors(view):
    """A public page whose copy anonymous visitors share until what it shows changes (portal/public_cache.py);
    the copy keeps the ETag, Last-Modified and Cache-Control of `public_page`."""
    return transaction.non_atomic_requests(public_cache.cached_for_visitors(view))


def _published(request, slug: str) -> Edition:
    edition = _edition(request, slug)
    if edition is None or edition.state != Edition.State.PUBLISHED:
        raise Http404
    return edition


def _absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL + path


@rendered_once_for_visitors
@public_page
def edition_page(request, slug: str):
    edition = _edition(request, slug)
    if edition is None:
        raise Http404
    public_cache.expire_at(request, edition.opens_at, edition.closes_at)  # "open for applications" comes and goes
    categories = public_selectors.public_edition_categories(edition=edition)
    awards = list(edition.edition_awards.order_by("position", "id"))
    url = reverse("judging:public_edition", args=[slug])
    return render(request, "judging/public/edition.html", {
        "edition": edition, "categories": categories, "awards": awards,
        "published": edition.state == Edition.State.PUBLISHED, "accepting": edition.is_accepting(),
        "canonical_url": _absolute(url), "page_description": edition.description,
    })


@rendered_once_for_visitors
@public_page
def results_page(request, slug: str):
    edition = _published(request, slug)
    prizes, awards = public_selectors.public_results(edition=edition)
    winner_ids = {d.application_id for c in prizes for t in c.tiers for d in t.decisions}
    scores = public_selectors.public_scores(edition=edition, application_ids=winner_ids)
    for category in prizes:
        for tier in category.tiers:
            for decision in tier.decisions:
                decision.public_score = scores.get(decision.application_id)
    return render(request, "judging/public/results.html", {
        "edition": edition, "prizes": prizes, "awards": awards,
        "canonical_url": _absolute(reverse("judging:public_results", args=[slug])),
    })


@public_page
def winner_page(request, slug: str, application_id: int):
    edition = _published(request, slug)
    found = public_selectors.public_winner(edition=edition, application_id=application_id)
    if found is None:
        raise Http404
    application, decisions = found
    summary = public_selectors.public_summary(application=application)
    score = public_selectors.public_scores(edition=edition, application_ids=[application.pk]).get(application.pk)
    image_path = image_url = None
    if application.public_image_consent and application.public_image:
        image_path = reverse("judging:public_winner_image", args=[slug, application.pk])
        image_url = _absolute(image_path)  # for the share cards; the page itself loads image_path
    return render(request, "judging/public/winner.html", {
        "edition": edition, "application": application, "organisation": application.organisation,
        "decisions": decisions, "summary": summary, "score": score, "image_path": image_path,
        "image_url": image_url,
        "canonical_url": _absolute(reverse("judging:public_winner", args=[slug, application.pk])),
    })


@public_page
def winner_image(request, slug: str, application_id: int):
    edition = _published(request, slug)
    application = public_selectors.public_image_application(edition=edition, application_id=application_id)
    if application is None:
        raise Http404
    # Streamed from the private storage: the stored file has no public URL of its own.
    response = FileResponse(application.public_image.open("rb"))
    response["X-Content-Type-Options"] = "nosniff"
    return response


@public_page
def dataset(request, slug: str):
    edition = _published(request, slug)
    if not edition.publish_dataset:
        raise Http404
    response = JsonResponse(results_dataset(edition=edition), json_dumps_params={"indent": 1, "ensure_ascii": False})
    response["Content-Disposition"] = f'inline; filename="{slug}-results-dataset.json"'
    return response


@require_GET
def language(request, code: str):
    """The public pages' language links: set the language cookie here, then go back (the pages set none)."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
                        path=settings.LANGUAGE_COOKIE_PATH, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
    return response

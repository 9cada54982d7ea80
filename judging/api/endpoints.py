"""/api/v1/: published editions and their results. Read-only, no login, no cookies, cacheable.

Only PUBLISHED editions exist here: a draft, an open call or an edition under deliberation answers 404, so
nothing leaks before the committee publishes. Every answer carries `Cache-Control: public, max-age=300` and an
ETag from the publication time (a conditional GET answers 304); the results' bodies are also kept in the cache
under a key that names the publication, so a re-publication is never served stale.
"""

import functools

from django.core.cache import cache
from django.db import transaction
from django.http import Http404
from django.urls import URLPattern
from django.utils.translation import gettext_noop
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition
from ninja import NinjaAPI, Router
from ninja.decorators import decorate_view

from portal.models import Edition

from ..selectors import public as public_selectors
from . import schemas
from .serialise import edition_detail, edition_summary, results

PUBLIC_MAX_AGE = 300
RESULTS_CACHE_SECONDS = 3600

api = NinjaAPI(
    title="Award portal: published results",
    version="1",
    description=(
        "Read-only results of published editions: editions, categories with their prize tiers, the winners of "
        "each tier and the edition's own awards. No login. Texts a programme writes in English and Korean come "
        "as {\"en\", \"ko\"}. Scores appear only for editions that publish them."
    ),
    urls_namespace="api",
    docs_url=None,  # the documentation is a portal page in the reader's language: judging/views/api_docs.py
)
router = Router(tags=["results"])


def _edition(request, slug: str) -> Edition | None:
    """The published edition of the URL, read once per request (the ETag and the operation share it)."""
    cache_ = request.__dict__.setdefault("_api_editions", {})
    if slug not in cache_:
        cache_[slug] = public_selectors.published_editions().filter(slug=slug).first()
    return cache_[slug]


def _published(request, slug: str) -> Edition:
    edition = _edition(request, slug)
    if edition is None:
        raise Http404("No published edition with this slug.")
    return edition


def _etag(request, slug=None, **kwargs):
    """The list changes when any edition is published or withdrawn; an edition's answers when it is published."""
    if slug is None:
        editions = list(public_selectors.published_editions().order_by("pk").values_list("pk", "published_at"))
        return "editions-" + "-".join(f"{pk}.{at.timestamp():.0f}" for pk, at in editions)
    edition = _edition(request, slug)
    return f"{slug}-{edition.published_at.timestamp():.0f}" if edition else None


def _cached(view):
    """Public caching for every operation: five minutes, conditional on the publication."""
    view = decorate_view(cache_control(public=True, max_age=PUBLIC_MAX_AGE))(view)
    return decorate_view(condition(etag_func=_etag))(view)


@router.get("/editions", response=list[schemas.EditionSummary],
            summary=gettext_noop("Published editions, newest first"))
@_cached
def list_editions(request):
    return [edition_summary(edition) for edition in public_selectors.published_editions().order_by("-published_at")]


@router.get("/editions/{slug}", response={200: schemas.Edition, 404: schemas.Message},
            summary=gettext_noop("One published edition with its categories and prize tiers"))
@_cached
def get_edition(request, slug: str):
    edition = _published(request, slug)
    return edition_detail(edition, public_selectors.public_edition_categories(edition=edition))


@router.get("/editions/{slug}/results", response={200: schemas.Results, 404: schemas.Message},
            summary=gettext_noop("The winners of a published edition, tier by tier, and its awards"))
@_cached
def get_results(request, slug: str):
    edition = _published(request, slug)
    key = f"api:v1:results:{edition.pk}:{edition.published_at.timestamp():.0f}"
    body = cache.get(key)
    if body is None:
        prizes, awards = public_selectors.public_results(edition=edition)
        winner_ids = {d.application_id for c in prizes for t in c.tiers for d in t.decisions}
        winner_ids |= {d.application_id for a in awards for d in a.decisions}
        scores = public_selectors.public_scores(edition=edition, application_ids=winner_ids)
        body = results(edition, prizes, awards, scores).model_dump(mode="json")
        cache.set(key, body, RESULTS_CACHE_SECONDS)
    return body


api.add_router("/", router)


def urls():
    """The API's URL patterns, each outside the request transaction (ATOMIC_REQUESTS): read-only, so no
    BEGIN/COMMIT round trips. Ninja routes through a bound method, which cannot carry Django's marker itself."""
    patterns, app_name, namespace = api.urls
    wrapped = []
    for pattern in patterns:
        view = functools.wraps(pattern.callback)(functools.partial(pattern.callback))
        wrapped.append(URLPattern(pattern.pattern, transaction.non_atomic_requests(view), pattern.default_args,
                                  pattern.name))
    return wrapped, app_name, namespace


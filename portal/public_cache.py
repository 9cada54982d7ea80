"""The public pages (the home page, an edition's page, its results) kept rendered for visitors who are not logged in.

The busiest pages of all are the same for every anonymous visitor in one language, so each is rendered once and
served from Django's cache (Redis in production, shared by every gunicorn worker; this process's memory without
Redis) until what it shows changes. Keys carry a generation number; `watch(Model)` bumps it after the commit of
any save or delete of a model the pages show, so a change shows up at the next request, never a stale copy
afterwards, and no key needs to be found and deleted. A copy also expires when the page changes by itself (a
call opening or closing: the view names the moments with `expire_at`) and after PUBLIC_CACHE_SECONDS at the most,
which bounds what a write that sends no signal (a queryset's update(), a bulk_create) could leave showing.

Only anonymous visitors get a copy, and only one without pending messages: a logged-in person's header names their
pages and holds their CSRF token. A conditional request (If-None-Match, If-Modified-Since) goes to the view, which
answers it with a 304 itself. Only a 200 is kept.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

PUBLIC_CACHE_SECONDS = 300
GENERATION_KEY = "public-pages:generation"
# The response headers a copy keeps (the CSP and security headers are added by the middleware on every answer).
KEPT_HEADERS = ("Content-Type", "Content-Language", "Cache-Control", "ETag", "Last-Modified", "Vary")


def _generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # A fresh cache (or one that lost the key): start from the clock, so no copy kept under an older number is
        # read again.
        generation = int(timezone.now().timestamp() * 1000)
        cache.add(GENERATION_KEY, generation, timeout=None)
        generation = cache.get(GENERATION_KEY, generation)
    return generation


def invalidate() -> None:
    """Every copy is stale from now on (called after the commit of a change the pages show)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet: nothing is cached under one
        _generation()


def _changed(sender, instance=None, **kwargs) -> None:
    when = _conditions.get(sender)
    if when is not None and instance is not None and not when(instance):
        return
    transaction.on_commit(invalidate)


_conditions: dict = {}


def watch(model, *, when=None) -> None:
    """Make copies stale after the commit of any save or delete of `model` (or of those for which `when(instance)`
    holds: e.g. an application only once it is past its draft, as drafts never show on a public page)."""
    if when is not None:
        _conditions[model] = when
    uid = f"public_cache:{model._meta.label}"
    post_save.connect(_changed, sender=model, dispatch_uid=uid + ":save", weak=False)
    post_delete.connect(_changed, sender=model, dispatch_uid=uid + ":delete", weak=False)


def expire_at(request, *moments) -> None:
    """The page `request` renders changes by itself at these moments (a call opening or closing): its copy must
    not outlive the first of them still to come."""
    request.__dict__.setdefault("_public_cache_moments", []).extend(moment for moment in moments if moment)


def _seconds_to_keep(request, *, rendered_from) -> int:
    """How long the copy may be kept; 0 when a moment named passed while the page was rendered (it may show what
    held before)."""
    now = timezone.now()
    moments = getattr(request, "_public_cache_moments", [])
    if any(rendered_from <= moment <= now for moment in moments):
        return 0
    coming = [moment for moment in moments if moment > now]
    if not coming:
        return PUBLIC_CACHE_SECONDS
    return max(1, min(PUBLIC_CACHE_SECONDS, int((min(coming) - now).total_seconds())))


def _cacheable(request) -> bool:
    return (
        request.method == "GET"
        # Nothing these pages show depends on a query string; keyed by one, anyone could fill the cache at will.
        and not request.META.get("QUERY_STRING")
        and not request.user.is_authenticated
        and "HTTP_IF_NONE_MATCH" not in request.META
        and "HTTP_IF_MODIFIED_SINCE" not in request.META
        and not request.COOKIES.get(getattr(settings, "MESSAGE_COOKIE_NAME", "messages"))
    )


def cached_for_visitors(view):
    """Serve `view`'s page to anonymous visitors from the cache, per path and language."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key = f"public-pages:{_generation()}:{get_language()}:{request.path}"
        kept = cache.get(key)
        if kept is not None:
            status, headers, content = kept
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
            return response
        rendered_from = timezone.now()
        response = view(request, *args, **kwargs)
        keep = _seconds_to_keep(request, rendered_from=rendered_from)
        if (keep and response.status_code == 200 and not response.streaming and not response.cookies
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")):
            headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
            cache.set(key, (response.status_code, headers, response.content), timeout=keep)
        return response

    return wrapped

"""Request bodies are capped before anything reads them.

Django counts a multipart body's files against no limit of its own (DATA_UPLOAD_MAX_MEMORY_SIZE covers only the
other fields), so a 200 MiB upload would be streamed whole to a temporary file before a form could say "at most
20 MB". Two pieces stop that:

- `RequestBodyLimitMiddleware` answers 413, with a page in the portal's layout, when the declared Content-Length
  is over the cap, before the body is touched (it runs before CSRF's view check, the first reader of a POST).
- `ChunkedBodyLimit`, a WSGI wrapper (config/wsgi.py), reads a body sent without a length (chunked) only up to
  the cap; past it reading stops and the middleware refuses the request. Django alone would read such a body
  as empty, and the user's input would be lost without a word.

The caps come from settings: PORTAL_UPLOAD_MAX_BYTES (the largest file any form accepts) plus
DATA_UPLOAD_MAX_MEMORY_SIZE (the form's other fields and the multipart framing) for a multipart body, and
DATA_UPLOAD_MAX_MEMORY_SIZE alone for any other body. A proxy in front (nginx's client_max_body_size) should
use the same figure; this check holds when there is none.
"""

import tempfile

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

BODY_TOO_LARGE = "portal.request_body_too_large"
READ_CHUNK = 64 * 1024


def max_body_bytes(content_type: str | None = "multipart/form-data") -> int:
    """The largest body a request of this content type may carry."""
    if (content_type or "").lower().startswith("multipart/"):
        return settings.PORTAL_UPLOAD_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _declared_length(meta) -> int:
    try:
        return max(int(meta.get("CONTENT_LENGTH") or 0), 0)
    except (TypeError, ValueError):
        return 0


def body_too_large(request) -> bool:
    return bool(request.META.get(BODY_TOO_LARGE)) or (
        _declared_length(request.META) > max_body_bytes(request.META.get("CONTENT_TYPE"))
    )


def too_large_response(request, *, limit: int | None = None):
    """The 413 page: what was refused, what is kept, what to do."""
    limit = limit if limit is not None else max_body_bytes(request.META.get("CONTENT_TYPE"))
    response = render(request, "413.html", {
        "limit": filesizeformat(limit), "file_limit": filesizeformat(settings.PORTAL_UPLOAD_MAX_BYTES),
    }, status=413)
    # The rest of the body is never read. No "Connection: close" here: WSGI forbids hop-by-hop headers, and the
    # server (gunicorn, Django's) closes a connection whose body was left unread.
    return response


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if body_too_large(request):
            return too_large_response(request)
        return self.get_response(request)


def bad_request(request, exception=None):
    """handler400: a body over Django's own field limits gets the 413 page; any other unreadable request a 400
    page in the portal's layout (Django's default is a bare line of text)."""
    if isinstance(exception, RequestDataTooBig):
        return too_large_response(request, limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return render(request, "400.html", status=400)


class ChunkedBodyLimit:
    """WSGI wrapper: a body without a Content-Length is read here, at most up to the cap, into a spooled temporary
    file (memory up to FILE_UPLOAD_MAX_MEMORY_SIZE, then disk), and handed on with its length. A body over the cap
    is not read further; the request goes on marked, and RequestBodyLimitMiddleware answers 413."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if not environ.get("CONTENT_LENGTH") and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            self._spool(environ)
        return self.application(environ, start_response)

    @staticmethod
    def _spool(environ) -> None:
        limit = max_body_bytes(environ.get("CONTENT_TYPE"))
        source = environ["wsgi.input"]
        spool = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
        total = 0
        while total <= limit:
            chunk = source.read(min(READ_CHUNK, limit + 1 - total))
            if not chunk:
                break
            spool.write(chunk)
            total += len(chunk)
        if total > limit:
            spool.close()
            environ[BODY_TOO_LARGE] = True
            spool, total = tempfile.SpooledTemporaryFile(), 0  # noqa: SIM115
        spool.seek(0)
        environ["wsgi.input"] = spool
        environ["CONTENT_LENGTH"] = str(total)


# The largest id a 64-bit column holds; Django's lookups on a foreign key pass a larger one to the database, which
# refuses it (SQLite: OverflowError; PostgreSQL: out of range) and the page would answer 500.
MAX_PATH_ID = 2**63 - 1


class PathIdRangeMiddleware:
    """An id in the address past any column's range names nothing: 404, before a view looks it up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if any(isinstance(value, int) and not -MAX_PATH_ID <= value <= MAX_PATH_ID
               for value in (*view_args, *view_kwargs.values())):
            raise Http404
        return None


def file_input_limit_attrs(limit: int) -> dict:
    """Attributes for a file input that static/portal/js/site.js reads: a file over `limit` is refused in
    the browser, before the form is sent, and the input is cleared so that the rest of the form can still be
    saved. Call it when the form is built (the message is in the reader's language)."""
    return {
        "data-max-bytes": str(limit),
        "data-too-large": _("“%(name)s” is larger than %(limit)s and was not added. Choose a smaller file; "
                            "the rest of the form is kept.") % {"name": "%(name)s", "limit": filesizeformat(limit)},
    }

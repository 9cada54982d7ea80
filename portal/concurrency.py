"""Optimistic concurrency for documents edited in a form: a save from a stale form is refused, never lost.

A form that edits a document (a judge's review, an application's draft) carries the version of the row it was
loaded at in a hidden field. The service reads the row under its row lock (SELECT ... FOR UPDATE, which it takes
anyway to serialise two requests), compares the versions and bumps the stored one when it writes: no extra query.
A save that lost the race raises `EditedMeanwhile`; the page shows the user's input again with the time of the
other save and the version to save over, so the user compares and decides. Django has no built-in for this and
django-concurrency patches model saves globally; a dozen lines here keep it explicit in the two services.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

STALE = "stale"


class EditedMeanwhile(ValidationError):
    """The document was saved by another request after this form was loaded; nothing of this request was written."""

    def __init__(self, message: str, *, current_version: int | str, saved_at: datetime | None = None):
        super().__init__(message, code=STALE)
        self.current_version = current_version
        self.saved_at = saved_at


def loaded_version(value) -> int | None:
    """The version a form was loaded at, from its hidden field; None when absent or unreadable (no check)."""
    try:
        version = int(value)
    except (TypeError, ValueError):
        return None
    return version if version >= 0 else None


def is_stale(*, stored: int, loaded: int | None) -> bool:
    """Whether a save from a form loaded at `loaded` would overwrite a later save. None: the caller sent no version."""
    return loaded is not None and loaded != stored


def row_version(instance, fields) -> str:
    """A digest of a row's stored `fields`: the version of a row without a version column (settings, criteria).

    The page carries it in a hidden field; the service compares it with the row it reads under its lock.
    """
    from portal.services.audit import snapshot

    text = json.dumps(snapshot(instance, fields=list(fields)), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def changed_meanwhile_message() -> str:
    return _("This was changed in another tab or by a colleague after you opened this page. Your input is below and "
             "has not been saved: compare it with what is saved now, then save again.")

"""The edition lock in the admin: a finalised or published edition's judging rows are shown read-only, with why.

Every judging model admin (and inline) whose rows the lock covers mixes `EditionLockAdminMixin` in: for a row of a
locked edition it answers no to change and delete (so a change form or delete POST gets 403), says on the
page why, and turns a refusal met while saving something new (a round added to a locked edition) into a
message instead of an error page. The model guard (judging/signals.py) stands behind it. (Bulk "delete selected"
is off site-wide: portal/admin/site.py.)
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

from portal.models import Edition

from ..services.locks import LOCKED_EDITION_STATES, EditionLocked, lock_message
from ..signals import GUARDED


def edition_of_row(obj) -> Edition | None:
    """The edition of a judging row (or an edition itself), read through the cached relations."""
    if obj is None or isinstance(obj, Edition):
        return obj
    path = GUARDED.get(type(obj)) or getattr(obj, "_lock_path", None) or "edition"
    for name in path.split("__"):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


def row_is_locked(obj) -> bool:
    edition = edition_of_row(obj)
    return edition is not None and edition.state in LOCKED_EDITION_STATES


class EditionLockAdminMixin:
    """Read-only for the rows of a finalised or published edition; `lock_path` names the way to the edition when
    the admin's model is not a guarded one (e.g. a conflict: `judge__edition`)."""

    lock_path: str | None = None

    def _locked(self, obj) -> bool:
        if obj is not None and self.lock_path and not isinstance(obj, Edition):
            obj._lock_path = self.lock_path
        return row_is_locked(obj)

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if request.method == "GET" and self._locked(obj):
            self.message_user(request, "%s %s" % (lock_message(), _("This page is read-only.")), messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            if not isinstance(error, EditionLocked) and getattr(error, "code", None) != "finalised":
                raise
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.path)


class EditionLockInlineMixin:
    """An inline under a parent of a locked edition: nothing added, changed or deleted."""

    def has_add_permission(self, request, obj=None):
        return not row_is_locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not row_is_locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not row_is_locked(obj) and super().has_delete_permission(request, obj)

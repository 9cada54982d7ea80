"""Every write to applications, their files and screening, and to an edition's categories and form.

Split by sub-domain: `status` (an application's one transition table and one writer),
`applications` (drafts, submit, reopen, withdraw), `screening`, `attachments`,
`edition_setup` (categories), `questions` (the form builder and answers), `notifications` (the e-mails the tasks send).
The edition itself and organisations live in `portal.services`.
"""

from .applications import (
    DRAFT_FIELD_HARD_LIMIT,
    application_create,
    application_reopen,
    application_save_draft,
    application_submission_errors,
    application_submit,
    application_withdraw,
    ensure_call_open,
)
from .attachments import attachment_add, attachment_remove
from .edition_setup import category_delete, category_save
from .screening import SCREENABLE, application_screen, applications_screen_bulk
from .status import APPLICATION_TRANSITIONS, application_lock, application_set_status

__all__ = [
    "APPLICATION_TRANSITIONS", "DRAFT_FIELD_HARD_LIMIT", "SCREENABLE", "application_create", "application_lock",
    "application_reopen", "application_save_draft", "application_screen", "application_set_status",
    "application_submission_errors", "application_submit", "application_withdraw",
    "applications_screen_bulk", "attachment_add", "attachment_remove", "category_delete", "category_save",
    "ensure_call_open",
]

"""Settings of the worker the outbox integration test starts: the test settings, with e-mails written to files
(one file per message, in OUTBOX_TEST_MAIL_DIR) so the test process can count what the worker sent."""

import os

from config.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["OUTBOX_TEST_MAIL_DIR"]

"""Waiting for the live server's e-mails: with eager tasks they go out from the end of the request, after the
response (worker/outbox.py), so on a threaded live server the browser may see the page a moment before the mail."""

import time
from collections.abc import Callable

from django.core import mail


def wait_for_mail(done: Callable[[list], bool] | int = 1, *, timeout: float = 10.0) -> list:
    """Return mail.outbox once `done(outbox)` holds (or it holds `done` messages); fail after `timeout` seconds."""
    check = done if callable(done) else (lambda outbox: len(outbox) >= done)
    deadline = time.monotonic() + timeout
    while not check(mail.outbox):
        assert time.monotonic() < deadline, f"the expected e-mails did not arrive: {[m.to for m in mail.outbox]}"
        time.sleep(0.05)
    return mail.outbox

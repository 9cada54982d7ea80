"""The base task class and the on-commit enqueue helper every app's tasks use."""

from celery import Task
from django.db import InterfaceError, OperationalError, transaction


class PortalTask(Task):
    """Retries passing database and broker errors with backoff; tasks take ids and are idempotent."""

    autoretry_for = (OperationalError, InterfaceError, ConnectionError)
    retry_backoff = True
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 5


def enqueue_on_commit(task, /, **kwargs) -> None:
    """Send `task` only once the surrounding transaction has committed (pretix's TransactionAwareTask)."""
    transaction.on_commit(lambda: task.apply_async(kwargs=kwargs))

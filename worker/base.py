"""The one base class of every Celery task in the portal, and how services enqueue them.

Services import their tasks at module level and call ``task.delay_on_commit(**ids)`` (Celery's
Django task class): the task is sent only once the surrounding transaction has committed, and
not at all when it rolls back. Tasks import the services they call inside the function (leaf
imports), so services and tasks never import each other at module level.
"""

import functools
import logging

from celery.contrib.django.task import DjangoTask
from django.db import InterfaceError, OperationalError, transaction
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)


class PortalTask(DjangoTask):
    """Retries passing database and broker errors with backoff; tasks take ids and are idempotent.

    A task that drives a run (an assignment or aggregation run) names the service that marks the
    run failed: ``@shared_task(base=PortalTask, fails_run="judging.services.x.run_fail")``. When
    the task fails for good (retries exhausted, or an error nobody retries) that service is called
    with ``run_id`` and ``error``, so the page shows the failure and offers a retry.
    """

    autoretry_for = (OperationalError, InterfaceError, ConnectionError)
    retry_backoff = True
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 5
    # Every task has a time limit; long ones (the assigner at scale) raise theirs where they are declared.
    soft_time_limit = 300
    time_limit = 360
    # Dotted path of `fail(*, run_id: int, error: str)`, or None for tasks that drive no run.
    fails_run: str | None = None

    def delay_on_commit(self, *args, **kwargs) -> None:
        """Send the task once the transaction has committed. A broker that is down does not turn the user's
        request into an error page after their change is saved: the job stays queued (its page says for how
        long) and the failure is logged."""
        transaction.on_commit(functools.partial(self._send_or_log, args, kwargs))

    def _send_or_log(self, args, kwargs) -> None:
        try:
            self.delay(*args, **kwargs)
        except (BrokerError, ConnectionError) as error:
            logger.error("task %s not sent (%s): the broker is unreachable; its job stays queued", self.name, error)

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        logger.error("task %s[%s] failed for good: %s: %s", self.name, task_id, type(exc).__name__, exc)
        run_id = (kwargs or {}).get("run_id")
        if self.fails_run and run_id is not None:
            import_string(self.fails_run)(run_id=run_id, error=f"{type(exc).__name__}: {exc}")
        super().on_failure(exc, task_id, args, kwargs, einfo)


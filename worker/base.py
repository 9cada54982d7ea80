"""The one base class of every Celery task in the portal, and how services enqueue them.

Services import their tasks at module level and call ``task.delay_on_commit(**ids)``: the task is written to
the outbox (worker/outbox.py) in the caller's transaction, sent once it has committed (and never when it rolls
back), and sent later by the relay when the broker was down. The worker claims the outbox row before running the
task, so a second delivery of it does nothing. Tasks import the services they call inside the function (leaf
imports), so services and tasks never import each other at module level.
"""

import logging

from celery.contrib.django.task import DjangoTask
from celery.exceptions import Retry
from django.db import InterfaceError, OperationalError
from django.utils.module_loading import import_string

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

    # The outbox adds its row's id to the kwargs (`_outbox`), which the task's own signature does not name.
    typing = False

    def delay_on_commit(self, **kwargs) -> None:
        """Write the task to the outbox in the current transaction; it is sent once that has committed.

        A broker that is down does not turn the user's request into an error page after their change is saved,
        and loses nothing: the row stays pending and the relay sends it when the broker is back.
        """
        from .outbox import task_record

        task_record(task_name=self.name, kwargs=kwargs)

    def __call__(self, *args, **kwargs):
        from . import outbox

        message_id = kwargs.pop(outbox.OUTBOX_KWARG, None)
        if message_id is None:
            return self._run(*args, **kwargs)
        if not outbox.claim(message_id=message_id, retries=self.request.retries or 0,
                            redelivery_allowed=self.fails_run is not None):
            logger.info("task %s: outbox message %s is already claimed or done; this delivery does nothing",
                        self.name, message_id)
            return None
        token = outbox.current_message.set(message_id)
        try:
            result = self._run(*args, **kwargs)
        except Retry:
            raise  # the retry carries a higher retry number and claims the row again
        except Exception as error:
            outbox.fail(message_id=message_id, error=error)
            if self.name == outbox.EMAIL_TASK:
                return None  # the outbox tries the e-mail again with backoff; not a task failure
            raise
        finally:
            outbox.current_message.reset(token)
        outbox.finish(message_id=message_id)
        return result

    def _run(self, *args, **kwargs):
        # Called by a worker or by `apply` (a request is on the stack): run the body as Celery would. Called
        # directly as a function: Celery's own __call__ sets the request up.
        if self.request_stack.top is not None:
            return self.run(*args, **kwargs)
        return super().__call__(*args, **kwargs)

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        logger.error("task %s[%s] failed for good: %s: %s", self.name, task_id, type(exc).__name__, exc)
        run_id = (kwargs or {}).get("run_id")
        if self.fails_run and run_id is not None:
            import_string(self.fails_run)(run_id=run_id, error=f"{type(exc).__name__}: {exc}")
        super().on_failure(exc, task_id, args, kwargs, einfo)


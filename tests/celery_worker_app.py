"""The Celery app the test workers run: the real one, plus one test-only hook.

Each transactional test empties the database, and Django then creates the content types
again under new ids. A worker process living through many tests would keep the old ids
in its ContentType cache (and fail validating an audit entry's target), which never
happens in production, where content types outlive every worker. So before each task
the test worker forgets them.
"""

from celery.signals import task_prerun

from config.celery_app import app

__all__ = ["app"]


@task_prerun.connect
def _forget_cached_content_types(**_kwargs) -> None:
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()

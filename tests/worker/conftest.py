import pytest

from config.celery_app import app


@pytest.fixture(autouse=True)
def _eager_tasks_unless_integration(request):
    """The outbox's unit tests run tasks in-process, as the embedded default does, even when an integration test
    earlier in the session has started a worker (its session fixture leaves the app pointed at Redis)."""
    if request.node.get_closest_marker("integration"):
        yield
        return
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved

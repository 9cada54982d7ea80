"""With the broker down, starting a job saves it and says so: the job stays queued, the page says for how long,
and the request is not an error page."""

import pytest

from config.celery_app import app
from judging.models import AssignmentRun, JudgingRound
from tests.factories.scoring import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down():
    """A broker nobody listens on (port 1): every send is refused."""
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "broker_connection_retry")}
    app.conf.update(task_always_eager=False, broker_url="redis://127.0.0.1:1/0", broker_connection_retry=False)
    app._pool, app.amqp._producer_pool = None, None
    yield
    app.conf.update(saved)
    app._pool, app.amqp._producer_pool = None, None  # the next send connects to the restored broker


def test_the_assigner_button_with_the_broker_down_leaves_a_queued_run(client, login, broker_down,
                                                                     django_capture_on_commit_callbacks, caplog):
    world = make_world(state=JudgingRound.State.ASSIGNING, edition_state="screening")
    login(world.role("secretariat"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/e/{world.edition.slug}/rounds/{world.round.pk}/run/")
    assert response.status_code == 302
    run = AssignmentRun.objects.get()
    assert run.state == AssignmentRun.State.PENDING
    assert "task judging.assign_round not sent" in caplog.text
    body = client.get(response.url).content.decode()
    assert "Queued: waiting for a worker to start it." in body and "Queued less than a minute ago." in body

"""With the broker down, starting a job saves it and says so: the job stays queued in the outbox, the page says for
how long, the request is not an error page, and the relay sends it once the broker is back."""

import pytest

from config.celery_app import app
from judging.models import AssignmentRun, JudgingRound
from tests.factories.scoring import make_world
from worker.models import OutboxMessage
from worker.outbox import outbox_relay
from worker.selectors import runs_waiting_for_the_broker

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
    assert "task judging.assign_round (outbox " in caplog.text and "not sent" in caplog.text
    message = OutboxMessage.objects.get()
    assert (message.task_name, message.kwargs, message.state, message.attempts) == (
        "judging.assign_round", {"run_id": run.pk}, "pending", 1)
    assert message.edition_id == world.edition.pk and "Connection refused" in message.last_error
    body = client.get(response.url).content.decode()
    assert "Queued: waiting for a worker to start it." in body and "Queued less than a minute ago." in body
    # Still down: the relay tries again when the row is due, and the run stays queued (not failed, not lost).
    OutboxMessage.objects.update(next_attempt_at=message.created_at)
    assert outbox_relay() == 0
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("pending", 2)
    run.refresh_from_db()
    assert run.state == AssignmentRun.State.PENDING
    assert runs_waiting_for_the_broker(task_name="judging.assign_round", run_ids=[run.pk, run.pk + 1]) == {run.pk}


def test_the_relay_sends_the_queued_run_once_the_broker_is_back(client, login, broker_down,
                                                                 django_capture_on_commit_callbacks):
    world = make_world(judges=3, state=JudgingRound.State.ASSIGNING, edition_state="screening")
    login(world.role("secretariat"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/e/{world.edition.slug}/rounds/{world.round.pk}/run/")
    app.conf.update(task_always_eager=True)  # the broker is back (in-process here)
    OutboxMessage.objects.update(next_attempt_at=OutboxMessage.objects.get().created_at)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_relay() == 1
    message = OutboxMessage.objects.get(task_name="judging.assign_round")
    assert (message.state, message.runs) == ("done", 1)
    assert AssignmentRun.objects.get().state == AssignmentRun.State.SUCCEEDED
    assert runs_waiting_for_the_broker(task_name="judging.assign_round", run_ids=[message.kwargs["run_id"]]) == set()

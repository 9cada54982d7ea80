"""Redis stops while an applicant submits, a judge submits a review, the secretariat runs the assigner and reminds
the judges: every request answers, nothing is lost, nothing runs or is mailed twice once Redis is back.

The test starts its own redis-server (port 6391, no persistence: what Redis held when it stopped is gone, as on a
crash) and its own Celery worker on it, whose e-mails go to files this process counts.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from email import message_from_string
from email.policy import default as email_policy
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from config.celery_app import app
from judging.models import AssignmentRun, JudgingRound, Review
from submissions.models import ApplicationSnapshot
from tests.conftest import REPO_ROOT, integration_services_missing
from tests.factories import MembershipFactory
from tests.factories.scoring import make_world
from tests.factories.submissions import ApplicationFactory, application_form_data
from worker.models import OutboxMessage
from worker.outbox import outbox_relay

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PORT = int(os.environ.get("OUTBOX_TEST_REDIS_PORT", "6391"))
REDIS_URL = f"redis://127.0.0.1:{PORT}/0"


class OwnRedis:
    def __init__(self, folder: Path):
        self.folder, self.process = folder, None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [shutil.which("redis-server"), "--port", str(PORT), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not _listening():
            assert time.monotonic() < deadline and self.process.poll() is None, "redis-server did not start"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        assert not _listening()


def _listening() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", PORT), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def own_worker(tmp_path, django_db_setup):
    """Our Redis and a real worker on it (the `celery_worker_queue` pattern), and this process pointed at them."""
    if integration_services_missing() or not shutil.which("redis-server"):
        pytest.skip(integration_services_missing() or "no redis-server")
    if _listening():
        pytest.skip(f"port {PORT} is taken")
    redis = OwnRedis(tmp_path)
    redis.start()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    queue = f"portal-outbox-{os.getpid()}"
    database = django_settings.DATABASES["default"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.worker.outbox_settings", "REDIS_URL": REDIS_URL,
           "OUTBOX_TEST_MAIL_DIR": str(mail_dir),
           "DATABASE_URL": f"postgres://{database['USER']}:{database.get('PASSWORD') or ''}@{database['HOST']}:"
                           f"{database['PORT']}/{database['NAME']}"}
    log = open(REPO_ROOT / "var" / "test-outbox-worker.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "tests.celery_worker_app", "worker", "--pool=solo", "--concurrency=1",
         "-Q", queue, "--loglevel=INFO", "-n", f"{queue}@%h", "--without-gossip", "--without-mingle"],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    saved = {key: app.conf[key] for key in ("task_always_eager", "task_default_queue", "broker_url",
                                            "result_backend", "broker_connection_retry")}
    app.conf.update(task_always_eager=False, task_default_queue=queue, broker_url=REDIS_URL,
                    result_backend=REDIS_URL, broker_connection_retry=False)
    app._pool, app.amqp._producer_pool = None, None
    try:
        _wait_for_worker(queue, worker)
        yield {"redis": redis, "mail_dir": mail_dir, "queue": queue, "worker": worker}
    finally:
        app.conf.update(saved)
        app._pool, app.amqp._producer_pool = None, None
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()
        redis.stop()


def _wait_for_worker(queue: str, worker, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if app.control.ping(destination=[f"{queue}@{socket.gethostname()}"], timeout=1):
                return
        except Exception:  # noqa: BLE001 - Redis not answering yet
            time.sleep(0.5)
        app._pool, app.amqp._producer_pool = None, None
        assert worker.poll() is None and time.monotonic() < deadline, "the worker did not come (back)"


def _mails(folder: Path) -> Counter:
    """(recipient, subject) of every message the worker wrote, counted (one file per SMTP connection)."""
    found: Counter = Counter()
    for path in folder.iterdir():
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                message = message_from_string(chunk.strip(), policy=email_policy)
                found[(message["To"], str(message["Subject"]))] += 1
    return found


def test_redis_down_during_requests_loses_nothing_and_sends_nothing_twice(own_worker, client, login, settings):
    settings.OUTBOX_RELAY_BACKOFF = 0.1
    # An applicant's draft in an open call, a judge with an entry to score, a round waiting for its assigner.
    membership = MembershipFactory(organisation__name="Alpha Town", user__email="owner@alpha.example")
    MembershipFactory(organisation=membership.organisation, user__email="colleague@alpha.example", role="member")
    draft = ApplicationFactory(organisation=membership.organisation, title="Alpha project")
    scoring = make_world(judges=2, entries=1)
    assigning = make_world(judges=3, entries=2, state=JudgingRound.State.ASSIGNING, edition_state="screening")

    own_worker["redis"].stop()
    started = time.monotonic()
    login(membership.user)
    response = client.post(f"/applications/{draft.pk}/submit/", application_form_data(draft, title="Final"))
    assert response.status_code == 302
    client.logout()
    login(scoring.judges[0].user)
    criteria = {f"score_{c.pk}": "6" for c in scoring.criteria}
    response = client.post(f"/scoring/assignments/{scoring.assignment(0, 0).pk}/",
                           {**criteria, "action": "submit", "confidence_sent": "1"})
    assert response.status_code == 302
    client.logout()
    login(assigning.role("secretariat"))
    response = client.post(f"/e/{assigning.edition.slug}/rounds/{assigning.round.pk}/run/")
    assert response.status_code == 302
    client.logout()
    login(scoring.role("secretariat"))
    response = client.post(f"/e/{scoring.edition.slug}/scoring/rounds/{scoring.round.pk}/remind/")
    assert response.status_code == 302

    # Everything was saved and waits in the outbox; the run is queued, not failed.
    waiting = dict(OutboxMessage.objects.values_list("task_name", "state"))
    assert set(waiting.values()) == {"pending"}
    assert set(waiting) == {"submissions.send_submission_confirmation", "judging.send_review_receipt",
                            "judging.assign_round", "judging.remind_judges"}
    assert AssignmentRun.objects.get().state == AssignmentRun.State.PENDING
    assert _mails(own_worker["mail_dir"]) == Counter()

    # A request with the broker down waits at most for one refused connection (measured: about a second).
    assert time.monotonic() - started < 30
    own_worker["redis"].start()
    _wait_for_worker(own_worker["queue"], own_worker["worker"])
    deadline = time.monotonic() + 120
    while OutboxMessage.objects.exclude(state="done").exists():
        assert time.monotonic() < deadline, list(OutboxMessage.objects.exclude(state="done").values())
        outbox_relay()
        # A second relay pass, as beat and the command may overlap: it must not send anything twice.
        outbox_relay()
        time.sleep(1)

    # Every task ran exactly once; every e-mail row went out exactly once, and nothing else did.
    assert list(OutboxMessage.objects.exclude(runs=1).values_list("task_name", "runs")) == []
    rows = Counter((m.recipient, m.subject) for m in OutboxMessage.objects.filter(kind="email"))
    deadline = time.monotonic() + 30
    while _mails(own_worker["mail_dir"]) != rows and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _mails(own_worker["mail_dir"]) == rows
    recipients = Counter(recipient for recipient, _subject in rows.elements())
    assert recipients["owner@alpha.example"] == recipients["colleague@alpha.example"] == 1
    assert recipients[scoring.judges[0].user.email] == 1  # the receipt
    assert recipients[scoring.judges[1].user.email] == 1  # the reminder: their review is still open
    assert ApplicationSnapshot.objects.get(application=draft).confirmation_sent_at is not None
    assert Review.objects.get().state == Review.State.SUBMITTED
    assert AssignmentRun.objects.get().state == AssignmentRun.State.SUCCEEDED

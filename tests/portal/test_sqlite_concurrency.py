"""The embedded default holds a small team: ten people at once on `make run`'s SQLite, and not one server error.

Measured before SQLite was configured for concurrent use: with two clients, 20 of 244 requests answered 500
(`database is locked`) on sign-up, login, review submit and the judge's queue. Here the real thing runs: the
development server `make run` starts, on a SQLite file, with the demo, and ten threads sign up, log in, edit
drafts, score and read the queue and the public pages at the same time.
"""

import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import REPO_ROOT as repo_root
from tests.load import flows

CLIENTS = 10


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def portal_on_sqlite(tmp_path_factory):
    """`make run`'s server (runserver, local settings, tasks in-process) on a fresh SQLite file with the demo."""
    folder = tmp_path_factory.mktemp("sqlite-team")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_URL", "REDIS_URL"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", DATABASE_URL=f"sqlite:///{folder / 'portal.sqlite3'}",
               PRIVATE_MEDIA_ROOT=str(folder / "private"), DJANGO_DEBUG="false",
               DJANGO_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")

    def manage(*args: str) -> str:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=repo_root, env=env, check=True,  # noqa: S603
                              capture_output=True, text=True, timeout=300).stdout

    manage("migrate", "--noinput", "-v0")
    manage("seed_demo", "--entries", "12", "--judged-entries", "24", "--judges", "6")
    manifest = json.loads(manage("seed_load", "--applicants", "4").strip().splitlines()[-1])
    port = _free_port()
    log = open(folder / "server.log", "w")  # noqa: SIM115
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],  # noqa: S603
                              cwd=repo_root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(base + "/", timeout=2)
                break
            except requests.ConnectionError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"runserver did not start: {Path(log.name).read_text()[-2000:]}") from None
                time.sleep(0.3)
        yield {"base": base, "manifest": manifest, "log": Path(log.name)}
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def _person(number: int, manifest: dict, base: str, results: list, barrier: threading.Barrier) -> None:
    """Client `number`: applicants, judges, newcomers and readers in turn, each a few rounds of real work."""
    rng = random.Random(number)
    password = manifest["password"]
    session = requests.Session()
    done = 0
    try:
        barrier.wait(timeout=60)
        role = number % 4
        if role == 0 and number // 4 < len(manifest["applicants"]):
            applicant = manifest["applicants"][number // 4]
            flows.login(session, base, email=applicant["email"], password=password)
            for _ in range(5):
                flows.edit_draft(session, base, application=applicant["application"], rng=rng)
                done += 1
        elif role in (1, 2):
            judge = manifest["judges"][number % len(manifest["judges"])]
            flows.login(session, base, email=judge["email"], password=password)
            for assignment in judge["assignments"]:
                flows.judge_queue(session, base, edition="wsca-demo")
                flows.score(session, base, assignment=assignment, rng=rng, submit=False)
                flows.score(session, base, assignment=assignment, rng=rng, submit=True)
                done += 1
        else:
            for attempt in range(4):
                flows.sign_up(requests.Session(), base, email=f"team{number}-{attempt}@example.org",
                              password="a-long-team-password-2026")
                flows.read_public(session, base, editions=manifest["editions"], rng=rng)
                done += 1
        results.append((number, done, None))
    except (flows.FlowError, requests.RequestException, threading.BrokenBarrierError) as error:
        results.append((number, done, error))


def test_ten_people_at_once_on_the_embedded_sqlite_get_no_server_error(portal_on_sqlite):
    results: list = []
    barrier = threading.Barrier(CLIENTS)
    threads = [threading.Thread(target=_person, args=(number, portal_on_sqlite["manifest"], portal_on_sqlite["base"],
                                                      results, barrier)) for number in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    failures = [f"client {number}: {error}" for number, _done, error in results if error]
    server_log = portal_on_sqlite["log"].read_text()
    assert not failures, "\n".join(failures) + "\n" + server_log[-3000:]
    assert len(results) == CLIENTS
    assert "database is locked" not in server_log
    # Everyone did their work: a client that silently did nothing would prove nothing.
    assert all(done >= 3 for _number, done, _error in results), results

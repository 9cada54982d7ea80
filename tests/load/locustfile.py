"""`make loadtest`'s users: applicants saving drafts, judges scoring, the public reading results (locust).

Run by scripts/loadtest, which seeds the data, starts gunicorn and a worker, and passes the manifest of
`manage.py seed_load` in LOADTEST_MANIFEST. Each simulated person takes an identity of their own from the
manifest (two locust users never edit one draft or one review), and the file named by LOADTEST_SUMMARY receives
the figures that locust's own report lacks: each request's start and time, for the percentiles without the
logins and in the steady state (tests/load/figures.py), and each applicant's last saved
title, which the consistency check compares with the database afterwards.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
import time

from locust import FastHttpUser, between, events, task

from tests.load import flows

MANIFEST = json.loads(open(os.environ["LOADTEST_MANIFEST"]).read()) if os.environ.get("LOADTEST_MANIFEST") else {}
_next = {"applicant": itertools.count(), "judge": itertools.count()}
_lock = threading.Lock()
_timings: list[tuple[str, float, bool, float]] = []  # name, milliseconds, failed, start (epoch seconds)
_last_titles: dict[str, str] = {}
# A title on its way to the server when the run stopped the applicant (mid-flow, once requests outlast locust's
# stop timeout): the draft holds it or the last saved one, and check_load accepts either.
_saving_titles: dict[str, str] = {}
_flow_errors: list[str] = []
_cpu_at_start: list[float] = []


@events.test_start.add_listener
def _started(environment, **kwargs):
    _cpu_at_start.append(time.process_time())


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, start_time=0.0, **kwargs):
    _timings.append((name, response_time, exception is not None, start_time))


@events.quitting.add_listener
def _summary(environment, **kwargs):
    path = os.environ.get("LOADTEST_SUMMARY")
    if not path:
        return
    with open(path, "w") as file:
        # locust's own CPU from the start of the test: without the imports and start-up, which are a second or two.
        cpu_seconds = time.process_time() - (_cpu_at_start[0] if _cpu_at_start else 0.0)
        json.dump({"timings": _timings, "last_titles": _last_titles, "saving_titles": _saving_titles,
                   "flow_errors": _flow_errors,
                   "cpu_seconds": cpu_seconds}, file)


def _take(kind: str, pool: list) -> dict | None:
    with _lock:
        number = next(_next[kind])
    return pool[number % len(pool)] if pool else None


class _Person(FastHttpUser):
    """locust's geventhttpclient user: a few times less CPU per request than its requests-based HttpUser, and the
    load generator shares the machine's two cores with the server it measures."""

    abstract = True
    wait_time = between(0.5, 2)

    def _flow(self, action, *args, **kwargs):
        try:
            return action(self.client, self.host, *args, **kwargs)
        except flows.FlowError as error:
            _flow_errors.append(str(error))
            return None


class Applicant(_Person):
    fixed_count = 20

    def on_start(self):
        self.rng = random.Random()
        self.me = _take("applicant", MANIFEST.get("applicants", []))
        self._flow(flows.login, email=self.me["email"], password=MANIFEST["password"])

    @task
    def edit_draft(self):
        application = str(self.me["application"])
        title = self._flow(flows.edit_draft, application=self.me["application"], rng=self.rng,
                           saving=lambda title: _saving_titles.__setitem__(application, title))
        if title:
            _last_titles[application] = title
            _saving_titles.pop(application, None)


class Judge(_Person):
    fixed_count = 15

    def on_start(self):
        self.rng = random.Random()
        self.me = _take("judge", MANIFEST.get("judges", []))
        self._flow(flows.login, email=self.me["email"], password=MANIFEST["password"])

    @task(3)
    def score(self):
        # A judge works on one review at a time and does not autosave a review once submitted (its page offers
        # "Update the submitted review" instead); simulated users sharing a judge account share this bookkeeping.
        with _lock:
            busy, done = self.me.setdefault("busy", set()), self.me.setdefault("submitted", set())
            free = [pk for pk in self.me["assignments"] if pk not in busy and pk not in done]
            if not free:
                return
            assignment = self.rng.choice(free)
            busy.add(assignment)
        submit = self.rng.random() < 0.5
        try:
            self._flow(flows.score, assignment=assignment, rng=self.rng, submit=submit)
        finally:
            with _lock:
                busy.discard(assignment)
                if submit:
                    done.add(assignment)

    @task(1)
    def queue(self):
        for edition in MANIFEST.get("judging", ["wsca-demo"]):
            self._flow(flows.judge_queue, edition=edition)


class Reader(_Person):
    weight = 1  # everyone beyond the applicants and the judges

    def on_start(self):
        self.rng = random.Random()

    @task
    def read(self):
        self._flow(flows.read_public, editions=MANIFEST.get("published") or MANIFEST.get("editions", []), rng=self.rng)

"""The CPU and the queries of every kind of request `make loadtest` makes, without locust's noise. One line a kind.

    DJANGO_SETTINGS_MODULE=config.settings.local DJANGO_DEBUG=false \\
        DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench python manage.py migrate
    ... python manage.py seed_demo --through published
    ... python manage.py bench_requests --rounds 10

Runs the load test's own flows (tests/load/flows.py: log in, edit and autosave a draft, list one's applications,
open, autosave, save and submit a review, the judge's queue, the public home, edition and results pages) through
Django's test client instead of HTTP, on the people `seed_load` adds to the demo (it is called here; a second call
adds nothing). Each request is the whole of what a gunicorn worker does for it (middleware, sessions, the view,
templates, the outbox's dispatch after the response), less the network. For each kind it prints the median and
the 95th percentile of the process's CPU time per request (time.process_time: this process only, so the database
server's own work is left out, and the machine's other load barely moves it), the median wall time, and the
queries of a request (the median, as a draft's first save differs from the next). Reviews are submitted for real, so
a database used here is a bench database: each run submits up to `--rounds` reviews more. `--json` prints one
JSON line instead.
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import random
import re
import statistics
import time
from http.cookies import SimpleCookie
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

# (kind, method, a pattern of the path): the first that matches names a request.
KINDS = [
    ("login_page", "GET", r"^/accounts/login/$"),
    ("login", "POST", r"^/accounts/login/$"),
    ("draft_page", "GET", r"^/applications/\d+/edit/$"),
    ("draft_autosave", "POST", r"^/applications/\d+/autosave/$"),
    ("draft_save", "POST", r"^/applications/\d+/edit/$"),
    ("my_applications", "GET", r"^/applications/$"),
    ("review_page", "GET", r"^/scoring/assignments/\d+/$"),
    ("review_autosave", "POST", r"^/scoring/assignments/\d+/autosave/$"),
    ("review_save", "POST", r"^/scoring/assignments/\d+/$"),  # review_submit when its button is "submit"
    ("scoring_home", "GET", r"^/e/[^/]+/scoring/$"),
    ("queue", "GET", r"^/e/[^/]+/scoring/rounds/\d+/queue/$"),
    ("public_home", "GET", r"^/$"),
    ("public_edition", "GET", r"^/editions/[^/]+/$"),
    ("public_results", "GET", r"^/editions/[^/]+/results/$"),
]


def kind_of(method: str, path: str, data: dict | None = None) -> str:
    for kind, kind_method, pattern in KINDS:
        if method == kind_method and re.match(pattern, path):
            return "review_submit" if kind == "review_save" and (data or {}).get("action") == "submit" else kind
    return f"{method} {path}"


class _Response:
    """What the flows read of a `requests` response, from a test client's response."""

    def __init__(self, response, method: str, url: str):
        self.status_code = response.status_code
        self.text = response.content.decode() if not getattr(response, "streaming", False) else ""
        self.headers = response.headers
        self.url = url
        self.request = type("Request", (), {"method": method})()


class _Cookies:
    """The test client's cookies as the flows read a session's jar: by name, or as cookies with a name and value."""

    def __init__(self, client: Client):
        self._client = client

    def get(self, name: str, default=None):
        morsel = self._client.cookies.get(name)
        return morsel.value if morsel is not None else default

    def __iter__(self):
        return (SimpleNamespace(name=name, value=morsel.value) for name, morsel in self._client.cookies.items())


class TimedSession:
    """A requests-like session over Django's test client that records each request's CPU, wall time and queries
    under its kind. A redirect followed is part of the request that asked for it, as in locust's figures."""

    profiler: cProfile.Profile | None = None  # set by --profile: only requests of `profiled` kind are profiled
    profiled = ""

    def __init__(self, records: dict[str, list[tuple[float, float, int]]]):
        self.client = Client(HTTP_HOST="127.0.0.1")  # a host every setting allows (the load test's)
        self.client.cookies = SimpleCookie()
        self.cookies = _Cookies(self.client)
        self.records = records

    def get(self, url: str, *, allow_redirects: bool = True, headers: dict | None = None, **kwargs):
        return self._request("GET", url, allow_redirects=allow_redirects, headers=headers)

    def post(self, url: str, *, data=None, allow_redirects: bool = True, headers: dict | None = None, **kwargs):
        return self._request("POST", url, data=data or {}, allow_redirects=allow_redirects, headers=headers)

    def _request(self, method: str, url: str, *, data=None, allow_redirects: bool, headers: dict | None):
        path = urlsplit(url).path
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in (headers or {}).items()}
        counted = [0]

        def count(execute, sql, params, many, context):
            counted[0] += 1
            return execute(sql, params, many, context)

        kind = kind_of(method, path, data)
        profiler = self.profiler if kind == self.profiled else None
        with connection.execute_wrapper(count):
            if profiler:
                profiler.enable()
            cpu, wall = time.process_time(), time.perf_counter()
            if method == "GET":
                response = self.client.get(path, **extra)
            else:
                response = self.client.post(path, data, **extra)
            while allow_redirects and response.status_code in (301, 302, 303) and method == "GET":
                response = self.client.get(urlsplit(response.headers["Location"]).path)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if profiler:
                profiler.disable()
        self.records.setdefault(kind, []).append((cpu * 1000, wall * 1000, counted[0]))
        return _Response(response, method, url)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summarise(records: dict[str, list[tuple[float, float, int]]]) -> dict[str, dict]:
    order = [kind for kind, *_ in KINDS]
    result = {}
    for kind in sorted(records, key=lambda name: (order.index(name) if name in order else len(order), name)):
        rows = records[kind]
        cpu = [row[0] for row in rows]
        result[kind] = {
            "requests": len(rows),
            "cpu_ms": round(statistics.median(cpu), 1),
            "cpu_p95_ms": round(_percentile(cpu, 0.95), 1),
            "wall_ms": round(statistics.median(row[1] for row in rows), 1),
            "queries": int(statistics.median(row[2] for row in rows)),
        }
    return result


class Command(BaseCommand):
    help = "CPU ms and queries per kind of load-test request, through the test client on the seeded demo."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rounds", type=int, default=10,
                            help="How many times each person's flow runs (after one warm-up round).")
        parser.add_argument("--people", type=int, default=3, help="Applicants and judges taking turns.")
        parser.add_argument("--json", action="store_true", dest="as_json")
        parser.add_argument("--profile", default="", metavar="KIND",
                            help="Also print cProfile's top functions over the measured requests of this kind.")

    def handle(self, *args, rounds: int, people: int, as_json: bool, profile: str, **options) -> None:
        try:
            from tests.load import flows
        except ImportError as error:  # the image ships no tests
            raise CommandError(f"bench_requests runs the load test's flows (tests/load/flows.py): {error}") from None
        out = io.StringIO()
        try:
            call_command("seed_load", "--applicants", str(max(people, 1)), stdout=out)
        except CommandError as error:
            raise CommandError(f"{error} (bench_requests needs `seed_demo --through published`)") from None
        manifest = json.loads(out.getvalue().strip().splitlines()[-1])
        applicants = manifest["applicants"][:people]
        judges = [judge for judge in manifest["judges"] if judge["assignments"]][:people]
        if not applicants or not judges:
            raise CommandError("No drafts or no judge with open work: run `seed_demo --through published` first.")
        rng = random.Random(1)
        records: dict[str, list] = {}
        warm_up: dict[str, list] = {}
        base = "http://127.0.0.1"

        def sessions(into):
            made = []
            for person in applicants + judges:
                session = TimedSession(into)
                flows.login(session, base, email=person["email"], password=manifest["password"])
                made.append(session)
            return made

        def one_round(applicant_sessions, judge_sessions, *, submit: bool):
            for session, person in zip(applicant_sessions, applicants, strict=True):
                flows.edit_draft(session, base, application=person["application"], rng=rng)
            for session, person in zip(judge_sessions, judges, strict=True):
                open_ones = person["assignments"]  # the first stays open for the draft saves of later rounds
                submitting = submit and len(open_ones) > 1
                assignment = open_ones.pop() if submitting else open_ones[0]
                flows.score(session, base, assignment=assignment, rng=rng, submit=submitting)
                for edition in manifest["judging"]:
                    flows.judge_queue(session, base, edition=edition)
            reader = TimedSession(applicant_sessions[0].records)
            flows.read_public(reader, base, editions=manifest["published"], rng=rng)

        warm = sessions(warm_up)  # templates, URL resolvers and caches loaded; these figures are dropped
        one_round(warm[:len(applicants)], warm[len(applicants):], submit=False)
        if profile:
            TimedSession.profiler, TimedSession.profiled = cProfile.Profile(), profile
        logged_in = sessions(records)
        for number in range(rounds):
            # Every other round submits one review per judge (as half the load test's reviews are submitted), while
            # the judge still has another open one to keep for the next rounds.
            one_round(logged_in[:len(applicants)], logged_in[len(applicants):], submit=number % 2 == 1)
        if profile:
            report = io.StringIO()
            pstats.Stats(TimedSession.profiler, stream=report).sort_stats("tottime").print_stats(40)
            pstats.Stats(TimedSession.profiler, stream=report).sort_stats("cumtime").print_stats(60)
            self.stdout.write(report.getvalue())
            TimedSession.profiler = None
        figures = summarise(records)
        if as_json:
            self.stdout.write(json.dumps(figures))
            return
        self.stdout.write(f"{'request':<18}{'n':>5}{'cpu ms':>9}{'cpu p95':>9}{'wall ms':>9}{'queries':>9}")
        for kind, row in figures.items():
            self.stdout.write(f"{kind:<18}{row['requests']:>5}{row['cpu_ms']:>9.1f}{row['cpu_p95_ms']:>9.1f}"
                              f"{row['wall_ms']:>9.1f}{row['queries']:>9}")

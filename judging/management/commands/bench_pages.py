"""Time every list page and the judge's score submit at the server, with query counts and sizes. One line a page.

    DJANGO_DEBUG=false DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        python manage.py bench_pages --entries 1000 --per-entry 3

Builds two bench editions with bulk_create (see bench_results): a category of `--entries`
entries with `--per-entry` submitted reviews each (1,000 entries, 3,000 reviews by
default), where one judge has every entry in their queue, with one audit entry and one
outbox row per entry; and a small one of `--small` entries. It computes the results with
the real service, then requests each page of `PAGES` through Django's test client (the
whole request: middleware, sessions, permissions, MFA check, queries, templates —
everything but the network) `--requests` times after two warm-up requests, and prints
per page and edition the median and 95th percentile in milliseconds, the queries of one
request and the bytes of the response. Pages of a later stage (the committee's awards,
the published results) are measured after the bench edition is moved to that stage.

The score submit (`SUBMITS`) posts a complete review over a draft holding one score, as a
judge does after autosave, each time on another assignment of the open round; the draft
save posts a change to a draft. The work that runs after the response is sent (the
outbox's dispatch of the receipt at `request_finished`) is not part of the request's
figures. MFA enforcement is on, and the users have TOTP, as in production. The bench
editions are removed at the end unless --keep. `--json` prints one JSON line instead.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass
from datetime import timedelta

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.management.base import BaseCommand
from django.core.signals import request_finished
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from judging.models import Assignment, Criterion, CriterionScore, JudgingRound, Review
from judging.services.aggregation import round_aggregate
from portal import public_cache
from portal.models import AuditEntry, Edition, EditionRole, User
from worker import outbox
from worker.models import OutboxMessage

from .bench_results import fill, remove_bench_editions

PREFIX = "bench-pages"


@dataclass(frozen=True)
class Page:
    """A page to time: its name, who reads it (a key of the bench's users, or "anonymous"), its URL (formatted with
    the edition's slug and round id), and the edition state it is read in (None: as filled, judging)."""

    name: str
    user: str
    url: str
    stage: str | None = None


# Every list page, in the order they are timed; a page added here is timed and printed (the test checks each line).
PAGES = [
    Page("dashboard", "judge", "/dashboard/"),
    Page("workspace", "secretariat", "/e/{slug}/"),
    Page("scoring_home", "judge", "/e/{slug}/scoring/"),
    Page("queue", "judge", "/e/{slug}/scoring/rounds/{round}/queue/"),
    Page("leaderboard", "secretariat", "/e/{slug}/scoring/rounds/{round}/results/"),
    Page("screening", "secretariat", "/e/{slug}/screening/"),
    Page("judges", "secretariat", "/e/{slug}/judges/"),
    Page("roles", "secretariat", "/e/{slug}/roles/"),
    Page("rounds", "secretariat", "/e/{slug}/rounds/"),
    Page("round_detail", "secretariat", "/e/{slug}/rounds/{round}/"),
    Page("rubrics", "secretariat", "/e/{slug}/rubrics/"),
    Page("audit", "secretariat", "/e/{slug}/audit/"),
    Page("outbox", "secretariat", "/e/{slug}/outbox/"),
    Page("awards_setup", "secretariat", "/e/{slug}/awards/setup/"),
    Page("awards", "chair", "/e/{slug}/awards/", stage=Edition.State.DELIBERATION),
    Page("public_results", "anonymous", "/editions/{slug}/results/", stage=Edition.State.PUBLISHED),
]
# The judge's writes, timed on the large edition with its round open: (name, the form's button).
SUBMITS = [("draft_save", "save"), ("score_submit", "submit")]


def _percentile(timings: list[float], share: float) -> float:
    return round(timings[min(len(timings) - 1, int(round(share * (len(timings) - 1))))], 1)


def _figures(timings: list[float], queries: int, size: int) -> dict:
    timings = sorted(timings)
    return {"median_ms": round(statistics.median(timings), 1), "p95_ms": _percentile(timings, 0.95),
            "queries": queries, "bytes": size}


def _measure(client: Client, url: str, requests: int, *, rendered: bool = False) -> dict:
    """`rendered`: every request renders the page (a public page's cached copy, 0 queries and ~2 ms, is dropped
    before each one, untimed): the figures are the page's own cost, which a visitor meets after every change."""
    def get():
        if rendered:
            public_cache.invalidate()
        started = time.perf_counter()
        response = client.get(url)
        return response, (time.perf_counter() - started) * 1000

    for _ in range(2):
        response, _ms = get()
        assert response.status_code == 200, (url, response.status_code)
    timings = [get()[1] for _ in range(requests)]
    if rendered:
        public_cache.invalidate()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return _figures(timings, len(queries), len(response.content))


class _AfterResponseHeld:
    """The outbox's end-of-request dispatch held back (rows stay pending): the figures are the request's own."""

    def __enter__(self):
        request_finished.disconnect(dispatch_uid="outbox_request_finished")

    def __exit__(self, *exc):
        request_finished.connect(outbox._request_finished, dispatch_uid="outbox_request_finished")
        outbox._scope.active, outbox._scope.deferred = False, []


def _open_for_scoring(bench, judge_profile, count: int) -> list[Assignment]:
    """Open the round again and give `count` of the judge's assignments a draft holding one score."""
    JudgingRound.objects.filter(pk=bench.round.pk).update(state=JudgingRound.State.OPEN,
                                                          deadline=timezone.now() + timedelta(days=7))
    assignments = list(Assignment.objects.filter(round=bench.round, judge=judge_profile).order_by("pk")[:count])
    reviews = Review.objects.filter(assignment__in=assignments)
    kept = CriterionScore.objects.filter(review__in=reviews).order_by("review_id", "criterion_id")
    first = {}
    for score in kept:
        first.setdefault(score.review_id, score.pk)
    CriterionScore.objects.filter(review__in=reviews).exclude(pk__in=first.values()).delete()
    reviews.update(state=Review.State.DRAFT, submitted_at=None, weighted_total=None)
    Assignment.objects.filter(pk__in=[a.pk for a in assignments]).update(state=Assignment.State.IN_PROGRESS)
    return assignments


def _measure_writes(client: Client, assignments: list[Assignment], criteria, action: str, requests: int) -> dict:
    """POST the review form on a fresh assignment each time; every answer must be the redirect of a success."""
    def post(assignment):
        data = {f"score_{c.pk}": str(c.scale_max) for c in criteria}
        data.update({f"comment_{criteria[0].pk}": "Benchmarked.", "action": action, "confidence_sent": "1",
                     "confidence": "4", "committee_comment": "A bench review."})
        if action == "save":  # a draft save changes one score of the draft
            data = {f"score_{criteria[0].pk}": str(criteria[0].scale_min), "action": "save"}
        response = client.post(f"/scoring/assignments/{assignment.pk}/", data)
        assert response.status_code == 302, (assignment.pk, response.status_code, response.content[:500])
        return response

    pending = list(assignments)
    timings = []
    with _AfterResponseHeld():
        for _ in range(2):
            post(pending.pop())
        for _ in range(requests):
            assignment = pending.pop()
            started = time.perf_counter()
            post(assignment)
            timings.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            response = post(pending.pop())
    return _figures(timings, len(queries), len(response.content))


class Command(BaseCommand):
    help = "Median and 95th percentile server time, queries and bytes of every list page and of the score submit."

    def add_arguments(self, parser):
        parser.add_argument("--entries", type=int, default=1000)
        parser.add_argument("--small", type=int, default=10)
        parser.add_argument("--per-entry", type=int, default=3)
        parser.add_argument("--judges", type=int, default=30)
        parser.add_argument("--requests", type=int, default=20)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--pages", default="", help="Comma-separated page names to time (all by default).")
        parser.add_argument("--keep", action="store_true")
        parser.add_argument("--json", action="store_true", help="One JSON line instead of a line per page.")

    def _edition(self, *, entries: int, judges: int, per_entry: int, seed: int):
        bench = fill(entries=entries, judges=judges, per_entry=per_entry, criteria=6, categories=1, seed=seed,
                     prefix=PREFIX, heavy_judge=True)
        round_aggregate(judging_round=bench.round)
        users = {"judge": bench.judges[0].user}
        for role in (EditionRole.Role.SECRETARIAT, EditionRole.Role.CHAIR):
            users[role] = User.objects.create(email=f"bench-{role}-{bench.edition.slug}@bench.example",
                                              name=f"Bench {role}", password="!")
            EditionRole.objects.create(edition=bench.edition, user=users[role], role=role)
        for user in users.values():
            TOTP.activate(user, generate_totp_secret())
        # A trail and an outbox as long as the edition: one entry and one sent e-mail per application.
        AuditEntry.objects.bulk_create(
            [AuditEntry(edition=bench.edition, actor=users["secretariat"], action="application.screen",
                        target_repr=application.title) for application in bench.applications], batch_size=5000)
        OutboxMessage.objects.bulk_create(
            [OutboxMessage(kind=OutboxMessage.Kind.EMAIL, task_name=outbox.EMAIL_TASK, edition=bench.edition,
                           recipient=f"applicant-{application.pk}@bench.example", subject="Your application",
                           body="Received.", state=OutboxMessage.State.DONE) for application in bench.applications],
            batch_size=5000)
        return bench, users

    def _pages(self, benches: list, chosen: set[str], requests: int, host: str) -> dict:
        result = {}
        for stage in (None, Edition.State.DELIBERATION, Edition.State.PUBLISHED):
            for label, (bench, users) in benches:
                if stage is not None:
                    Edition.objects.filter(pk=bench.edition.pk).update(state=stage)
                for page in PAGES:
                    if page.stage != stage or (chosen and page.name not in chosen):
                        continue
                    client = Client(HTTP_HOST=host)
                    if page.user != "anonymous":
                        client.force_login(users[page.user])
                    url = page.url.format(slug=bench.edition.slug, round=bench.round.pk)
                    result[f"{page.name}_{label}"] = _measure(client, url, requests, rendered=page.user == "anonymous")
        return result

    def _submits(self, bench, users, label: str, chosen: set[str], requests: int, host: str) -> dict:
        judge_profile = bench.judges[0]
        criteria = list(Criterion.objects.filter(rubric__edition=bench.edition).order_by("position"))
        Edition.objects.filter(pk=bench.edition.pk).update(state=Edition.State.JUDGING)
        assignments = _open_for_scoring(bench, judge_profile, len(SUBMITS) * (requests + 3))
        result = {}
        for number, (name, action) in enumerate(SUBMITS):
            if chosen and name not in chosen:
                continue
            client = Client(HTTP_HOST=host)
            client.force_login(users["judge"])
            batch = assignments[number * (requests + 3):(number + 1) * (requests + 3)]
            result[f"{name}_{label}"] = _measure_writes(client, batch, criteria, action, requests)
        return result

    def handle(self, *args, **options):
        remove_bench_editions(PREFIX)
        first_outbox_row = (OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        large = self._edition(entries=options["entries"], judges=options["judges"], per_entry=options["per_entry"],
                              seed=options["seed"])
        small = self._edition(entries=options["small"], judges=max(options["per_entry"] + 1, 4),
                              per_entry=options["per_entry"], seed=options["seed"])
        benches = [(f"{options['entries']}_rows", large), (f"{options['small']}_rows", small)]
        chosen = {name.strip() for name in options["pages"].split(",") if name.strip()}
        host = (settings.ALLOWED_HOSTS or ["localhost"])[0].replace("*", "localhost")
        figures = {}
        try:
            with override_settings(PORTAL_MFA_REQUIRED=True):
                figures.update(self._pages(benches, chosen, options["requests"], host))
                if not chosen or chosen & {name for name, _action in SUBMITS}:
                    figures.update(self._submits(*large, benches[0][0], chosen, options["requests"], host))
        finally:
            # Back to judging (a published edition's rounds are guarded against deletion), then removed.
            Edition.objects.filter(slug__startswith=PREFIX).update(state=Edition.State.JUDGING)
            if not options["keep"]:
                remove_bench_editions(PREFIX)
                # The receipts the submits wrote (held back above; their editions are gone).
                OutboxMessage.objects.filter(pk__gte=first_outbox_row, edition__isnull=True).delete()
        header = {"database": connection.vendor, "debug": settings.DEBUG, "entries": options["entries"],
                  "reviews": large[0].reviews, "small_entries": options["small"], "requests": options["requests"]}
        if options["json"]:
            self.stdout.write(json.dumps({**header, **figures}))
            return
        self.stdout.write(" ".join(f"{key}={value}" for key, value in header.items()))
        self.stdout.write(f"{'page':<32} {'median_ms':>10} {'p95_ms':>8} {'queries':>8} {'bytes':>9}")
        for name, row in figures.items():
            self.stdout.write(f"{name:<32} {row['median_ms']:>10} {row['p95_ms']:>8} {row['queries']:>8} "
                              f"{row['bytes']:>9}")

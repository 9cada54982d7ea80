"""Time the judge's queue and the committee's leaderboard at the server, with their query counts. One JSON line.

    DJANGO_DEBUG=false DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        python manage.py bench_pages --entries 1000 --per-entry 3

Builds two bench editions with bulk_create (see bench_results): a category of `--entries`
entries with `--per-entry` submitted reviews each (1,000 entries, 3,000 reviews by
default), where one judge has every entry in their queue, and a small one of `--small`
entries; computes the results with the real service; then requests each page through
Django's test client (the whole request: middleware, sessions, permissions, MFA check,
queries, templates — everything but the network) `--requests` times after two warm-up
requests, and reports the median and 90th percentile in milliseconds and the number of
queries of one request. MFA enforcement is on, and the users have TOTP, as in production.
The bench editions are removed at the end unless --keep.
"""

import json
import statistics
import time

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from judging.services.aggregation import round_aggregate
from portal.models import EditionRole, User

from .bench_results import fill, remove_bench_editions

PREFIX = "bench-pages"


def _measure(client: Client, url: str, requests: int) -> dict:
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    timings.sort()
    return {
        "median_ms": round(statistics.median(timings), 1),
        "p90_ms": round(timings[int(0.9 * (len(timings) - 1))], 1),
        "queries": len(queries),
        "bytes": len(response.content),
    }


class Command(BaseCommand):
    help = "Median server time and query count of the judge's queue and the leaderboard, for 10 and 1,000 rows."

    def add_arguments(self, parser):
        parser.add_argument("--entries", type=int, default=1000)
        parser.add_argument("--small", type=int, default=10)
        parser.add_argument("--per-entry", type=int, default=3)
        parser.add_argument("--judges", type=int, default=30)
        parser.add_argument("--requests", type=int, default=30)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--keep", action="store_true")

    def _edition(self, *, entries: int, judges: int, per_entry: int, seed: int):
        bench = fill(entries=entries, judges=judges, per_entry=per_entry, criteria=6, categories=1, seed=seed,
                     prefix=PREFIX, heavy_judge=True)
        round_aggregate(judging_round=bench.round)
        secretariat = User.objects.create(email=f"bench-secretariat-{bench.edition.slug}@bench.example",
                                          name="Bench secretariat", password="!")
        EditionRole.objects.create(edition=bench.edition, user=secretariat, role=EditionRole.Role.SECRETARIAT)
        judge = bench.judges[0].user
        for user in (judge, secretariat):
            TOTP.activate(user, generate_totp_secret())
        slug, round_id = bench.edition.slug, bench.round.pk
        return {
            "queue": (judge, f"/e/{slug}/scoring/rounds/{round_id}/queue/"),
            "leaderboard": (secretariat, f"/e/{slug}/scoring/rounds/{round_id}/results/"),
        }, bench

    def handle(self, *args, **options):
        remove_bench_editions(PREFIX)
        large, large_bench = self._edition(entries=options["entries"], judges=options["judges"],
                                           per_entry=options["per_entry"], seed=options["seed"])
        small, _small_bench = self._edition(entries=options["small"], judges=max(options["per_entry"] + 1, 4),
                                            per_entry=options["per_entry"], seed=options["seed"])
        result = {
            "database": connection.vendor,
            "debug": settings.DEBUG,
            "entries": options["entries"],
            "reviews": large_bench.reviews,
            "small_entries": options["small"],
            "requests": options["requests"],
        }
        host = (settings.ALLOWED_HOSTS or ["localhost"])[0].replace("*", "localhost")
        with override_settings(PORTAL_MFA_REQUIRED=True):
            for page in ("queue", "leaderboard"):
                for label, pages in ((f"{options['entries']}_rows", large), (f"{options['small']}_rows", small)):
                    user, url = pages[page]
                    client = Client(HTTP_HOST=host)
                    client.force_login(user)
                    result[f"{page}_{label}"] = _measure(client, url, options["requests"])
        if not options["keep"]:
            remove_bench_editions(PREFIX)
        self.stdout.write(json.dumps(result))

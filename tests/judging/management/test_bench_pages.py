"""bench_pages: every list page and the judge's writes are timed and printed, one line each, with their figures."""

import io
import json
import re

import pytest
from django.core.management import call_command

from judging.management.commands.bench_pages import PAGES, SUBMITS
from judging.models import Review
from portal.models import Edition
from worker.models import OutboxMessage

pytestmark = pytest.mark.django_db

ARGS = ["--entries", "12", "--small", "3", "--per-entry", "2", "--judges", "4", "--requests", "2"]


def test_it_prints_a_line_with_the_figures_of_every_page_and_of_the_submit_for_both_sizes():
    out = io.StringIO()
    call_command("bench_pages", *ARGS, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("database=") and "entries=12" in lines[0]
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:]}
    expected = [f"{page.name}_{size}_rows" for page in PAGES for size in (12, 3)]
    expected += [f"{name}_12_rows" for name, _action in SUBMITS]
    assert sorted(rows) == sorted(expected)
    for name, (median, p95, queries, size) in rows.items():
        assert float(median) > 0 and float(p95) >= float(median), name
        assert int(queries) > 0, name
        assert int(size) > 0 or name.startswith(("draft_save", "score_submit")), name  # a write answers a redirect
    # As test_scoring_queries counts it (20, in the test's transaction), plus the MFA check the bench turns on (2).
    assert int(rows["score_submit_12_rows"][2]) <= 22
    # Nothing of the bench is left behind: its editions, their reviews, the receipts held back.
    assert not Edition.objects.filter(slug__startswith="bench-pages").exists()
    assert Review.objects.count() == 0 and OutboxMessage.objects.count() == 0


def test_json_and_a_choice_of_pages():
    out = io.StringIO()
    call_command("bench_pages", *ARGS, "--json", "--pages", "queue,score_submit", stdout=out)
    figures = json.loads(out.getvalue())
    assert {key for key in figures if re.search(r"_\d+_rows$", key)} == {
        "queue_12_rows", "queue_3_rows", "score_submit_12_rows"}
    assert set(figures["queue_12_rows"]) == {"median_ms", "p95_ms", "queries", "bytes"}

"""After `make loadtest`: is the database consistent with what the simulated people did?

Reads the summary the locust users wrote (each applicant's last saved title) and checks that no write was lost
and none was half-made: every draft holds the title its applicant saved last; every submitted review has a
score for every criterion of its rubric, a weighted total and a submitted assignment; no assignment has two
reviews; every submitted application has exactly one snapshot per submission. Prints each check and exits with
an error when one fails.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, F, Q

from judging.models import Assignment, Review
from judging.services.rubrics import rubric_for_application
from submissions.models import Application


class Command(BaseCommand):
    help = "Check the database after a load test (see scripts/loadtest)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("summary", help="The JSON summary written by tests/load/locustfile.py.")

    def handle(self, *args, summary: str, **options) -> None:
        with open(summary) as file:
            data = json.load(file)
        problems = []

        titles = {int(pk): title for pk, title in data.get("last_titles", {}).items()}
        # A save the run's end interrupted (its request sent, its answer never read) may or may not have landed.
        saving = {int(pk): title for pk, title in data.get("saving_titles", {}).items()}
        stored = dict(Application.objects.filter(pk__in=titles).values_list("pk", "title"))
        lost = [pk for pk, title in titles.items() if stored.get(pk) not in (title, saving.get(pk, title))]
        self._say(f"drafts holding their last saved title: {len(titles) - len(lost)} of {len(titles)}"
                  f" ({sum(1 for pk in titles if pk in saving)} saves interrupted by the end of the run)", not lost)
        problems += [f"draft {pk}: {stored.get(pk)!r}, last saved {titles[pk]!r}" for pk in lost]

        submitted = Review.objects.filter(state=Review.State.SUBMITTED).select_related("assignment__application")
        incomplete = []
        for review in submitted:
            rubric = rubric_for_application(review.assignment.application)
            criteria = set(rubric.criteria.values_list("pk", flat=True)) if rubric else set()
            scored = set(review.scores.filter(score__isnull=False).values_list("criterion_id", flat=True))
            if scored != criteria or review.weighted_total is None or review.submitted_at is None:
                incomplete.append(review.pk)
        self._say(f"submitted reviews complete: {submitted.count() - len(incomplete)} of {submitted.count()}",
                  not incomplete)
        problems += [f"review {pk} submitted without every score" for pk in incomplete]

        mismatched = list(Assignment.objects.filter(review__state=Review.State.SUBMITTED)
                          .exclude(state=Assignment.State.SUBMITTED).values_list("pk", flat=True))
        self._say(f"assignments of submitted reviews marked submitted (mismatches: {len(mismatched)})",
                  not mismatched)
        problems += [f"assignment {pk}: review submitted, assignment not" for pk in mismatched]

        doubled = list(Application.objects.annotate(
            submissions=Count("status_changes", filter=Q(status_changes__to_status="submitted"), distinct=True),
            snapshot_count=Count("snapshots", distinct=True),
        ).filter(snapshot_count__gt=F("submissions")).values_list("pk", flat=True))
        self._say(f"applications with more snapshots than submissions: {len(doubled)}", not doubled)
        problems += [f"application {pk} has a snapshot for no submission" for pk in doubled]

        errors = data.get("flow_errors", [])
        self._say(f"requests the simulated people saw fail: {len(errors)}", not errors)
        if problems:
            raise CommandError("Inconsistent after the load test:\n  " + "\n  ".join(problems[:50]))

    def _say(self, text: str, ok: bool) -> None:
        self.stdout.write(("  ok    " if ok else "  FAIL  ") + text)

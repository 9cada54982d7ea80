"""People for a load test on top of the demo: applicants with a draft each, and the demo judges' open work.

`seed_demo` first (it makes the open call and the judged edition); this adds `--applicants N` applicants
(`load-applicant-NN@demo.example`, demo password, verified), each owning an organisation with one draft in the
open call, and prints a JSON manifest of who may do what: the applicants and their drafts, the judges with open
assignments and the editions the public can read. The load test (`make loadtest`) and the concurrency test of
the embedded SQLite default read it. Idempotent: a second run adds nothing.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from judging.demo.people import DEMO_PASSWORD, demo_password_hash, demo_user
from judging.models import Assignment, JudgingRound
from portal.models import Edition, Organisation
from portal.services import organisation_create
from submissions import services as submission_services
from submissions.models import Application


class Command(BaseCommand):
    help = "Add load-test applicants with drafts to the demo and print a JSON manifest of users and their work."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--applicants", type=int, default=20)
        parser.add_argument("--judges", type=int, default=0,
                            help="At most this many judges in the manifest (0: every judge with open work).")

    @transaction.atomic
    def handle(self, *args, applicants: int, judges: int, **options) -> None:
        call = Edition.objects.filter(state=Edition.State.OPEN).order_by("pk").first()
        if call is None or not call.is_accepting():
            raise CommandError("No open call: run `manage.py seed_demo` first.")
        category = call.categories.order_by("position", "pk").first()
        password = demo_password_hash()
        drafts = []
        for number in range(1, applicants + 1):
            user = demo_user(f"load-applicant-{number:02d}@demo.example", f"Load Applicant {number:02d}",
                             password=password)
            organisation = user.organisations.first() or organisation_create(
                user=user, name=f"Load City {number:02d}", kind=Organisation.Kind.CITY, country="KR",
                city=f"Load City {number:02d}",
            )
            application = Application.objects.filter(organisation=organisation, edition=call).first()
            if application is None:
                application = submission_services.application_create(
                    user=user, organisation=organisation, category=category)
            drafts.append({"email": user.email, "application": application.pk})

        open_work: dict[str, list[int]] = {}
        assignments = (
            Assignment.objects.filter(state__in=Assignment.OPEN_STATES, round__state=JudgingRound.State.OPEN)
            .select_related("judge__user").order_by("judge__user__email", "pk")
        )
        for assignment in assignments:
            open_work.setdefault(assignment.judge.user.email, []).append(assignment.pk)
        judge_rows = [{"email": email, "assignments": ids} for email, ids in open_work.items()]
        if judges:
            judge_rows = judge_rows[:judges]
        public = list(Edition.objects.filter(state=Edition.State.PUBLISHED).values_list("slug", flat=True))
        self.stdout.write(json.dumps({
            "password": DEMO_PASSWORD,
            "call": call.slug,
            "applicants": drafts,
            "judges": judge_rows,
            "published": public,
            "editions": list(Edition.objects.values_list("slug", flat=True)),
            "judging": sorted({slug for slug in JudgingRound.objects.filter(state=JudgingRound.State.OPEN)
                               .values_list("edition__slug", flat=True)}),
        }))

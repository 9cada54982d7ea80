"""Create (or bring up to date) the demo editions, one demo user for every role, and submitted applications.

Idempotent: a second run adds nothing. `--entries N` asks for N demo applications; the
first N are always the same (judging/demo/content.py), so a larger N only adds the rest.
The data is built by judging/demo/, through the services only.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from judging.demo import applications, editions, people, published, votes
from submissions.models import Application

DEFAULT_ENTRIES = 280  # the Seoul Smart City Prize's second edition had about 280
DEFAULT_JUDGED_ENTRIES = 60
DEFAULT_JUDGES = 12


class Command(BaseCommand):
    help = (
        "Create the demo edition “Seoul Smart City Prize (demo)”, its categories, demo users for every role "
        "and submitted applications from organisations in many countries."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--entries", type=int, default=DEFAULT_ENTRIES,
            help=f"How many submitted demo applications the edition should hold (default {DEFAULT_ENTRIES}).",
        )
        parser.add_argument(
            "--judged-entries", type=int, default=DEFAULT_JUDGED_ENTRIES,
            help="How many entries the judged demo edition (World Smart City Awards) holds "
                 f"(default {DEFAULT_JUDGED_ENTRIES}; 0 skips that edition).",
        )
        parser.add_argument("--judges", type=int, default=DEFAULT_JUDGES,
                            help=f"Judges of the judged demo edition besides the three demo judges (default {DEFAULT_JUDGES}).")
        parser.add_argument(
            "--through", choices=("judging", "published"), default="judging",
            help="How far the demo goes: `judging` (default) or `published`, which also runs a past Seoul-shaped "
                 "edition (Seoul Smart City Prize 2023, demo) to published results.",
        )
        parser.add_argument(
            "--through-services", action="store_true",
            help="Kept for older scripts: every demo application is now submitted through the services "
                 "one by one, with or without it.",
        )

    def handle(self, *args, **options) -> None:
        self._seed(options)
        # Printed after the commit, so the e-mails the seeding sends (printed in `make run`) come before the logins.
        self.stdout.write("Demo users (password for all: %s):" % people.DEMO_PASSWORD)
        for email, _name, role in people.DEMO_USERS:
            self.stdout.write(f"  {email:28} {role or 'applicant'}")
        if options["judged_entries"] > 0:
            for email, _name in votes.COMMITTEE_USERS:
                self.stdout.write(f"  {email:28} committee ({editions.JUDGED_SLUG})")

    def _warn(self, message: str) -> None:
        self.stderr.write(self.style.WARNING(message))

    @transaction.atomic
    def _seed(self, options) -> None:
        password = people.demo_password_hash()
        users = people.staff_users(password=password)
        edition = editions.seed_open_edition(users=users)
        people.demo_city(owner=users[people.APPLICANT])
        added = applications.seed_applications(
            edition, categories=editions.DEMO_CATEGORIES, entries=max(options["entries"], 0), password=password,
            warn=self._warn,
        )

        self.stdout.write(self.style.SUCCESS(f"Demo edition ready: {edition.name} ({edition.categories.count()} categories)"))
        submitted = Application.objects.filter(edition=edition).exclude(status=Application.Status.DRAFT)
        self.stdout.write(
            f"Demo applications: {submitted.count()} submitted, from organisations in "
            f"{submitted.order_by().values('organisation__country').distinct().count()} countries ({added} added now)."
        )
        if options["judged_entries"] > 0:
            judged = editions.seed_judged_edition(
                users=users, entries=options["judged_entries"], judges=max(options["judges"], 0), password=password,
                warn=self._warn,
            )
            self.stdout.write(self.style.SUCCESS(
                f"Judged demo edition ready: {judged.name} ({judged.get_state_display().lower()}, "
                f"{judged.applications.count()} entries, results computed)"
            ))
        if options["through"] == "published":
            done = published.seed_published_edition(users=users, judges=max(options["judges"], 0), password=password,
                                                    warn=self._warn)
            self.stdout.write(self.style.SUCCESS(
                f"Published demo edition ready: {done.name} ({done.get_state_display().lower()}, "
                f"{done.award_decisions.count()} awards, /editions/{done.slug}/results/)"
            ))

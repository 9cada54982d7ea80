"""Run the retention period now (beat runs it daily): `manage.py retention_purge [--edition SLUG] [--dry-run]`."""

from django.core.management.base import BaseCommand, CommandError

from portal.models import Edition
from submissions.services.data_protection import (
    retention_due_editions,
    retention_expires_at,
    retention_purge_edition,
)


class Command(BaseCommand):
    help = ("Remove the drafts and files of applications that won nothing, in every published edition whose "
            "retention period has run out (or in the one edition named, if its period has run out).")

    def add_arguments(self, parser):
        parser.add_argument("--edition", help="The slug of one edition.")
        parser.add_argument("--dry-run", action="store_true", help="Name the editions due, remove nothing.")

    def handle(self, *args, edition=None, dry_run=False, **options):
        due = retention_due_editions()
        if edition:
            if not Edition.objects.filter(slug=edition).exists():
                raise CommandError(f"No edition with the slug {edition!r}.")
            due = [item for item in due if item.slug == edition]
            if not due:
                self.stdout.write(f"{edition}: its retention period has not run out (or none is set); nothing removed.")
                return
        if not due:
            self.stdout.write("No edition's retention period has run out; nothing removed.")
        for item in due:
            if dry_run:
                self.stdout.write(f"{item.slug}: due since {retention_expires_at(item).isoformat()} (dry run)")
                continue
            counts = retention_purge_edition(edition=item)
            self.stdout.write(f"{item.slug}: {counts['drafts_deleted']} drafts and {counts['files_deleted']} files "
                              "removed")

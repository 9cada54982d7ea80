"""`manage.py outbox_relay [--loop]`: send the outbox rows still waiting (the broker was down, or tasks are eager)."""

import time

from django.core.management.base import BaseCommand

from worker.outbox import outbox_relay


class Command(BaseCommand):
    help = "Send the tasks and e-mails of the outbox that are due; with --loop, keep doing so."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Run until stopped, one pass every --interval.")
        parser.add_argument("--interval", type=float, default=10.0, help="Seconds between two passes (--loop).")
        parser.add_argument("--limit", type=int, default=500, help="Rows sent at most per pass.")

    def handle(self, *args, loop: bool, interval: float, limit: int, **options):
        while True:
            sent = outbox_relay(limit=limit)
            if sent or not loop:
                self.stdout.write(f"{sent} sent")
            if not loop:
                return
            time.sleep(interval)

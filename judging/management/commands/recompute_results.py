"""Recompute a published edition's ranking from its results dataset alone, and compare it with the published one.

    python manage.py recompute_results dataset.json

The dataset is the JSON an edition publishes at /editions/<slug>/results/dataset.json. No database is read:
the totals and the aggregation are the project's own functions (judging.services.dataset). Exits with an
error when a category's ranking differs.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from judging.services.aggregation import METHOD_VERSION
from judging.services.dataset import dataset_recompute


class Command(BaseCommand):
    help = "Recompute the ranking of a published results dataset and say whether it matches the published one."

    def add_arguments(self, parser):
        parser.add_argument("dataset", help="the dataset.json file of an edition's published results")

    def handle(self, *args, dataset: str, **options):
        try:
            data = json.loads(Path(dataset).read_text(encoding="utf-8"))
            report = dataset_recompute(data=data)
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise CommandError(f"Cannot read {dataset}: {error}") from error
        method = data["method"]
        self.stdout.write(f"{data['edition']['name']}: method {method['name']} {method['version']}")
        if method["version"] != METHOD_VERSION:
            self.stdout.write(self.style.WARNING(
                f"This project computes with version {METHOD_VERSION}; the dataset was published with "
                f"{method['version']}."))
        for item in report:
            self.stdout.write(f"\n{item['round']} · {item['category']}")
            for row in item["computed"]:
                self.stdout.write(f"  {row['rank']:>3}{'=' if row['tied'] else ' '} {row['entry']}  "
                                  f"{row['corrected']:.3f}")
            verdict = (self.style.SUCCESS("matches the published ranking") if item["matches"]
                       else self.style.ERROR("DIFFERS from the published ranking"))
            self.stdout.write(f"  → {verdict}")
        if not all(item["matches"] for item in report):
            raise CommandError("The recomputed ranking differs from the published one.")
        self.stdout.write(self.style.SUCCESS(f"\nAll {len(report)} rankings match."))

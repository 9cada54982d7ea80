"""Prizes become data: each category's PrizeTier rows replace its rounds' `prize_boundaries`.

A category takes the boundaries of the highest-position round that covers it: [1, 3, 6] becomes 1 gold,
2 silver, 3 bronze; a single boundary [1] becomes 1 winner; a category without rounds (or with empty
boundaries) gets no tiers. Then the field goes. The committee's move of an entry to another category's
consideration gets its table.
"""

from collections.abc import Iterable

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

LEVELS = ("gold", "silver", "bronze")


def tiers_from_boundaries(boundaries: list[int]) -> list[tuple[str, int]]:
    """[(level, places), ...] for increasing boundary ranks; one boundary is a single 'winner' tier."""
    ranks = sorted({int(rank) for rank in boundaries or [] if int(rank) >= 1})
    if len(ranks) == 1:
        return [("winner", ranks[0])]
    places = [rank - previous for previous, rank in zip([0, *ranks], ranks)]
    return list(zip(LEVELS, places))


def tier_rows(rows: Iterable[tuple[int, int, list[int]]]) -> list[tuple[int, str, int, int]]:
    """From (category id, round position, boundaries) rows, the tiers (category id, level, places, position)
    taken from each category's highest-position round."""
    final: dict[int, tuple[int, list[int]]] = {}
    for category_id, position, boundaries in rows:
        if category_id not in final or position > final[category_id][0]:
            final[category_id] = (position, boundaries)
    return [
        (category_id, level, places, number)
        for category_id, (_, boundaries) in sorted(final.items())
        for number, (level, places) in enumerate(tiers_from_boundaries(boundaries), start=1)
    ]


def create_tiers(apps, schema_editor):
    JudgingRound = apps.get_model("judging", "JudgingRound")
    PrizeTier = apps.get_model("judging", "PrizeTier")
    rows = [
        (category_id, judging_round.position, judging_round.prize_boundaries)
        for judging_round in JudgingRound.objects.prefetch_related("categories")
        for category_id in judging_round.categories.values_list("pk", flat=True)
    ]
    # A category whose tiers someone already configured keeps them.
    configured = set(PrizeTier.objects.values_list("category_id", flat=True))
    PrizeTier.objects.bulk_create(
        PrizeTier(category_id=category_id, level=level, places=places, position=position)
        for category_id, level, places, position in tier_rows(rows) if category_id not in configured
    )


class Migration(migrations.Migration):

    dependencies = [
        ("judging", "0006_ballot_eligible"),
        ("portal", "0003_awards_edition_settings_committee_role_user_language"),
        ("submissions", "0005_application_status_without_later_stages"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(create_tiers, migrations.RunPython.noop),
        migrations.RemoveField(model_name="judginground", name="prize_boundaries"),
        migrations.CreateModel(
            name="CategoryConsideration",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reason", models.TextField(verbose_name="reason")),
                ("decided_at", models.DateTimeField(auto_now=True)),
                ("application", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                                     related_name="category_consideration",
                                                     to="submissions.application")),
                ("category", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                               to="submissions.category", verbose_name="considered in")),
                ("decided_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL,
                                                 related_name="+", to=settings.AUTH_USER_MODEL)),
                ("edition", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                              related_name="category_considerations", to="portal.edition")),
            ],
            options={
                "verbose_name": "category consideration",
                "verbose_name_plural": "category considerations",
                "ordering": ["edition", "category", "id"],
            },
        ),
    ]

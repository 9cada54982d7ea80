"""Editions now belong to portal: the foreign keys to them name `portal.edition` (the same table; state only).

Runs before submissions forgets its Edition, so no state ever points at a model that is gone.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('judging', '0003_entry_result_derived_keys'),
        ('portal', '0002_edition_invitation'),
    ]
    run_before = [
        ('submissions', '0004_edition_invitation_to_portal'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='judgeprofile',
                    name='edition',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='judges', to='portal.edition'),
                ),
                migrations.AlterField(
                    model_name='judginground',
                    name='edition',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rounds', to='portal.edition'),
                ),
                migrations.AlterField(
                    model_name='rubric',
                    name='edition',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rubrics', to='portal.edition'),
                ),
            ],
        ),
    ]

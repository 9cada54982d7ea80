"""Editions and organisation invitations now belong to portal (portal/migrations/0002): forget them here.

State only: the tables stay as they are (the models keep their `db_table`), and the
foreign keys to editions now name `portal.edition`, the same table.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0002_edition_invitation'),
        ('submissions', '0003_edition_conflict_same_country'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='application',
                    name='edition',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='applications', to='portal.edition'),
                ),
                migrations.AlterField(
                    model_name='category',
                    name='edition',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='categories', to='portal.edition'),
                ),
                migrations.AlterField(
                    model_name='formsection',
                    name='edition',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='form_sections', to='portal.edition'),
                ),
                migrations.DeleteModel(name='Invitation'),
                migrations.DeleteModel(name='Edition'),
            ],
        ),
    ]

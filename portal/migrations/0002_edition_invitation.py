"""Editions and organisation invitations move from submissions to portal (the foundation of the other apps).

Only Django's idea of the models moves: their tables keep their names (`db_table`), so
nothing is copied. The content types are renamed so that audit entries, admin log entries
and permissions that point at an edition or an invitation keep resolving.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import portal.models.editions

MOVED = ("edition", "invitation")


def rename_content_types(apps, schema_editor, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        if ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            continue  # already there (e.g. created by hand): leave both rows alone
        ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)
    ContentType.objects.clear_cache()


def forwards(apps, schema_editor) -> None:
    rename_content_types(apps, schema_editor, old="submissions", new="portal")


def backwards(apps, schema_editor) -> None:
    rename_content_types(apps, schema_editor, old="portal", new="submissions")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('portal', '0001_initial'),
        ('submissions', '0003_edition_conflict_same_country'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Edition',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('slug', models.SlugField(max_length=80, unique=True, verbose_name='slug')),
                        ('programme', models.CharField(blank=True, max_length=200, verbose_name='programme')),
                        ('description', models.TextField(blank=True, verbose_name='description')),
                        ('time_zone', models.CharField(default='UTC', max_length=64, validators=[portal.models.editions.validate_time_zone], verbose_name='time zone')),
                        ('opens_at', models.DateTimeField(verbose_name='opens at')),
                        ('closes_at', models.DateTimeField(verbose_name='closes at')),
                        ('state', models.CharField(choices=[('draft', 'Draft'), ('open', 'Open for applications'), ('closed', 'Closed'), ('screening', 'Screening'), ('judging', 'Judging'), ('deliberation', 'Deliberation'), ('finalised', 'Finalised'), ('published', 'Published')], default='draft', max_length=20, verbose_name='state')),
                        ('conflict_same_country', models.BooleanField(default=False, verbose_name='judges never score entries from their own country')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'verbose_name': 'edition',
                        'verbose_name_plural': 'editions',
                        'db_table': 'submissions_edition',
                        'ordering': ['-opens_at'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('closes_at__gt', models.F('opens_at'))), name='edition_closes_after_opening')],
                    },
                ),
                migrations.CreateModel(
                    name='Invitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email', models.EmailField(max_length=254, verbose_name='e-mail address')),
                        ('token', models.CharField(max_length=64, unique=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('accepted_at', models.DateTimeField(blank=True, null=True)),
                        ('accepted_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('invited_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='portal.organisation')),
                    ],
                    options={
                        'verbose_name': 'invitation',
                        'verbose_name_plural': 'invitations',
                        'db_table': 'submissions_invitation',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.AlterField(
                    model_name='auditentry',
                    name='edition',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='audit_entries', to='portal.edition'),
                ),
                migrations.AlterField(
                    model_name='editionrole',
                    name='edition',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='roles', to='portal.edition'),
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]

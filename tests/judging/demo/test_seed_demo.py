"""seed_demo: the demo editions, a user for every role, built once, through the services only."""

import sys

import pytest
from django.core.management import call_command
from django.db.models.query import QuerySet
from django.db.models.signals import post_save

from portal.models import AuditEntry, Edition, EditionRole, User
from submissions.models import Category, StatusChange

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_the_demo_edition_and_a_user_per_role(client):
    call_command("seed_demo", "--judged-entries", "0")
    edition = Edition.objects.get(slug="seoul-demo")
    assert edition.name == "Seoul Smart City Prize (demo)"
    assert list(edition.categories.values_list("slug", flat=True)) == [
        "human-centric", "tech-innovative", "safety-resilience",
    ]
    assert sorted(EditionRole.objects.filter(edition=edition).values_list("role", flat=True)) == [
        "chair", "judge", "judge", "judge", "observer", "secretariat",
    ]
    response = client.post("/accounts/login/", {"login": "judge1@demo.example", "password": "demo-portal-2026"})
    assert response.status_code == 302
    assert client.get("/e/seoul-demo/").status_code == 200


def test_seed_demo_is_idempotent():
    call_command("seed_demo", "--judged-entries", "0")
    counts = (Edition.objects.count(), Category.objects.count(), User.objects.count(),
              EditionRole.objects.count(), AuditEntry.objects.count())
    call_command("seed_demo", "--judged-entries", "0")
    assert (Edition.objects.count(), Category.objects.count(), User.objects.count(),
            EditionRole.objects.count(), AuditEntry.objects.count()) == counts


def _first_writer(frame) -> str:
    """The module of the innermost caller outside Django (and outside this test): who asked for the row."""
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module != __name__ and module.split(".")[0] != "django":
            return module
        frame = frame.f_back
    return ""


def test_every_audit_entry_and_status_change_of_the_demo_is_written_by_a_service():
    writers = []

    def record(sender, instance, created, **kwargs):
        if created:
            writers.append((sender.__name__, _first_writer(sys._getframe())))

    # A service may write several audit entries in one INSERT (a score save): each row is attributed too.
    bulk_create = QuerySet.bulk_create

    def recording_bulk_create(queryset, objs, *args, **kwargs):
        objs = list(objs)
        if queryset.model in (AuditEntry, StatusChange):
            writers.extend((queryset.model.__name__, _first_writer(sys._getframe())) for _ in objs)
        return bulk_create(queryset, objs, *args, **kwargs)

    for model in (AuditEntry, StatusChange):
        post_save.connect(record, sender=model, dispatch_uid=f"demo-writer-{model.__name__}")
    QuerySet.bulk_create = recording_bulk_create
    try:
        call_command("seed_demo", "--entries", "6", "--judged-entries", "12", "--judges", "4")
    finally:
        QuerySet.bulk_create = bulk_create
        for model in (AuditEntry, StatusChange):
            post_save.disconnect(sender=model, dispatch_uid=f"demo-writer-{model.__name__}")

    # Every row was recorded, saved one by one or in a service's bulk insert ...
    assert (AuditEntry.objects.count(), StatusChange.objects.count()) == (
        sum(model == "AuditEntry" for model, _ in writers), sum(model == "StatusChange" for model, _ in writers),
    )
    assert AuditEntry.objects.count() > 0 and StatusChange.objects.count() > 0
    # ... by a service module (portal.services, submissions.services, judging.services.*), never by the demo.
    assert {writer for _model, writer in writers if ".services" not in writer} == set()
    assert not any(writer.startswith("judging.demo") for _model, writer in writers)

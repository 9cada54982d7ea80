"""seed_demo --through published: the Seoul 2023 demo edition run to published results, through the services."""

import pytest
from django.core.management import call_command
from django.utils.html import escape

from judging.models import AwardDecision, EditionAward, PrizeTier
from portal.models import AuditEntry, Edition
from submissions.models import Application

pytestmark = pytest.mark.django_db

SMALL = ["--entries", "6", "--judged-entries", "12", "--judges", "4"]


def _counts():
    return (Edition.objects.count(), Application.objects.count(), AwardDecision.objects.count(),
            EditionAward.objects.count(), AuditEntry.objects.count())


def test_the_2023_edition_is_published_with_its_winners(client):
    call_command("seed_demo", "--through", "published", *SMALL)
    edition = Edition.objects.get(slug="seoul-2023-demo")
    assert edition.state == Edition.State.PUBLISHED
    decisions = AwardDecision.objects.filter(edition=edition).select_related("tier", "award", "application", "category")
    for category in edition.categories.all():
        assert category.applications.filter(status=Application.Status.ELIGIBLE).count() >= 8
        levels = sorted(d.tier.level for d in decisions if d.category_id == category.pk and d.application_id)
        assert levels == ["bronze"] * 3 + ["gold"] + ["silver"] * 2
    assert sorted({d.category.slug for d in decisions if d.category_id}) == ["human-centric", "tech-innovative"]
    assert decisions.filter(award__kind=EditionAward.Kind.LEADERSHIP).count() == 2
    assert decisions.filter(award__kind=EditionAward.Kind.SPECIAL_MENTION).count() == 2
    assert PrizeTier.objects.filter(category__edition=edition).count() == 6

    response = client.get("/editions/seoul-2023-demo/results/")
    assert response.status_code == 200
    page = response.content.decode()
    for decision in decisions:
        assert escape(decision.application.title) in page


def test_a_second_run_changes_nothing():
    call_command("seed_demo", "--through", "published", *SMALL)
    counts = _counts()
    call_command("seed_demo", "--through", "published", *SMALL)
    assert _counts() == counts


def test_the_default_stops_at_judging():
    call_command("seed_demo", *SMALL)
    assert not Edition.objects.filter(slug="seoul-2023-demo").exists()

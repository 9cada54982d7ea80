"""seed_demo run again after the judged demo edition was finalised changes nothing of it."""

import pytest
from django.core.management import call_command

from judging.demo.editions import JUDGED_SLUG
from judging.models import AggregationRun, AssignmentRun, AwardDecision, JudgingRound
from judging.services.edition_stages import edition_finalise, edition_start_deliberation
from portal.models import AuditEntry, Edition, EditionRole

from .conftest import lock_fingerprint

pytestmark = pytest.mark.django_db

SMALL = ("--entries", "6", "--judged-entries", "12", "--judges", "3")


def test_seed_demo_leaves_a_finalised_edition_alone():
    call_command("seed_demo", *SMALL)
    edition = Edition.objects.get(slug=JUDGED_SLUG)
    chair = EditionRole.objects.get(edition=edition, role="chair").user
    JudgingRound.objects.filter(edition=edition).update(state=JudgingRound.State.SCORED)
    # The demo's runs were queued inside this test's transaction, which never commits: count them as done.
    AggregationRun.objects.filter(round__edition=edition).update(state=AggregationRun.State.SUCCEEDED)
    AssignmentRun.objects.filter(round__edition=edition).update(state=AssignmentRun.State.SUCCEEDED)
    category = edition.categories.first()
    AwardDecision.objects.create(edition=edition, category=category, tier=category.prize_tiers.first(),
                                 application=edition.applications.filter(category=category).first())
    edition_start_deliberation(edition=edition, user=chair)
    edition_finalise(edition=edition, user=chair)
    before = (lock_fingerprint(edition), AuditEntry.objects.filter(edition=edition).count())
    call_command("seed_demo", *SMALL)
    assert (lock_fingerprint(edition), AuditEntry.objects.filter(edition=edition).count()) == before
    assert Edition.objects.get(pk=edition.pk).state == "finalised"

"""Screening: a reason to refuse, audited, all or nothing in bulk."""

import pytest
from django.core.exceptions import ValidationError

from portal.models import AuditEntry
from submissions import services
from tests.factories import ApplicationFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db


def test_screening_needs_a_reason_to_refuse_and_is_audited():
    secretariat = VerifiedUserFactory()
    application = ApplicationFactory(status="submitted")
    with pytest.raises(ValidationError, match="Give the applicant a reason"):
        services.application_screen(application=application, user=secretariat, eligible=False, reason="  ")
    services.application_screen(application=application, user=secretariat, eligible=False, reason="Outside the region")
    application.refresh_from_db()
    assert (application.status, application.screening_reason) == ("ineligible", "Outside the region")
    entry = AuditEntry.objects.get(action="application.ineligible")
    assert (entry.actor, entry.before, entry.after) == (
        secretariat, {"status": "submitted"}, {"status": "ineligible", "reason": "Outside the region"},
    )


def test_bulk_screening_is_all_or_nothing():
    secretariat = VerifiedUserFactory()
    submitted = ApplicationFactory(status="submitted")
    draft = ApplicationFactory(status="draft")
    with pytest.raises(ValidationError, match="cannot be screened"):
        services.applications_screen_bulk(applications=[submitted, draft], user=secretariat, eligible=True)
    submitted.refresh_from_db()
    assert submitted.status == "submitted"

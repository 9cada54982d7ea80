"""An edition's state moves only along its transition table, audited at each step."""

import pytest
from django.core.exceptions import ValidationError

from portal.models import AuditEntry
from portal.services import editions as services
from tests.factories import CategoryFactory, EditionFactory

pytestmark = pytest.mark.django_db


def test_edition_moves_only_along_its_state_machine():
    edition = EditionFactory(state="draft")
    with pytest.raises(ValidationError, match="Add at least one category"):
        services.edition_open(edition=edition, user=None)
    CategoryFactory(edition=edition)
    edition = services.edition_open(edition=edition, user=None)
    with pytest.raises(ValidationError, match="cannot move to “Screening”"):
        services.edition_start_screening(edition=edition, user=None)
    edition = services.edition_close(edition=edition, user=None)
    edition = services.edition_start_screening(edition=edition, user=None)
    assert edition.state == "screening"
    assert list(AuditEntry.objects.filter(edition=edition).values_list("action", flat=True).order_by("id")) == [
        "edition.open", "edition.closed", "edition.screening",
    ]

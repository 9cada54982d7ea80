"""An application's status: one transition table, one writer."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from submissions.models import Application, StatusChange
from submissions.services import status
from tests.factories import ApplicationFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db


def test_every_status_has_a_row_in_the_table():
    assert set(status.APPLICATION_TRANSITIONS) == set(Application.Status.values)


def test_the_writer_refuses_a_move_the_table_does_not_allow():
    application = ApplicationFactory(status="withdrawn")
    with pytest.raises(ValidationError, match="cannot become “Submitted”"), transaction.atomic():
        status.application_set_status(
            application=status.application_lock(application), to="submitted", user=VerifiedUserFactory()
        )
    application.refresh_from_db()
    assert (application.status, StatusChange.objects.filter(application=application).count()) == ("withdrawn", 0)

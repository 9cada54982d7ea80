"""The applicants' e-mails are written in each recipient's language, and name the edition in it."""

import pytest
from django.core import mail

from submissions import services
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_each_member_reads_the_confirmation_in_their_own_language(owner, complete_draft,
                                                                   django_capture_on_commit_callbacks):
    owner.language = "ko"
    owner.save(update_fields=["language"])
    colleague = MembershipFactory(organisation=owner.organisations.get(), user__language="en").user
    application = complete_draft(owner)
    edition = application.edition
    edition.name_en, edition.name_ko = "Seoul Smart City Prize", "서울스마트도시상"
    edition.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, user=owner)
    subjects = {tuple(message.to): message.subject for message in mail.outbox}
    assert subjects == {
        (colleague.email,): "Received: “title text” for Seoul Smart City Prize",
        (owner.email,): "접수 완료: 서울스마트도시상 “title text”",
    }

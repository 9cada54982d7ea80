"""A mail to a group through Redis and a real Celery worker on PostgreSQL: delivered twice, one e-mail each."""

import time
import uuid

import pytest

from judging.models import GroupMail, GroupMailRecipient
from judging.selectors.group_mail import GroupCriteria
from judging.services.group_mail import group_mail_start
from judging.tasks.group_mail import group_mail_send
from tests.factories.group_mail import mail_world
from worker.models import OutboxMessage

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_worker_writes_each_recipient_once_when_the_task_is_delivered_twice(celery_worker_queue):
    world = mail_world()
    sent, _created = group_mail_start(edition=world.edition, template=world.template, token=uuid.uuid4(),
                                      user=world.secretariat,
                                      criteria=GroupCriteria(audience="applicants", statuses=("submitted", "eligible")))
    group_mail_send.apply_async(kwargs={"run_id": sent.pk}).get(timeout=120)  # a second delivery of the same mail
    deadline = time.monotonic() + 60
    emails = OutboxMessage.objects.filter(kind="email", edition=world.edition)
    while time.monotonic() < deadline and not (
            GroupMail.objects.get(pk=sent.pk).state == GroupMail.State.SUCCEEDED
            and emails.count() == 3 and not emails.exclude(state="done").exists()):
        time.sleep(0.2)
    sent.refresh_from_db()
    assert (sent.state, sent.progress, sent.total) == (GroupMail.State.SUCCEEDED, 100, 3)
    assert sorted(emails.values_list("recipient", flat=True)) == [
        "eligible0@applicant.example", "submitted0@applicant.example", "submitted1@applicant.example"]
    assert set(emails.values_list("state", flat=True)) == {"done"}
    assert not GroupMailRecipient.objects.filter(group_mail=sent, outbox_message__isnull=True).exists()

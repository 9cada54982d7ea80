"""The decision e-mails through Redis and a real Celery worker on PostgreSQL: two deliveries, one e-mail each."""

import time

import pytest

from judging.models import AwardJob, DecisionNotice
from judging.services.ceremony_jobs import award_job_start
from judging.tasks.awards import award_job_run
from tests.factories.ceremony import ceremony_edition

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_worker_sends_each_decision_once_when_the_task_is_delivered_twice(celery_worker_queue):
    world = ceremony_edition()
    job = award_job_start(edition=world.edition, kind=AwardJob.Kind.NOTIFY, user=world.chair)  # enqueued on commit
    award_job_run.apply_async(kwargs={"run_id": job.pk}).get(timeout=120)  # a second delivery of the same job
    deadline = time.monotonic() + 60
    while AwardJob.objects.get(pk=job.pk).state != AwardJob.State.SUCCEEDED and time.monotonic() < deadline:
        time.sleep(0.2)
    job.refresh_from_db()
    assert (job.state, job.progress) == (AwardJob.State.SUCCEEDED, 100)
    notices = DecisionNotice.objects.filter(application__edition=world.edition)
    assert notices.count() == 5
    # Every member was reached exactly once: each address is recorded once on its notice.
    for notice in notices:
        assert notice.sent_at is not None
        assert len(notice.recipients) == len(set(notice.recipients))
    gold = notices.get(application=world.gold_entry)
    assert sorted(gold.recipients) == sorted(user.email for user in world.members["gold"])

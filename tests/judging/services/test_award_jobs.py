"""The awards jobs' state machine: when a job may start, one at a time per kind, fail and retry."""

import pytest
from django.core.exceptions import ValidationError

from judging.models import AwardJob
from judging.services.award_jobs import AWARD_JOB_TRANSITIONS, award_job_fail, award_job_move
from judging.services.ceremony_jobs import award_job_retry, award_job_start
from portal.models import AuditEntry, Edition
from tests.factories import AwardJobFactory, EditionFactory, EditionRoleFactory
from tests.factories.ceremony import ceremony_edition

pytestmark = pytest.mark.django_db

State = AwardJob.State
Kind = AwardJob.Kind


@pytest.mark.parametrize(("state", "kind", "allowed"), [
    (Edition.State.DELIBERATION, Kind.NOTIFY, False),
    (Edition.State.FINALISED, Kind.NOTIFY, False),
    (Edition.State.PUBLISHED, Kind.NOTIFY, True),
    (Edition.State.DELIBERATION, Kind.CERTIFICATES, False),
    (Edition.State.FINALISED, Kind.CERTIFICATES, True),
    (Edition.State.PUBLISHED, Kind.CERTIFICATES, True),
])
def test_a_job_starts_only_once_the_edition_is_ready(state, kind, allowed, django_capture_on_commit_callbacks):
    edition = EditionFactory(state=state)
    chair = EditionRoleFactory(edition=edition, role="chair").user
    with django_capture_on_commit_callbacks() as callbacks:
        if allowed:
            job = award_job_start(edition=edition, kind=kind, user=chair)
            assert (job.state, job.kind, job.created_by) == (State.PENDING, kind, chair)
        else:
            with pytest.raises(ValidationError):
                award_job_start(edition=edition, kind=kind, user=chair)
    assert len(callbacks) == (1 if allowed else 0)  # the task is enqueued after commit, and only then
    assert AwardJob.objects.count() == (1 if allowed else 0)


def test_a_second_job_of_the_same_kind_is_refused_while_one_runs(django_capture_on_commit_callbacks):
    edition = EditionFactory(state=Edition.State.PUBLISHED)
    EditionRoleFactory(edition=edition, role="chair")
    with django_capture_on_commit_callbacks():
        award_job_start(edition=edition, kind=Kind.NOTIFY, user=None)
        with pytest.raises(ValidationError, match="already running"):
            award_job_start(edition=edition, kind=Kind.NOTIFY, user=None)
        award_job_start(edition=edition, kind=Kind.CERTIFICATES, user=None)  # another kind may run beside it
    assert AwardJob.objects.filter(edition=edition).count() == 2
    assert list(AuditEntry.objects.filter(edition=edition).values_list("action", flat=True)) == [
        "award.job_started", "award.job_started"]


def test_certificates_need_a_chair_to_sign_them():
    world = ceremony_edition(chair=False)
    with pytest.raises(ValidationError, match="chair"):
        award_job_start(edition=world.edition, kind=Kind.CERTIFICATES, user=None)


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValidationError):
        award_job_start(edition=EditionFactory(state=Edition.State.PUBLISHED), kind="fireworks", user=None)


def test_the_transition_table_is_the_only_way():
    job = AwardJobFactory(edition__state=Edition.State.PUBLISHED)
    assert award_job_move(job, State.SUCCEEDED) is False  # pending cannot succeed without running
    assert award_job_move(job, State.RUNNING) is True
    assert award_job_move(job, State.PENDING) is True  # its worker died (stalled) or a passing error: sent again
    assert award_job_move(job, State.RUNNING) is True
    assert award_job_move(job, State.SUCCEEDED, progress=100) is True
    assert job.finished_at is not None
    for target in State.values:
        assert award_job_move(job, target) is False  # a job that succeeded is final
    assert AWARD_JOB_TRANSITIONS[State.FAILED] == {State.PENDING}


def test_fail_marks_the_job_failed_with_its_error_and_retry_starts_it_again(django_capture_on_commit_callbacks):
    job = AwardJobFactory(edition__state=Edition.State.PUBLISHED, state=State.RUNNING, progress=40)
    assert award_job_fail(run_id=job.pk, error="SMTPServerDisconnected: gone").state == State.FAILED
    job.refresh_from_db()
    assert (job.state, job.error) == (State.FAILED, "SMTPServerDisconnected: gone")
    assert award_job_fail(run_id=10**9, error="x") is None  # a job that is gone
    with django_capture_on_commit_callbacks() as callbacks:
        award_job_retry(job=job, user=None)
    job.refresh_from_db()
    assert (job.state, job.progress, job.error, job.finished_at) == (State.PENDING, 0, "", None)
    assert len(callbacks) == 1
    with pytest.raises(ValidationError, match="Only a failed job"):
        award_job_retry(job=job, user=None)


def test_fail_leaves_a_job_that_succeeded_alone():
    job = AwardJobFactory(state=State.SUCCEEDED)
    award_job_fail(run_id=job.pk, error="late")
    job.refresh_from_db()
    assert (job.state, job.error) == (State.SUCCEEDED, "")

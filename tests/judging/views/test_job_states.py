"""What each kind of job says in each state, on its page and in its progress partial: queued (and for how long,
when no worker takes it), running with its progress, done, failed with "Try again" for whom may start it again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from judging.models import AggregationRun, AssignmentRun, AwardJob, JudgingRound
from portal.models import AuditEntry, Edition
from tests.factories.ceremony import ceremony_edition
from tests.factories.scoring import make_world

pytestmark = pytest.mark.django_db

QUEUED = "Queued: waiting for a worker to start it."
STUCK = "No worker has started this job yet: the background workers may be stopped."


def _age(model, job, minutes: int) -> None:
    then = timezone.now() - timedelta(minutes=minutes)
    model.objects.filter(pk=job.pk).update(created_at=then, queued_at=then)


# --- the assigner ----------------------------------------------------------------------------------------------


@pytest.fixture
def assigning():
    return make_world(state=JudgingRound.State.ASSIGNING, edition_state="screening")


def _round_page(client, world) -> str:
    return client.get(f"/e/{world.edition.slug}/rounds/{world.round.pk}/").content.decode()


def test_starting_the_assigner_says_queued(client, login, assigning):
    login(assigning.role("secretariat"))
    response = client.post(f"/e/{assigning.edition.slug}/rounds/{assigning.round.pk}/run/", follow=True)
    body = response.content.decode()
    assert "The assigner&#x27;s run is queued: it starts when a worker is free." in body
    assert "is running" not in body
    assert QUEUED in body and "Queued less than a minute ago." in body


def test_an_assigner_run_that_no_worker_takes_says_how_long_it_has_waited(client, login, assigning):
    run = AssignmentRun.objects.create(round=assigning.round)
    _age(AssignmentRun, run, 12)
    login(assigning.role("secretariat"))
    body = _round_page(client, assigning)
    assert QUEUED in body and "Queued 12 minutes ago." in body and STUCK in body


def test_a_running_assigner_run_shows_its_step_and_progress(client, login, assigning):
    run = AssignmentRun.objects.create(round=assigning.round, state="running", progress=40,
                                       message="Reading the round")
    login(assigning.role("observer"))
    partial = client.get(f"/e/{assigning.edition.slug}/rounds/{assigning.round.pk}/runs/{run.pk}/progress/")
    body = partial.content.decode()
    assert "Running: Reading the round (40%)" in body and "hx-get" in body and "Queued" not in body


def test_a_finished_assigner_run_never_says_running_after_a_reload(client, login, assigning):
    run = AssignmentRun.objects.create(round=assigning.round, state="succeeded", progress=100, message="Done",
                                       finished_at=timezone.now(), objective=1, bound=1)
    login(assigning.role("secretariat"))
    body = _round_page(client, assigning)
    assert "Last run" in body and ": Done</h3>" in body
    assert "Running" not in body and "Queued" not in body and 'id="run-progress-job"' not in body
    partial = client.get(f"/e/{assigning.edition.slug}/rounds/{assigning.round.pk}/runs/{run.pk}/progress/",
                         headers={"HX-Request": "true"})
    assert partial["HX-Refresh"] == "true"


@pytest.mark.parametrize(("role", "retry"), [("secretariat", True), ("chair", False), ("observer", False)])
def test_a_failed_assigner_run_shows_its_error_and_try_again_to_the_secretariat(client, login, assigning, role,
                                                                                  retry):
    run = AssignmentRun.objects.create(round=assigning.round, state="failed", progress=30, error="The solver crashed.",
                                       finished_at=timezone.now())
    login(assigning.role(role))
    body = _round_page(client, assigning)
    retry_url = f"/e/{assigning.edition.slug}/rounds/{assigning.round.pk}/runs/{run.pk}/retry/"
    assert 'data-state="failed"' in body and "The solver crashed." in body and "Running" not in body
    assert (f'action="{retry_url}"' in body) == retry
    response = client.post(retry_url, follow=True)
    if retry:
        assert "A new run of the assigner is queued: it starts when a worker is free." in response.content.decode()
        assert AssignmentRun.objects.filter(state="pending").count() == 1
        assert AuditEntry.objects.filter(action="round.assign_retried").count() == 1
    else:
        assert response.status_code == 403
        assert AssignmentRun.objects.count() == 1


# --- the results' computation --------------------------------------------------------------------------------------


def _board(client, world) -> str:
    return client.get(f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/results/").content.decode()


def test_starting_a_computation_says_queued(client, login):
    world = make_world()
    login(world.role("secretariat"))
    response = client.post(f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/aggregate/", follow=True)
    body = response.content.decode()
    assert "The computation of the results is queued: it starts when a worker is free." in body
    assert "A computation of the results is queued." in body and QUEUED in body


def test_a_computation_that_no_worker_takes_says_how_long_it_has_waited(client, login):
    world = make_world()
    _age(AggregationRun, AggregationRun.objects.create(round=world.round), 7)
    login(world.role("observer"))
    body = _board(client, world)
    assert "Queued 7 minutes ago." in body and STUCK in body


def test_a_running_computation_shows_its_progress(client, login):
    world = make_world()
    AggregationRun.objects.create(round=world.round, state="running", progress=55)
    login(world.role("secretariat"))
    body = _board(client, world)
    assert "The results are being computed." in body and "Running (55%)" in body


@pytest.mark.parametrize(("role", "retry"), [("secretariat", True), ("observer", False)])
def test_a_failed_computation_stays_failed_after_a_reload_with_try_again(client, login, role, retry):
    world = make_world(state=JudgingRound.State.CLOSED)
    run = AggregationRun.objects.create(round=world.round, state="failed", progress=20, error="Out of memory.")
    login(world.role(role))
    body = _board(client, world)
    retry_url = f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/runs/{run.pk}/retry/"
    assert "The last computation failed." in body and "Out of memory." in body and "Running" not in body
    assert (f'action="{retry_url}"' in body) == retry
    response = client.post(retry_url, follow=True)
    if retry:
        assert "A new computation of the results is queued" in response.content.decode()
        assert AggregationRun.objects.filter(state="pending").count() == 1
    else:
        assert response.status_code == 403 and AggregationRun.objects.count() == 1


# --- the awards jobs ---------------------------------------------------------------------------------------------


@pytest.fixture
def published():
    return ceremony_edition(state=Edition.State.PUBLISHED)


def _jobs(client, world) -> str:
    return client.get(f"/e/{world.edition.slug}/awards/jobs/").content.decode()


@pytest.mark.parametrize(("state", "progress", "message", "says"), [
    ("pending", 0, "Waiting for a worker", QUEUED),
    ("running", 60, "Sending the e-mails", "Running: Sending the e-mails (60%)"),
    ("succeeded", 100, "Done", "Done"),
])
def test_an_award_job_says_its_state(client, login, published, state, progress, message, says):
    job = AwardJob.objects.create(edition=published.edition, kind="notify", state=state, progress=progress,
                                  message=message)
    login(published.chair)
    body = _jobs(client, published)
    assert f'<p id="award-job-{job.pk}-message" role="status" aria-live="polite">{says}</p>' in body
    assert ("Queued less than a minute ago." in body) == (state == "pending")


def test_an_award_job_no_worker_takes_says_how_long_it_has_waited(client, login, published):
    job = AwardJob.objects.create(edition=published.edition, kind="certificates")
    _age(AwardJob, job, 30)
    login(published.chair)
    body = _jobs(client, published)
    assert "Queued 30 minutes ago." in body and STUCK in body


def test_a_failed_award_job_offers_try_again_and_says_queued(client, login, published):
    job = AwardJob.objects.create(edition=published.edition, kind="notify", state="failed", error="SMTP refused.",
                                  finished_at=timezone.now())
    login(published.chair)
    body = _jobs(client, published)
    retry_url = f"/e/{published.edition.slug}/awards/jobs/{job.pk}/retry/"
    assert "SMTP refused." in body and f'action="{retry_url}"' in body
    response = client.post(retry_url, follow=True)
    assert "The job is queued again; what was already done is not done twice." in response.content.decode()


# --- who may try again ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["judge", "applicant", "secretariat elsewhere", "committee"])
def test_judges_applicants_and_strangers_cannot_retry_a_run(client, login, who):
    from tests.factories import EditionRoleFactory, MembershipFactory

    world = make_world(state=JudgingRound.State.ASSIGNING)
    assigner = AssignmentRun.objects.create(round=world.round, state="failed", error="x")
    computation = AggregationRun.objects.create(round=world.round, state="failed", error="x")
    user = {"judge": lambda: world.judges[0].user,
            "applicant": lambda: MembershipFactory(organisation=world.entries[0].organisation).user,
            "secretariat elsewhere": lambda: EditionRoleFactory(role="secretariat").user,
            "committee": lambda: world.role("committee")}[who]()
    login(user)
    slug, pk = world.edition.slug, world.round.pk
    assert client.post(f"/e/{slug}/rounds/{pk}/runs/{assigner.pk}/retry/").status_code == 403
    assert client.post(f"/e/{slug}/scoring/rounds/{pk}/runs/{computation.pk}/retry/").status_code == 403
    assert (AssignmentRun.objects.count(), AggregationRun.objects.count()) == (1, 1)


def test_a_retry_is_post_only(client, login):
    world = make_world(state=JudgingRound.State.ASSIGNING)
    run = AssignmentRun.objects.create(round=world.round, state="failed", error="x")
    login(world.role("secretariat"))
    assert client.get(f"/e/{world.edition.slug}/rounds/{world.round.pk}/runs/{run.pk}/retry/").status_code == 405
    assert AssignmentRun.objects.count() == 1

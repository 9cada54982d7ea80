"""The judge's workbench: who opens what, the queue, the review form, drafts, autosave, blind rounds, files."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from judging.models import Assignment, CriterionScore, JudgingRound, Review
from judging.services.queues import queues_place
from judging.services.scoring import ReviewInput, review_submit
from portal.models import Edition
from tests.factories import MembershipFactory, OrganisationFactory
from tests.factories.judging import CalibrationEntryFactory
from tests.factories.scoring import make_world, submitted_entry
from tests.factories.submissions import AttachmentFactory

pytestmark = pytest.mark.django_db


def queue_url(world) -> str:
    return f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/queue/"


def review_url(assignment) -> str:
    return f"/scoring/assignments/{assignment.pk}/"


def post_scores(world, *values, action="save", **extra) -> dict:
    data = {f"score_{c.pk}": str(v) for c, v in zip(world.criteria, values, strict=True) if v is not None}
    data.update({"action": action, "confidence_sent": "1", **extra})
    return data


# --- who opens what ----------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    world = make_world(judges=1, entries=1)
    for url in (queue_url(world), review_url(world.assignment(0, 0))):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["secretariat", "chair", "observer", "applicant"])
def test_only_judges_have_a_queue(client, login, role):
    world = make_world(judges=1, entries=1)
    user = MembershipFactory(organisation=world.entries[0].organisation).user if role == "applicant" else world.role(role)
    login(user)
    response = client.get(queue_url(world))
    assert response.status_code == 403
    assert "Entry 1" not in response.content.decode()


def test_a_judge_sees_only_their_own_assignments(client, login):
    world = make_world(judges=2, entries=3, pairs=[(0, 0), (0, 1), (1, 2)])
    login(world.judges[0].user)
    body = client.get(queue_url(world)).content.decode()
    assert re.findall(r">(Entry \d)</a>", body) != []
    assert sorted(re.findall(r">(Entry \d)</a>", body)) == ["Entry 1", "Entry 2"]
    assert "Entry 3" not in body


@pytest.mark.parametrize("who", ["other judge", "secretariat", "applicant"])
def test_an_entry_not_assigned_to_you_is_a_403_that_shows_nothing_of_it(client, login, who):
    world = make_world(judges=2, entries=1, pairs=[(0, 0)])
    assignment = world.assignment(0, 0)
    review_submit(assignment=assignment, user=world.judges[0].user, notify=False,
                  data=ReviewInput(scores={c.pk: 9 for c in world.criteria}, committee_comment="Secret verdict"))
    user = {"other judge": world.judges[1].user, "secretariat": world.role("secretariat"),
            "applicant": MembershipFactory(organisation=world.entries[0].organisation).user}[who]
    login(user)
    for url in (review_url(assignment), f"{review_url(assignment)}attachments/1/"):
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 403
        assert "Entry 1" not in body and "Secret verdict" not in body and "A short summary." not in body
    response = client.post(review_url(assignment), post_scores(world, 1, 1, action="submit"))
    assert response.status_code == 403
    response = client.post(f"{review_url(assignment)}autosave/", post_scores(world, 1, 1))
    assert response.status_code == 403
    assert sorted(CriterionScore.objects.values_list("score", flat=True)) == [9, 9]


def test_a_judge_never_sees_another_judges_scores_on_their_page(client, login):
    world = make_world(judges=2, entries=1)
    review_submit(assignment=world.assignment(1, 0), user=world.judges[1].user, notify=False,
                  data=ReviewInput(scores={c.pk: 9 for c in world.criteria}, committee_comment="Other judge's view",
                                   applicant_comment="Other judge's advice"))
    JudgingRound.objects.filter(pk=world.round.pk).update(state=JudgingRound.State.CLOSED)
    login(world.judges[0].user)
    for url in (review_url(world.assignment(0, 0)), queue_url(world), f"/e/{world.edition.slug}/scoring/"):
        body = client.get(url).content.decode()
        assert "Other judge&#x27;s view" not in body and "Other judge&#x27;s advice" not in body
        assert 'selected>9<' not in body


# --- the queue ----------------------------------------------------------------------------------------------------


def test_the_queue_shows_progress_and_the_deadline_in_the_editions_time_zone(client, login):
    world = make_world(judges=1, entries=3)
    deadline = datetime(2030, 5, 31, 14, 59, tzinfo=UTC)
    JudgingRound.objects.filter(pk=world.round.pk).update(deadline=deadline)
    judge = world.judges[0].user
    review_submit(assignment=world.assignment(0, 0), user=judge, notify=False,
                  data=ReviewInput(scores={c.pk: 5 for c in world.criteria}))
    Assignment.objects.filter(pk=world.assignment(0, 1).pk).update(state=Assignment.State.IN_PROGRESS)
    login(judge)
    response = client.get(queue_url(world))
    body = response.content.decode()
    progress = response.context["progress"]
    assert (progress.done, progress.in_progress, progress.to_do) == (1, 1, 1)
    assert "Done: 1" in body and "In progress: 1" in body and "To do: 1" in body
    assert "31 May 2030, 23:59 (Asia/Seoul)" in body


def test_calibration_entries_come_first_in_every_judges_queue(client, login):
    world = make_world(judges=2, entries=8, place_queues=False)
    CalibrationEntryFactory(round=world.round, application=world.entries[5])
    queues_place(judging_round=world.round, judge_ids=[judge.pk for judge in world.judges])  # as the assigner does
    for judge in world.judges:
        login(judge.user)
        queue = client.get(queue_url(world)).context["queue"]
        assert [a.application_id for a in queue][0] == world.entries[5].pk
        assert len(queue) == 8
        client.logout()


# --- the review page: drafts, submission, autosave ------------------------------------------------------------------


def test_the_review_page_shows_the_submitted_snapshot_beside_the_form(client, login):
    world = make_world(judges=1, entries=1)
    login(world.judges[0].user)
    response = client.get(review_url(world.assignment(0, 0)))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Entry 1" in body and "A short summary." in body and "Organisation " in body
    for criterion in world.criteria:
        assert f'for="id_score_{criterion.pk}"' in body and f'for="id_comment_{criterion.pk}"' in body
    assert 'data-autosave-url="/scoring/assignments/' in body
    assert "<script>" not in body and " style=" not in body


def test_saving_a_draft_then_submitting_moves_to_the_next_entry(client, login):
    world = make_world(judges=1, entries=2)
    login(world.judges[0].user)
    client.get(queue_url(world))
    first, second = sorted(world.assignments.values(), key=lambda a: Assignment.objects.get(pk=a.pk).queue_position)
    c1, c2 = world.criteria
    response = client.post(review_url(first), post_scores(world, 6, None, **{f"comment_{c1.pk}": "Solid."}))
    assert response.status_code == 302
    assert Review.objects.get(assignment=first).state == "draft"
    response = client.post(review_url(first), post_scores(world, 6, 8, action="submit"))
    assert response.status_code == 302 and response.url == review_url(second)
    review = Review.objects.get(assignment=first)
    assert (review.state, review.weighted_total) == ("submitted", 7.0)
    assert CriterionScore.objects.get(review=review, criterion=c1).comment == "Solid."


def test_a_refused_submission_keeps_everything_typed_and_saves_it_as_a_draft(client, login):
    world = make_world(judges=1, entries=1)
    login(world.judges[0].user)
    c1, c2 = world.criteria
    response = client.post(review_url(world.assignment(0, 0)), post_scores(
        world, 4, None, action="submit", committee_comment="My long considered view", **{f"comment_{c2.pk}": "Unsure"}))
    body = response.content.decode()
    assert response.status_code == 400
    assert "Give a score for Criterion 2." in body
    assert "My long considered view" in body and "Unsure" in body
    assert 'value="4" selected' in body
    review = Review.objects.get()
    assert (review.state, review.committee_comment) == ("draft", "My long considered view")


def test_autosave_saves_what_it_can_read_and_names_what_it_cannot(client, login):
    world = make_world(judges=1, entries=1)
    login(world.judges[0].user)
    c1, c2 = world.criteria
    url = f"{review_url(world.assignment(0, 0))}autosave/"
    response = client.post(url, {f"score_{c1.pk}": "7", f"score_{c2.pk}": "eleven", "committee_comment": "Draft note"})
    answer = response.json()
    assert response.status_code == 200
    assert list(answer["errors"]) == [f"score_{c2.pk}"]
    assert (answer["state"], answer["complete"]) == ("draft", False)
    assert list(CriterionScore.objects.values_list("criterion_id", "score")) == [(c1.pk, 7)]
    assert Review.objects.get().committee_comment == "Draft note"


def test_whatever_the_browser_sends_a_closed_round_takes_no_scores(client, login):
    world = make_world(judges=1, entries=1)
    login(world.judges[0].user)
    JudgingRound.objects.filter(pk=world.round.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    page = client.get(review_url(world.assignment(0, 0))).content.decode()
    assert "The scoring deadline passed on" in page and "<fieldset disabled" in page
    response = client.post(review_url(world.assignment(0, 0)), post_scores(world, 5, 5, action="submit"))
    assert response.status_code == 400
    assert client.post(f"{review_url(world.assignment(0, 0))}autosave/", post_scores(world, 5, 5)).status_code == 400
    assert Review.objects.count() == 0


def test_after_finalisation_the_page_is_read_only_and_posts_are_refused(client, login):
    world = make_world(judges=1, entries=1)
    review_submit(assignment=world.assignment(0, 0), user=world.judges[0].user, notify=False,
                  data=ReviewInput(scores={c.pk: 5 for c in world.criteria}))
    Edition.objects.filter(pk=world.edition.pk).update(state=Edition.State.FINALISED)
    login(world.judges[0].user)
    assert "locked for good" in client.get(review_url(world.assignment(0, 0))).content.decode()
    response = client.post(review_url(world.assignment(0, 0)), post_scores(world, 9, 9, action="submit"))
    assert response.status_code == 400
    assert sorted(CriterionScore.objects.values_list("score", flat=True)) == [5, 5]


def test_a_submitted_review_is_edited_with_the_update_button_until_the_round_closes(client, login):
    world = make_world(judges=1, entries=1)
    login(world.judges[0].user)
    client.post(review_url(world.assignment(0, 0)), post_scores(world, 5, 5, action="submit"))
    page = client.get(review_url(world.assignment(0, 0))).content.decode()
    assert "Update the submitted review" in page and "data-autosave-url" not in page
    response = client.post(review_url(world.assignment(0, 0)), post_scores(world, 9, 7, action="submit"))
    assert response.status_code == 302
    assert Review.objects.get().weighted_total == 8.0


# --- blind rounds -----------------------------------------------------------------------------------------------------


@pytest.fixture
def blind_world():
    world = make_world(judges=1, entries=0, blind=True)
    organisation = OrganisationFactory(name="Suseong District Office", city="Daegu", country="KR",
                                       website="https://www.suseong.kr/")
    application = submitted_entry(
        edition=world.edition, category=world.category, organisation=organisation,
        title="Daegu night buses", summary="Suseong District Office runs night buses across daegu.",
        partners="Daegu Metropolitan City, with Suseong District Office\nKorea Transport Institute",
        links="https://www.suseong.kr/nightbus\nhttps://example.org/study",
        attachments=[],
    )
    attachment = AttachmentFactory(application=application, original_name="suseong-budget-2024.pdf")
    snapshot = application.snapshots.get()
    snapshot.data["attachments"] = [{"id": attachment.pk, "name": attachment.original_name,
                                     "content_type": "application/pdf", "size": attachment.size, "pages": 1}]
    snapshot.save()
    from tests.factories.judging import AssignmentFactory

    world.assignments[(0, 0)] = AssignmentFactory(round=world.round, judge=world.judges[0], application=application)
    world.entries.append(application)
    return world


# The edition's time zone (Asia/Seoul) is the organiser's, not the applicant's: it may show.
IDENTITY = ["Suseong", "suseong", "Daegu", "daegu", "South Korea", "suseong.kr", "suseong-budget-2024"]


def test_a_blind_round_hides_the_applicants_identity_on_every_judges_page(client, login, blind_world):
    world = blind_world
    login(world.judges[0].user)
    for url in (queue_url(world), review_url(world.assignment(0, 0)), f"/e/{world.edition.slug}/scoring/"):
        body = client.get(url).content.decode()
        assert [word for word in IDENTITY if word in body] == [], url
    body = client.get(review_url(world.assignment(0, 0))).content.decode()
    assert "[withheld] night buses" in body
    assert "Korea Transport Institute" in body  # a partner that does not name the applicant stays
    assert "https://example.org/study" in body
    assert "Attachment 1" in body


def test_a_blind_rounds_attachment_downloads_under_a_neutral_name(client, login, blind_world):
    login(blind_world.judges[0].user)
    response = client.get(f"{review_url(blind_world.assignment(0, 0))}attachments/1/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="attachment-1.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get(f"{review_url(blind_world.assignment(0, 0))}attachments/2/").status_code == 404


def test_outside_a_blind_round_the_attachment_keeps_its_name(client, login, blind_world):
    JudgingRound.objects.filter(pk=blind_world.round.pk).update(blind=False)
    login(blind_world.judges[0].user)
    response = client.get(f"{review_url(blind_world.assignment(0, 0))}attachments/1/")
    assert response["Content-Disposition"] == 'attachment; filename="suseong-budget-2024.pdf"'


def test_a_blind_rounds_receipt_email_names_no_applicant(client, login, blind_world, django_capture_on_commit_callbacks):
    world = blind_world
    login(world.judges[0].user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(review_url(world.assignment(0, 0)), post_scores(world, 5, 5, action="submit"))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    text = f"{message.subject}\n{message.body}"
    assert [word for word in IDENTITY if word in text] == []
    assert "[withheld] night buses" in message.subject


# --- conflicts --------------------------------------------------------------------------------------------------------


def test_declaring_a_conflict_calls_the_assignment_service(client, login):
    world = make_world(judges=1, entries=1)
    login(world.judges[0].user)
    response = client.post(f"{review_url(world.assignment(0, 0))}conflict/", {"reason": "I advised them in 2023."})
    assert response.status_code == 302 and response.url == queue_url(world)
    assert Assignment.objects.get(pk=world.assignment(0, 0).pk).state == "conflict_declared"
    assert world.entries[0].title not in client.get(queue_url(world)).content.decode()


def test_a_conflict_needs_a_reason(client, login):
    world = make_world(judges=1, entries=1)
    login(world.judges[0].user)
    response = client.post(f"{review_url(world.assignment(0, 0))}conflict/", {"reason": ""}, follow=True)
    assert "Say why you have a conflict of interest with this entry." in response.content.decode()
    assert Assignment.objects.get(pk=world.assignment(0, 0).pk).state == "assigned"


def test_mfa_is_required_for_judges_when_enforced(client, login, settings):
    settings.PORTAL_MFA_REQUIRED = True
    world = make_world(judges=1, entries=1)
    login(world.judges[0].user)
    for url in (queue_url(world), review_url(world.assignment(0, 0))):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/2fa/totp/activate/")


def test_the_review_page_loads_the_shared_autosave_before_its_own_script(client, login):
    world = make_world(judges=1, entries=1)
    login(world.judges[0].user)
    body = client.get(review_url(world.assignment(0, 0))).content.decode()
    scripts = re.findall(r'<script src="/static/([^"]+)" defer></script>', body)
    # Deferred scripts run in document order: workbench.js uses what autosave.js defines.
    assert [s for s in scripts if s != "portal/js/site.js"] == ["portal/js/autosave.js", "judging/js/workbench.js"]


def test_the_review_page_renders_the_entry_with_the_applicants_partial_in_blind_mode(client, login, blind_world):
    login(blind_world.judges[0].user)
    assignment = blind_world.assignment(0, 0)
    response = client.get(review_url(assignment))
    names = [template.name for template in response.templates]
    assert names.count("submissions/_snapshot_content.html") == 1
    body = response.content.decode()
    assert f'<a href="{review_url(assignment)}attachments/1/">Attachment 1</a>' in body
    assert "Organisation</dt>" not in body


def test_the_queues_cached_rows_follow_every_change_of_the_rows(client, login):
    world = make_world(judges=1, entries=2)
    login(world.judges[0].user)
    first = client.get(queue_url(world)).content.decode()
    assignment = Assignment.objects.filter(round=world.round).order_by("queue_position", "id").first()
    assert re.search(r'<tr class="state-assigned"><td>1</td><td><a href="[^"]+">[^<]+</a></td>', first)

    assignment.application.title = "A title changed <after> the first view"
    assignment.application.save(update_fields=["title"])
    Assignment.objects.filter(pk=assignment.pk).update(state=Assignment.State.IN_PROGRESS)
    again = client.get(queue_url(world)).content.decode()

    assert "A title changed &lt;after&gt; the first view" in again
    assert re.search(r'<tr class="state-in_progress"><td>1</td><td><a href="[^"]+">A title changed &lt;after&gt; '
                     r'the first view</a></td><td>[^<]+</td><td class="queue-state">In progress</td></tr>', again)


def test_the_judge_reads_each_criterions_guidance_per_level_beside_its_score(client, login):
    world = make_world(judges=1, entries=1)
    criterion = world.criteria[0]
    criterion.levels = [{"score_from": 0, "score_to": 3, "description": "No evidence of use"},
                        {"score_from": 10, "score_to": 10, "description": "Adopted city-wide"}]
    criterion.save()
    login(world.judges[0].user)
    body = client.get(f"/scoring/assignments/{world.assignment(0, 0).pk}/").content.decode()
    levels = body.split('class="criterion-levels"')[1].split("</dl>")[0]
    assert body.count('class="criterion-levels"') == 1
    assert re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>", levels) == [
        ("0–3", "No evidence of use"), ("10", "Adopted city-wide")]
    assert 'aria-label="What the scores for Criterion 1 mean"' in body


def test_a_blind_round_hides_questions_that_identify_the_applicant(client, login, blind_world):
    """The secretariat marks a question as identifying: a blind round's judge never sees it, its label or answer;
    outside a blind round the judge reads it."""
    from submissions.models import Answer
    from tests.factories import QuestionFactory

    world = blind_world
    application = world.entries[0]
    mayor = QuestionFactory(edition=world.edition, key="mayor", label_en="Name of the mayor",
                            identifies_applicant=True)
    budget = QuestionFactory(edition=world.edition, key="budget_note", label_en="Budget note")
    Answer.objects.create(application=application, question=mayor, value="Kim Dae-jung")
    Answer.objects.create(application=application, question=budget, value="Forty buses")
    snapshot = application.snapshots.get()
    from tests.factories.submissions import snapshot_data

    application.refresh_from_db()  # the edition's questions as a new request reads them
    snapshot.data = {**snapshot.data, "answers": snapshot_data(application)["answers"]}
    snapshot.save()
    login(world.judges[0].user)
    body = client.get(review_url(world.assignment(0, 0))).content.decode()
    assert "Name of the mayor" not in body and "Kim Dae-jung" not in body
    assert "Budget note" in body and "Forty buses" in body
    JudgingRound.objects.filter(pk=world.round.pk).update(blind=False)
    body = client.get(review_url(world.assignment(0, 0))).content.decode()
    assert "Name of the mayor" in body and "Kim Dae-jung" in body

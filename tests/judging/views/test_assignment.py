"""The rounds list, the round page and its forms: who sees what, the run button, progress, changes by hand."""

import re

import pytest
from django.core import mail

from judging.models import Assignment, AssignmentRun, JudgingRound
from judging.services import round_jobs, rounds
from judging.services.assignment_summaries import assignment_summaries_refresh
from judging.views.assignment import ASSIGNMENTS_PER_PAGE, SHORT_ENTRIES_SHOWN
from portal import public_cache
from portal.models import AuditEntry
from tests.factories import EditionRoleFactory, MembershipFactory, OrganisationFactory, VerifiedUserFactory
from tests.factories.assignment import active_pairs, assign, eligible, judge, one_category_round
from tests.factories.judging import AssignmentFactory

pytestmark = pytest.mark.django_db

SECRET_ORGANISATION = "Secret Town Council"
SECRET_JUDGE_EMAIL = "hidden.judge@example.org"
# The round page, whatever the round's size: four queries read the rubric gaps (rubrics/_round_gaps.html), one the
# summaries of the assignments (judging/selectors/design.py), one the entries per category, one the judges counted;
# the session, user, MFA reads of every page and the edition read with the visitor's roles the rest.
QUERIES = 17


@pytest.fixture
def setting():
    """A round with one assignment whose applicant and judge must not leak to the wrong people."""
    edition, category, judging_round = one_category_round(k=1)
    entry = eligible(edition, category, organisation=OrganisationFactory(name=SECRET_ORGANISATION),
                     title="Smart streetlights")
    hidden = judge(edition, expertise=[category], user=VerifiedUserFactory(email=SECRET_JUDGE_EMAIL))
    assign(judging_round)
    return {"edition": edition, "category": category, "round": judging_round, "entry": entry, "judge": hidden}


def person(edition, role: str):
    return EditionRoleFactory(edition=edition, role=role).user


def urls(setting) -> dict[str, str]:
    slug, pk = setting["edition"].slug, setting["round"].pk
    run = AssignmentRun.objects.filter(round=setting["round"]).first()
    assignment = Assignment.objects.filter(round=setting["round"]).first()
    return {
        "list": f"/e/{slug}/rounds/",
        "detail": f"/e/{slug}/rounds/{pk}/",
        "judges": f"/e/{slug}/rounds/{pk}/judges/",
        "progress": f"/e/{slug}/rounds/{pk}/runs/{run.pk}/progress/",
        "add": f"/e/{slug}/rounds/{pk}/assignments/add/",
        "move": f"/e/{slug}/rounds/{pk}/assignments/{assignment.pk}/move/",
    }


# --- who may see it -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["secretariat", "chair", "observer"])
def test_the_committee_reads_the_rounds_and_the_round_page(role, setting, client, login):
    login(person(setting["edition"], role))
    pages = urls(setting)

    listing = client.get(pages["list"])
    detail = client.get(pages["detail"])

    assert (listing.status_code, detail.status_code) == (200, 200)
    assert setting["round"].name in listing.content.decode()
    body = detail.content.decode()
    judges = client.get(pages["judges"]).content.decode()  # the round's judges have their own page, one click away
    assert SECRET_ORGANISATION in body and SECRET_JUDGE_EMAIL in judges
    assert pages["judges"] in body
    assert 'data-state="succeeded"' in client.get(pages["progress"]).content.decode()
    assert ("Run the assigner" in body) == (role == "secretariat")
    assert ("Add an assignment by hand" in body) == (role == "secretariat")


@pytest.mark.parametrize("who", ["judge", "applicant", "secretariat elsewhere"])
def test_judges_applicants_and_other_editions_are_refused_and_see_nothing(who, setting, client, login):
    other_judge = judge(setting["edition"], user=VerifiedUserFactory(email="other.judge@example.org"))
    if who == "judge":
        user = other_judge.user
    elif who == "applicant":
        user = MembershipFactory(organisation=setting["entry"].organisation).user
    else:
        user = person(one_category_round()[0], "secretariat")
    login(user)

    for name, url in urls(setting).items():
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 403, name
        assert SECRET_ORGANISATION not in body
        assert "Smart streetlights" not in body
        assert SECRET_JUDGE_EMAIL not in body
    assert client.post(f"{urls(setting)['detail']}run/").status_code == 403
    assert AssignmentRun.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(setting, client):
    response = client.get(urls(setting)["detail"])
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["chair", "observer"])
def test_chair_and_observer_cannot_change_anything(role, setting, client, login):
    login(person(setting["edition"], role))
    pages, assignment = urls(setting), Assignment.objects.get()
    posts = [f"{pages['detail']}run/", f"{pages['detail']}open/", pages["add"], pages["move"],
             f"{pages['detail']}assignments/{assignment.pk}/release/"]
    for url in posts:
        assert client.post(url, {"judge": setting["judge"].pk, "application": setting["entry"].pk}).status_code == 403
    assert client.get(pages["add"]).status_code == 403
    assignment.refresh_from_db()
    assert (assignment.state, AssignmentRun.objects.count()) == (Assignment.State.ASSIGNED, 1)


def test_the_workspace_links_the_rounds_for_the_committee_only(setting, client, login):
    login(person(setting["edition"], "secretariat"))
    assert f"/e/{setting['edition'].slug}/rounds/" in client.get(f"/e/{setting['edition'].slug}/").content.decode()
    client.logout()
    login(setting["judge"].user)
    # The judge's own queue link (/scoring/rounds/<id>/queue/) is theirs; the rounds' list is not.
    assert f'href="/e/{setting['edition'].slug}/rounds/' not in client.get(f"/e/{setting['edition'].slug}/").content.decode()


# --- constant queries ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 13])
def test_the_round_page_costs_the_same_queries_with_1_or_many_assignments(setting, client, login, rows,
                                                                           django_assert_num_queries):
    edition, category, judging_round = setting["edition"], setting["category"], setting["round"]
    for _ in range(rows - 1):
        AssignmentFactory(round=judging_round, judge=judge(edition, expertise=[category]),
                          application=eligible(edition, category))
    other_round = one_category_round(k=1)[2]
    AssignmentFactory(round=other_round, application__title="Another edition's entry")
    assignment_summaries_refresh(judging_round=judging_round)  # rows written past the services: counted, as bench does
    assert Assignment.objects.filter(round=judging_round).count() == rows
    login(person(setting["edition"], "secretariat"))
    url = urls(setting)["detail"]
    with django_assert_num_queries(QUERIES):  # four read the rubric gaps (rubrics/_round_gaps.html)
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == rows
    assert "Another edition" not in response.content.decode()


@pytest.mark.parametrize("rows", [1, 6])
def test_the_rounds_list_costs_the_same_queries_with_1_or_many_rounds(setting, client, login, rows,
                                                                      django_assert_num_queries):
    for position in range(1000, 1000 + rows - 1):
        rounds.round_create(edition=setting["edition"], user=None, name=f"Extra {position}", position=position,
                              categories=[setting["category"]], deadline=setting["round"].deadline)
    one_category_round(k=1, name="Another edition's round")
    login(person(setting["edition"], "observer"))
    url = urls(setting)["list"]
    with django_assert_num_queries(7):
        response = client.get(url)
    assert len(response.context["rounds"]) == rows
    assert "Another edition" not in response.content.decode()


# --- the assigner: button, progress, result ----------------------------------------------------------------


def test_the_run_button_starts_a_run_that_a_worker_finishes_after_commit(client, login,
                                                                         django_capture_on_commit_callbacks):
    edition, category, judging_round = one_category_round(k=2)
    for _ in range(3):
        eligible(edition, category)
    for _ in range(3):
        judge(edition, expertise=[category])
    login(person(edition, "secretariat"))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(f"/e/{edition.slug}/rounds/{judging_round.pk}/run/")

    assert response.status_code == 302
    # The run's task, once; beside it the public pages' copies are dropped (a round changed).
    assert len([callback for callback in callbacks if callback is not public_cache.invalidate]) == 1
    run = AssignmentRun.objects.get()
    assert (run.state, run.objective, run.bound, run.min_load, run.max_load) == ("succeeded", 60, 60, 2, 2)
    judging_round.refresh_from_db()
    assert judging_round.state == JudgingRound.State.ASSIGNING
    page = client.get(f"/e/{edition.slug}/rounds/{judging_round.pk}/").content.decode()
    assert "Proven upper bound" in page and "0.0000 %" in page and "from 2 to 2 entries per judge" in page
    progress_url = f"/e/{edition.slug}/rounds/{judging_round.pk}/runs/{run.pk}/progress/"
    progress = client.get(progress_url).content.decode()
    # The finished run's partial: the full bar, its message, and no more polling.
    assert '<div id="run-progress-job" class="job-progress" data-state="succeeded">' in progress
    assert ('<progress id="run-progress" max="100" value="100" aria-describedby="run-progress-message">100%'
            '</progress>') in progress
    assert '<p id="run-progress-message" role="status" aria-live="polite">Done</p>' in progress
    assert "hx-get" not in progress and "Try again" not in progress
    # The partial polling itself learns that the run is over: the page reloads to show the outcome.
    assert client.get(progress_url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"


def test_a_run_under_way_shows_a_progress_bar_with_no_inline_script_or_style(setting, client, login):
    run = round_jobs.assignment_run_create(round=setting["round"], user=None, enqueue=False)
    login(person(setting["edition"], "secretariat"))

    body = client.get(urls(setting)["detail"]).content.decode()

    progress_url = f"/e/{setting['edition'].slug}/rounds/{setting['round'].pk}/runs/{run.pk}/progress/"
    polling = f'hx-get="{progress_url}" hx-trigger="every 1s" hx-swap="outerHTML"'
    assert polling in body
    assert re.search(r'<progress id="run-progress" max="100" value="0"', body)
    assert '<label for="run-progress">' in body
    assert "/static/portal/js/vendor/htmx.min.js" in body and "progress.js" not in body
    # The endpoint answers the same partial, still polling while the run is under way.
    partial = client.get(progress_url, headers={"HX-Request": "true"})
    assert partial.status_code == 200 and polling in partial.content.decode()
    assert re.search(r'<progress id="run-progress" max="100" value="0"', partial.content.decode())
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in body
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", body))
    assert "style=" not in body and "<style" not in body
    # Pressing again while it runs is refused with a message, not a second run.
    response = client.post(f"{urls(setting)['detail']}run/", follow=True)
    assert "The assigner is already running for this round." in response.content.decode()
    assert AssignmentRun.objects.filter(state="pending").count() == 1


def test_an_infeasible_run_shows_the_shortfall_per_category(client, login):
    edition, category, judging_round = one_category_round(k=3)
    eligible(edition, category)
    judge(edition)
    assert assign(judging_round).state == "infeasible"
    login(person(edition, "observer"))

    body = client.get(f"/e/{edition.slug}/rounds/{judging_round.pk}/").content.decode()

    assert "No assignment satisfies every constraint; nothing was changed." in body
    assert "<td>Human-centric</td><td>2</td>" in body


def test_opening_the_round_emails_the_judges(setting, client, login, django_capture_on_commit_callbacks):
    login(person(setting["edition"], "secretariat"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{urls(setting)['detail']}open/", {"confirm": "on"}, follow=True)
    assert "The round is open for scoring." in response.content.decode()
    setting["round"].refresh_from_db()
    assert setting["round"].state == JudgingRound.State.OPEN
    assert [message.to for message in mail.outbox] == [[SECRET_JUDGE_EMAIL]]


# --- changes by hand ---------------------------------------------------------------------------------------------


def test_the_add_form_previews_then_refuses_a_conflict_beside_the_form(setting, client, login):
    member = judge(setting["edition"], expertise=[setting["category"]])
    MembershipFactory(organisation=setting["entry"].organisation, user=member.user)
    login(person(setting["edition"], "secretariat"))
    url = urls(setting)["add"]
    form = client.get(url).content.decode()
    assert '<label for="id_application">Entry:</label>' in form and '<label for="id_judge">Judge:</label>' in form

    preview = client.post(url, {"application": setting["entry"].pk, "judge": member.pk, "action": "preview"})
    refused = client.post(url, {"application": setting["entry"].pk, "judge": member.pk, "action": "save"})

    assert "Effect of this change" in preview.content.decode()
    assert "the judge is a member of the applying organisation" in preview.content.decode()
    assert refused.status_code == 200
    assert "Refused: this pair has a conflict of interest (the judge is a member of the applying organisation)." \
        in refused.content.decode()
    assert (setting["entry"].pk, member.pk) not in active_pairs(setting["round"])


def test_the_add_form_saves_and_shows_the_effect(setting, client, login):
    extra = judge(setting["edition"], expertise=[setting["category"]], capacity=5)
    login(person(setting["edition"], "secretariat"))

    response = client.post(urls(setting)["add"], {"application": setting["entry"].pk, "judge": extra.pk,
                                                   "action": "save"}, follow=True)

    assert "Total affinity +10 (this pair: 10). Loads:" in response.content.decode()
    assert "0 → 1 of 5" in response.content.decode()
    assert (setting["entry"].pk, extra.pk) in active_pairs(setting["round"])


def test_the_move_form_moves_and_reports_both_loads(setting, client, login):
    other = judge(setting["edition"], capacity=4)
    login(person(setting["edition"], "secretariat"))

    response = client.post(urls(setting)["move"], {"to_judge": other.pk, "action": "save"}, follow=True)

    body = response.content.decode()
    assert "Total affinity -10 (this pair: 0)." in body
    assert "0 → 1 of 4" in body and "1 → 0 of 10" in body
    assert active_pairs(setting["round"]) == {(setting["entry"].pk, other.pk)}


def test_release_from_the_round_page_lists_the_entry_as_needing_attention(setting, client, login):
    login(person(setting["edition"], "secretariat"))
    assignment = Assignment.objects.get()

    response = client.post(f"{urls(setting)['detail']}assignments/{assignment.pk}/release/", {"reason": "Ill"},
                           follow=True)

    body = response.content.decode()
    assert "no longer judges" in body
    assert "1 entry has fewer than 1 judges:" in body
    assert AuditEntry.objects.get(action="assignment.release").after["reason"] == "Ill"


def test_a_button_shows_every_reason_the_service_gives_for_refusing():
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.core.exceptions import ValidationError
    from django.test import RequestFactory

    from portal.service_errors import run_service

    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)

    def refuse():
        raise ValidationError(["The round is closed.", "Nobody is assigned yet."])

    assert run_service(request, refuse, success="Done.") is False
    assert run_service(request, lambda: None, success="Done.") is True
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [
        ("error", "The round is closed. Nobody is assigned yet."), ("success", "Done.")]


@pytest.mark.parametrize("entries", [1, 90])
def test_the_round_page_costs_the_same_queries_with_1_or_many_entries_and_pages_them(setting, client, login, entries,
                                                                                      django_assert_num_queries):
    """Beyond a page of assignments, and with short entries: the page reads one page of each, the counts are
    the whole round's."""
    edition, category, judging_round = setting["edition"], setting["category"], setting["round"]
    helper = judge(edition, expertise=[category])
    eligible(edition, category)  # a short entry in both cases: the page reads one list of them when there are some
    unassigned = 1
    for number in range(entries - 1):
        entry = eligible(edition, category)
        if number % 3 == 2:
            unassigned += 1  # k = 1: an entry without a judge is short
        else:
            AssignmentFactory(round=judging_round, judge=helper, application=entry)
    assignment_summaries_refresh(judging_round=judging_round)  # rows written past the services: counted
    login(person(edition, "secretariat"))
    url = urls(setting)["detail"]
    with django_assert_num_queries(QUERIES + 1):  # and one the entries without a judge
        response = client.get(url)
    assigned = list(Assignment.objects.filter(round=judging_round).order_by("application_id", "judge_id", "id")
                    .values_list("pk", flat=True))
    assert [a.pk for a in response.context["page"].object_list] == assigned[:ASSIGNMENTS_PER_PAGE]
    assert response.context["short_count"] == unassigned
    assert len(response.context["short_entries"]) == min(unassigned, SHORT_ENTRIES_SHOWN)
    assert all(entry.judges == 0 for entry in response.context["short_entries"])
    if entries > ASSIGNMENTS_PER_PAGE:
        second = client.get(url + "?page=2")
        assert [a.pk for a in second.context["page"].object_list] == assigned[ASSIGNMENTS_PER_PAGE:]

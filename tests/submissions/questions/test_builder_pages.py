"""The secretariat's form builder pages: who may open them, what they show, and what each button does."""

import pytest
from django.utils import translation

from portal.models import AuditEntry
from submissions.models import Answer, Question
from submissions.services.questions import form_questions_ensure
from tests.factories import EditionRoleFactory, MembershipFactory, QuestionFactory

pytestmark = pytest.mark.django_db

Kind = Question.Kind


def url(edition, rest: str = "") -> str:
    return f"/e/{edition.slug}/form/{rest}"


@pytest.fixture
def secret_question(edition):
    form_questions_ensure(edition=edition)
    return QuestionFactory(edition=edition, key="secret_key", label_en="Hidden question wording", position=50)


def test_only_the_secretariat_of_the_edition_opens_and_changes_the_form(client, login, edition, secretariat,
                                                                       secret_question):
    refused = [EditionRoleFactory(edition=edition, role="judge").user, MembershipFactory().user,
               EditionRoleFactory(role="secretariat").user]
    response = client.get(url(edition))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    for user in refused:
        login(user)
        for path in ("", "new/", f"{secret_question.pk}/"):
            response = client.get(url(edition, path))
            assert response.status_code == 403, (user, path)
            assert "Hidden question wording" not in response.content.decode()
        assert client.post(url(edition, f"{secret_question.pk}/"), {
            "kind": "short_text", "label_en": "Taken over"}).status_code == 403
        assert client.post(url(edition, f"{secret_question.pk}/move/"), {"direction": "up"}).status_code == 403
        assert client.post(url(edition, f"{secret_question.pk}/remove/")).status_code == 403
        client.logout()
    secret_question.refresh_from_db()
    assert (secret_question.label_en, secret_question.position, secret_question.retired_at) == (
        "Hidden question wording", 50, None)
    login(secretariat)
    response = client.get(url(edition))
    assert response.status_code == 200 and "Hidden question wording" in response.content.decode()


def test_a_question_of_another_edition_is_not_found_through_this_one(client, login, edition, secretariat):
    other = QuestionFactory(label_en="Another edition's question")
    login(secretariat)
    assert client.get(url(edition, f"{other.pk}/")).status_code == 404
    assert client.post(url(edition, f"{other.pk}/remove/")).status_code == 404
    assert Question.objects.filter(pk=other.pk, retired_at__isnull=True).exists()


@pytest.mark.parametrize("extra", [0, 30])
def test_the_builder_reads_a_fixed_number_of_queries(client, login, edition, secretariat, extra,
                                                    django_assert_num_queries):
    form_questions_ensure(edition=edition)
    for number in range(extra):
        QuestionFactory(edition=edition, kind=Kind.CHOICE, choices_en="A\nB", condition_key="summary",
                        condition_value="x", category=edition.categories.first())
    login(secretariat)
    # the session, the user, the edition with the roles (the gate, as every secretariat page), then one query for
    # the questions with their categories and answer counts
    with django_assert_num_queries(6):
        response = client.get(url(edition))
    assert response.status_code == 200
    assert response.content.decode().count('class="question-card') == 8 + extra


def test_an_edition_without_a_form_shows_the_default_and_saves_it_on_request(client, login, edition, secretariat):
    login(secretariat)
    body = client.get(url(edition)).content.decode()
    assert "Use the default form and edit it" in body
    assert not Question.objects.filter(edition=edition).exists()
    client.post(url(edition, "start/"))
    assert Question.objects.filter(edition=edition).count() == 8


def test_adding_a_conditional_choice_question_in_both_languages(client, login, edition, secretariat):
    form_questions_ensure(edition=edition)
    login(secretariat)
    response = client.post(url(edition, "new/"), {
        "kind": "choice", "label_en": "Partners abroad?", "label_ko": "해외 협력 기관이 있습니까?",
        "choices_en": "Yes\nNo", "choices_ko": "예\n아니요", "required": "on",
        "condition_key": "", "condition_operator": "equals", "currency": "USD",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    asked = Question.objects.get(edition=edition, key="partners_abroad")
    response = client.post(url(edition, "new/"), {
        "kind": "short_text", "label_en": "Which countries?", "max_chars": "200", "currency": "USD",
        "condition_key": "partners_abroad", "condition_operator": "equals", "condition_value": "Yes",
    })
    assert response.status_code == 302
    shown = Question.objects.get(edition=edition, key="which_countries")
    assert (shown.condition_key, shown.position) == ("partners_abroad", asked.position + 1)
    assert (asked.label_ko, asked.choice_list("ko")) == ("해외 협력 기관이 있습니까?", ["예", "아니요"])
    assert AuditEntry.objects.filter(action="question.create").count() == 2
    with translation.override("ko"):
        body = client.get(url(edition), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "해외 협력 기관이 있습니까?" in body


def test_bad_input_keeps_what_was_typed_and_says_what_is_wrong(client, login, edition, secretariat):
    form_questions_ensure(edition=edition)
    login(secretariat)
    response = client.post(url(edition, "new/"), {
        "kind": "number", "label_en": "Population served", "min_value": "10", "max_value": "5", "currency": "USD",
        "condition_key": "summary", "condition_operator": "equals", "condition_value": "",
    })
    body = response.content.decode()
    assert response.status_code == 200
    assert "Give the value that shows this question." in body
    assert 'value="Population served"' in body
    assert not Question.objects.filter(edition=edition, key="population_served").exists()


def test_editing_an_answered_question_makes_a_new_version(client, login, edition, secretariat, draft):
    summary = Question.objects.get(edition=edition, key="summary")
    login(secretariat)
    body = client.get(url(edition, f"{summary.pk}/")).content.decode()
    assert "This question already has answers" in body
    response = client.post(url(edition, f"{summary.pk}/"), {
        "kind": "long_text", "label_en": "Summary, in two sentences", "max_chars": "400", "required": "on",
        "currency": "USD", "condition_operator": "equals",
    })
    assert response.status_code == 302
    new = Question.objects.get(edition=edition, key="summary", retired_at__isnull=True)
    assert (new.version, new.label_en) == (2, "Summary, in two sentences")
    assert Answer.objects.get(application=draft, question__key="summary").question_id == summary.pk


def test_the_move_buttons_reorder_and_the_remove_button_removes(client, login, edition, secretariat):
    questions = form_questions_ensure(edition=edition)
    login(secretariat)
    body = client.get(url(edition)).content.decode()
    assert 'aria-label="Move down: Summary"' in body
    client.post(url(edition, f"{questions[0].pk}/move/"), {"direction": "down"})
    order = list(Question.objects.filter(edition=edition).order_by("position").values_list("key", flat=True))
    assert order[:2] == ["problem", "summary"]
    client.post(url(edition, f"{questions[1].pk}/remove/"))
    assert not Question.objects.filter(pk=questions[1].pk).exists()

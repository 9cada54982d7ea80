"""Questions shown only when an earlier answer says so; a form changed after answers exist; the snapshot."""

import pytest
from django.core.exceptions import ValidationError

from portal.models import AuditEntry
from submissions import services
from submissions.answers import visible_questions
from submissions.models import Answer, Question
from submissions.selectors import application_answer_values, application_questions
from submissions.services.questions import question_delete, question_move, question_save

Kind = Question.Kind


@pytest.fixture
def conditional(add_question):
    """"Do you work with partners abroad?" (yes/no), then "Which countries?" shown only on "Yes"."""
    asked = add_question(key="abroad", kind=Kind.CHOICE, label_en="Partners abroad?", choices_en="Yes\nNo")
    shown = add_question(key="abroad_where", kind=Kind.SHORT_TEXT, label_en="Which countries?", required=True,
                         condition_key="abroad", condition_operator="equals", condition_value="Yes")
    return asked, shown


def test_a_hidden_question_is_not_required_and_a_shown_one_is(draft, owner, conditional):
    draft.refresh_from_db()
    services.application_save_draft(application=draft, user=owner, data={"abroad": "No"})
    assert "abroad_where" not in services.application_submission_errors(draft)
    services.application_save_draft(application=draft, user=owner, data={"abroad": "Yes"})
    assert services.application_submission_errors(draft) == {"abroad_where": ["Which countries? is required."]}


def test_the_stale_answer_of_a_question_hidden_again_is_dropped_and_not_submitted(draft, owner, conditional):
    draft.refresh_from_db()
    services.application_save_draft(application=draft, user=owner, data={"abroad": "Yes", "abroad_where": "Kenya"})
    assert application_answer_values(application=draft)["abroad_where"] == "Kenya"
    services.application_save_draft(application=draft, user=owner, data={"abroad": "No", "abroad_where": "Kenya"})
    assert "abroad_where" not in application_answer_values(application=draft)
    assert not Answer.objects.filter(application=draft, question__key="abroad_where").exists()
    snapshot = services.application_submit(application=draft, user=owner)
    assert [item["key"] for item in snapshot.data["answers"]][-1] == "abroad"
    assert "abroad_where" not in snapshot.data


def test_contains_on_a_multiple_choice_and_a_chain_of_conditions(draft, owner, add_question):
    add_question(key="themes", kind=Kind.MULTIPLE_CHOICE, label_en="Themes", choices_en="Water\nEnergy")
    add_question(key="water_users", kind=Kind.NUMBER, label_en="Water users", condition_key="themes",
                 condition_operator="contains", condition_value="water")
    add_question(key="water_proof", kind=Kind.URL, label_en="Water report", condition_key="water_users",
                 condition_operator="equals", condition_value="0")
    draft.refresh_from_db()

    def shown():
        return [question.key for question in visible_questions(
            application_questions(application=draft), application_answer_values(application=draft))]

    services.application_save_draft(application=draft, user=owner, data={"themes": ["Energy"]})
    assert shown()[-1] == "themes" and "water_users" not in shown()
    services.application_save_draft(application=draft, user=owner, data={"themes": ["Water", "Energy"],
                                                                        "water_users": "0"})
    assert shown()[-3:] == ["themes", "water_users", "water_proof"]
    # The middle question hidden again hides the one that depends on it, whatever its own condition says.
    services.application_save_draft(application=draft, user=owner, data={"themes": ["Energy"]})
    assert shown()[-1] == "themes" and "water_proof" not in shown()
    assert not Answer.objects.filter(application=draft, question__key="water_users").exists()


def test_changing_an_answered_question_makes_a_new_version_and_old_answers_stay(draft, owner, edition, secretariat):
    summary = Question.objects.get(edition=edition, key="summary", retired_at__isnull=True)
    old_answer = Answer.objects.get(application=draft, question=summary)
    submitted = services.application_submit(application=draft, user=owner)

    new = question_save(edition=edition, user=secretariat, question=summary,
                        data={"label_en": "Summary for the jury", "max_chars": 300})
    assert (new.pk != summary.pk, new.key, new.version, new.position) == (True, "summary", 2, summary.position)
    summary.refresh_from_db()
    assert summary.retired_at is not None and summary.label_en == "Summary"
    old_answer.refresh_from_db()
    assert (old_answer.question_id, old_answer.value) == (summary.pk, "summary text")
    submitted.refresh_from_db()
    assert submitted.data["answers"][0]["label_en"] == "Summary" and submitted.data["answers"][0]["version"] == 1
    assert AuditEntry.objects.filter(action="question.version").count() == 1

    # The draft, reopened, shows its answer under the new wording; submitting writes it against version 2.
    services.application_reopen(application=draft, user=owner)
    draft.refresh_from_db()
    assert application_answer_values(application=draft)["summary"] == "summary text"
    second = services.application_submit(application=draft, user=owner)
    assert second.data["answers"][0]["label_en"] == "Summary for the jury"
    assert Answer.objects.filter(application=draft, question__key="summary").count() == 2


def test_an_unanswered_question_changes_in_place(edition, secretariat, add_question):
    question = add_question(key="website", kind=Kind.URL, label_en="Website")
    changed = question_save(edition=edition, user=secretariat, question=question, data={"label_en": "Web page"})
    assert (changed.pk, changed.version, changed.label_en) == (question.pk, 1, "Web page")


def test_moving_questions_and_the_order_a_condition_needs(edition, secretariat, conditional):
    asked, shown = conditional
    with pytest.raises(ValidationError, match="depends on an earlier question"):
        question_move(edition=edition, user=secretariat, question=shown, offset=-1)
    last_default = Question.objects.get(edition=edition, key="partners")
    question_move(edition=edition, user=secretariat, question=last_default, offset=1)
    order = list(Question.objects.filter(edition=edition, retired_at__isnull=True)
                 .order_by("position").values_list("key", flat=True))
    assert order[-3:] == ["abroad", "partners", "abroad_where"]


def test_removing_an_answered_question_retires_it_and_a_condition_keeps_its_question(draft, edition, secretariat,
                                                                                     conditional):
    asked, shown = conditional
    with pytest.raises(ValidationError, match="is the condition of"):
        question_delete(edition=edition, user=secretariat, question=asked)
    partners = Question.objects.get(edition=edition, key="partners")
    question_delete(edition=edition, user=secretariat, question=partners)
    partners.refresh_from_db()
    assert partners.retired_at is not None and Answer.objects.filter(question=partners).count() == 1
    question_delete(edition=edition, user=secretariat, question=shown)
    assert not Question.objects.filter(pk=shown.pk).exists()


def test_a_question_of_another_category_is_not_asked(draft, owner, edition, add_question):
    from tests.factories import CategoryFactory

    other = CategoryFactory(edition=edition)
    add_question(key="other_only", kind=Kind.SHORT_TEXT, label_en="Only there", required=True, category=other)
    draft.refresh_from_db()
    assert "other_only" not in [q.key for q in application_questions(application=draft)]
    assert services.application_submission_errors(draft) == {}


def test_a_key_cannot_be_reused_or_take_a_fixed_field_name(edition, secretariat, add_question):
    add_question(key="website", kind=Kind.URL)
    with pytest.raises(ValidationError):
        question_save(edition=edition, user=secretariat, data={"key": "website", "label_en": "Again"})
    with pytest.raises(ValidationError):
        question_save(edition=edition, user=secretariat, data={"key": "title", "label_en": "Title again"})

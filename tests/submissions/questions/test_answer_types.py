"""Each question type is validated on the server: valid values pass, invalid ones and values past a limit fail."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from submissions import services
from submissions.forms.answers import answer_field
from submissions.forms.applicant import ApplicationDraftForm
from submissions.models import Answer, Question
from submissions.selectors import application_answer_values, application_questions
from tests.factories import make_pdf

Kind = Question.Kind


def question(kind, **fields):
    made = Question(key="q", kind=kind, required=True, **fields)
    made.label_en, made.label_ko = "The question", "질문"
    return made


def cleaned(q, value):
    return answer_field(q, strict=True).clean(value)


@pytest.mark.parametrize("kind, fields, valid, expected, invalid", [
    (Kind.SHORT_TEXT, {"max_chars": 5}, "abcde", "abcde", "abcdef"),
    (Kind.SHORT_TEXT, {}, "x" * 300, "x" * 300, "x" * 301),  # a short text's default limit
    (Kind.LONG_TEXT, {"max_chars": 10}, "ten chars.", "ten chars.", "eleven chars"),
    (Kind.NUMBER, {"min_value": Decimal(1), "max_value": Decimal(10)}, "2.5", Decimal("2.5"), "11"),
    (Kind.NUMBER, {}, "-4", Decimal(-4), "four"),
    (Kind.MONEY, {"currency": "KRW"}, "250000", Decimal(250000), "-1"),  # an amount is never negative
    (Kind.MONEY, {"max_value": Decimal(100)}, "99.99", Decimal("99.99"), "1,000"),
    (Kind.DATE, {}, "2026-05-31", datetime.date(2026, 5, 31), "31/05/2026"),
    (Kind.CHOICE, {"choices_en": "Pilot\nScaled"}, "Scaled", "Scaled", "Concept"),
    (Kind.MULTIPLE_CHOICE, {"choices_en": "Water\nEnergy\nMobility"}, ["Water", "Mobility"], ["Water", "Mobility"],
     ["Water", "Air"]),
    (Kind.COUNTRY, {}, "KR", "KR", "XX"),
    (Kind.URL, {}, "https://example.org/a", "https://example.org/a", "not a web address"),
    (Kind.CONSENT, {}, True, True, False),  # a required consent must be given
])
def test_each_type_takes_a_valid_value_and_refuses_an_invalid_one(kind, fields, valid, expected, invalid):
    q = question(kind, **fields)
    assert cleaned(q, valid) == expected
    with pytest.raises(ValidationError):
        cleaned(q, invalid)


@pytest.mark.parametrize("kind", [Kind.SHORT_TEXT, Kind.LONG_TEXT, Kind.NUMBER, Kind.DATE, Kind.CHOICE,
                                  Kind.MULTIPLE_CHOICE, Kind.COUNTRY, Kind.URL, Kind.CONSENT])
def test_a_required_question_must_be_answered_and_an_optional_one_need_not(kind):
    q = question(kind, choices_en="One\nTwo")
    with pytest.raises(ValidationError):
        cleaned(q, [] if kind == Kind.MULTIPLE_CHOICE else "")
    q.required = False
    assert cleaned(q, [] if kind == Kind.MULTIPLE_CHOICE else "") in ("", [], None, False)


def test_a_file_question_checks_its_types_and_size():
    q = question(Kind.FILE, file_types=["pdf"], max_file_mb=1)
    field = answer_field(q, strict=True)
    assert field.clean(SimpleUploadedFile("plan.pdf", make_pdf(1))).name == "plan.pdf"
    with pytest.raises(ValidationError, match="not allowed"):
        field.clean(SimpleUploadedFile("plan.docx", b"PK\x03\x04"))
    with pytest.raises(ValidationError, match="at most 1.0"):
        field.clean(SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 1)))
    # A stored answer reads back as given.
    assert field.clean({"attachment_id": 3, "name": "plan.pdf"}) == {"attachment_id": 3, "name": "plan.pdf"}


def test_a_choice_is_shown_in_korean_and_stored_as_the_english_line():
    from django.utils import translation

    q = question(Kind.CHOICE, choices_en="Pilot\nScaled", choices_ko="시범\n확산")
    with translation.override("ko"):
        assert answer_field(q).choices == [("Pilot", "시범"), ("Scaled", "확산")]


def test_a_draft_keeps_parsable_values_and_reports_unparsable_ones_beside_their_field(draft, owner, add_question):
    add_question(key="budget_local", kind=Kind.MONEY, label_en="Budget in won", currency="KRW")
    add_question(key="started", kind=Kind.DATE, label_en="Started on")
    draft.refresh_from_db()  # as a new request would read it
    questions = application_questions(application=draft)
    form = ApplicationDraftForm({"budget_local": "1,000", "started": "2025-04-01"}, questions=questions)
    form.is_valid()
    assert list(form.errors) == ["budget_local"]
    services.application_save_draft(application=draft, user=owner, data=form.draft_data())
    values = application_answer_values(application=draft)
    assert values["started"] == "2025-04-01" and "budget_local" not in values
    assert Answer.objects.get(application=draft, question__key="started").value == "2025-04-01"


def test_submission_checks_stored_answers_by_their_type_and_names_the_field(draft, owner, add_question):
    add_question(key="population", kind=Kind.NUMBER, label_en="Population", max_value=Decimal(1000), required=True)
    add_question(key="consent", kind=Kind.CONSENT, label_en="We agree to the rules", required=True)
    draft.refresh_from_db()
    services.application_save_draft(application=draft, user=owner, data={"population": Decimal(5000)})
    errors = services.application_submission_errors(draft)
    assert errors["population"] == ["Population: Ensure this value is less than or equal to 1000."]
    assert errors["consent"] == ["We agree to the rules must be accepted."]
    services.application_save_draft(application=draft, user=owner, data={"population": Decimal(900),
                                                                        "consent": True})
    assert services.application_submission_errors(draft) == {}


def test_a_long_text_over_its_limit_is_saved_as_a_draft_and_refused_on_submission(draft, owner):
    services.application_save_draft(application=draft, user=owner, data={"summary": "x" * 601})
    assert len(application_answer_values(application=draft)["summary"]) == 601
    assert services.application_submission_errors(draft)["summary"] == [
        "Summary has 601 characters; at most 600 are allowed."]

"""Answers where people read them: the applicant's edit page (one query count for any number of questions), the
screening list's search, the screening export and the applicant's own page, in English and Korean."""

import csv
import io

import pytest

from submissions import services
from submissions.models import Question
from tests.factories import EditionRoleFactory, QuestionFactory

pytestmark = pytest.mark.django_db

Kind = Question.Kind


@pytest.mark.parametrize("extra", [1, 25])
def test_the_edit_page_reads_a_fixed_number_of_queries_for_any_number_of_questions(
        client, login, draft, owner, edition, extra, django_assert_num_queries):
    for number in range(extra):
        QuestionFactory(edition=edition, kind=[Kind.SHORT_TEXT, Kind.CHOICE, Kind.MONEY][number % 3],
                        choices_en="A\nB", condition_key="summary" if number % 2 else "", condition_value="x")
    login(owner)
    url = f"/applications/{draft.pk}/edit/"
    client.get(url)
    with django_assert_num_queries(EDIT_PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('data-show-if="summary"') == extra // 2


# session, user, application (with edition, category, organisation), membership (the rule), questions,
# answers, attachments, the entry-limit count, the edition's data protection text (the consent box), and the page's
# shared parts. A GET does not read the application again (nor, after it, its edition, category and organisation).
EDIT_PAGE_QUERIES = 10


def test_the_edit_page_asks_in_korean_with_the_conditions_for_the_script(client, login, draft, owner, add_question):
    add_question(key="abroad", kind=Kind.CHOICE, label_en="Partners abroad?", label_ko="해외 협력 기관?",
                 choices_en="Yes\nNo", choices_ko="예\n아니요")
    add_question(key="where", kind=Kind.SHORT_TEXT, label_en="Where?", label_ko="어디입니까?",
                 condition_key="abroad", condition_value="Yes")
    login(owner)
    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    body = client.get(f"/applications/{draft.pk}/edit/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "해외 협력 기관?" in body and "아니요" in body and 'value="No"' in body
    assert 'data-show-if="abroad" data-show-op="equals" data-show-value="Yes"' in body


def test_the_screening_search_finds_words_in_answers(client, login, draft, owner, edition, add_question):
    add_question(key="city_partner", kind=Kind.SHORT_TEXT, label_en="Partner city")
    draft.refresh_from_db()
    services.application_save_draft(application=draft, user=owner, data={"city_partner": "Nairobi 수원"})
    services.application_submit(application=draft, user=owner)
    login(EditionRoleFactory(edition=edition, role="secretariat").user)
    url = f"/e/{edition.slug}/screening/"
    assert "A project" in client.get(url, {"q": "수원"}).content.decode()
    assert "A project" in client.get(url, {"q": "nairobi"}).content.decode()
    assert "A project" not in client.get(url, {"q": "Mombasa"}).content.decode()


def test_the_export_has_a_column_per_question_with_its_answer_as_read(client, login, draft, owner, edition,
                                                                     add_question):
    add_question(key="started", kind=Kind.DATE, label_en="Started on")
    add_question(key="themes", kind=Kind.MULTIPLE_CHOICE, label_en="Themes", choices_en="Water\nEnergy")
    add_question(key="heading", kind=Kind.HEADING, label_en="About you")
    draft.refresh_from_db()
    services.application_save_draft(application=draft, user=owner, data={"started": "2025-04-01",
                                                                        "themes": ["Water", "Energy"]})
    services.application_submit(application=draft, user=owner)
    login(EditionRoleFactory(edition=edition, role="secretariat").user)
    response = client.get(f"/e/{edition.slug}/screening/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header, row = rows[0], rows[1]
    assert "About you" not in header  # a heading is no column
    assert row[header.index("Started on")] == "1 April 2025"
    assert row[header.index("Themes")] == "Water, Energy"
    assert row[header.index("Summary")] == "summary text"


def test_the_applicant_reads_their_submitted_answers(client, login, draft, owner, add_question):
    add_question(key="website", kind=Kind.URL, label_en="Website")
    draft.refresh_from_db()
    services.application_save_draft(application=draft, user=owner, data={"website": "https://smallville.example"})
    services.application_submit(application=draft, user=owner)
    login(owner)
    body = client.get(f"/applications/{draft.pk}/").content.decode()
    assert '<a href="https://smallville.example" rel="noopener noreferrer nofollow">' in body
    assert "summary text" in body

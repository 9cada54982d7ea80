"""CSV and XLSX exports of the screening list: the same rows as the filtered list, Korean intact."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import ApplicationFactory, CategoryFactory, EditionFactory, EditionRoleFactory, OrganisationFactory
from tests.factories.submissions import AttachmentFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "ID", "Title", "Category", "Organisation", "Kind", "Country", "City", "Population band", "Development stage",
    "Status", "Submitted at (Asia/Seoul)", "Attachments", "Screening reason",
    # The answers: budget, the form's default sections in order, links.
    "Budget (US dollars)", "Summary", "Problem", "Solution", "Evidence of impact", "Inclusiveness", "Scalability",
    "Budget and resources", "Partners", "Links",
]
# The factory's answers, read from the application itself when no snapshot is on record.
ANSWERS = ["", "A short summary.", "The problem.", "The solution.", "Measured impact.", "Who benefits.",
           "How it scales.", "Budget and people.", "Partners.", "https://example.org/project"]


@pytest.fixture
def edition():
    return EditionFactory(time_zone="Asia/Seoul", slug="seoul-2026")


@pytest.fixture
def rows(edition):
    """Two human-centric entries (one Korean, one with a formula-like title) and one of another category."""
    human = CategoryFactory(edition=edition, name="Human-centric", slug="human-centric", position=0)
    tech = CategoryFactory(edition=edition, name="Tech-innovative", slug="tech-innovative", position=1)
    korean = ApplicationFactory(
        edition=edition, category=human, status="ineligible", stage="pilot", title="어르신을 위한 스마트 돌봄",
        screening_reason="서울 외 지역", submitted_at=datetime(2026, 3, 1, 15, 30, tzinfo=UTC),
        organisation=OrganisationFactory(name="서울특별시", kind="city", country="KR", city="Seoul",
                                         population_band="gt5m"),
    )
    AttachmentFactory.create_batch(2, application=korean)
    formula = ApplicationFactory(
        edition=edition, category=human, status="submitted", stage="scaled", title="=HYPERLINK(\"http://x\")",
        submitted_at=datetime(2026, 3, 2, 0, 0, tzinfo=UTC),
        organisation=OrganisationFactory(name="Zeta Labs", kind="company", country="KE", city="Nairobi",
                                         population_band="na"),
    )
    ApplicationFactory(edition=edition, category=tech, status="submitted", title="Not in the filter")
    ApplicationFactory(edition=edition, category=human, status="draft", title="A draft")
    return korean, formula


def _csv_rows(response) -> list[list[str]]:
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_has_the_rows_of_the_filtered_list(client, login, edition, rows):
    korean, formula = rows
    login(EditionRoleFactory(edition=edition, role="secretariat").user)
    listed = client.get(f"/e/{edition.slug}/screening/?category=human-centric")
    response = client.get(f"/e/{edition.slug}/screening/export.csv?category=human-centric")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="seoul-2026-screening-')
    exported = _csv_rows(response)
    assert exported[0] == HEADER
    assert [int(row[0]) for row in exported[1:]] == [a.pk for a in listed.context["page"].object_list]
    assert exported[1:] == [  # by number, as the list
        [str(korean.pk), "어르신을 위한 스마트 돌봄", "Human-centric", "서울특별시", "City or district", "South Korea",
         "Seoul", "over 5 million", "Pilot", "Ineligible", "2026-03-02 00:30", "2", "서울 외 지역", *ANSWERS],
        [str(formula.pk), "'=HYPERLINK(\"http://x\")", "Human-centric", "Zeta Labs", "Company", "Kenya", "Nairobi",
         "not applicable", "Scaled", "Submitted", "2026-03-02 09:00", "0", "", *ANSWERS],
    ]


def test_xlsx_has_the_rows_of_the_filtered_list(client, login, edition, rows):
    korean, formula = rows
    login(EditionRoleFactory(edition=edition, role="chair").user)
    response = client.get(f"/e/{edition.slug}/screening/export.xlsx?category=human-centric")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    exported = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert exported == [
        HEADER,
        [korean.pk, "어르신을 위한 스마트 돌봄", "Human-centric", "서울특별시", "City or district", "South Korea",
         "Seoul", "over 5 million", "Pilot", "Ineligible", datetime(2026, 3, 2, 0, 30), 2, "서울 외 지역", None,
         *ANSWERS[1:]],
        [formula.pk, "=HYPERLINK(\"http://x\")", "Human-centric", "Zeta Labs", "Company", "Kenya", "Nairobi",
         "not applicable", "Scaled", "Submitted", datetime(2026, 3, 2, 9, 0), 0, None, None, *ANSWERS[1:]],
    ]
    # Text, not a formula Excel would run.
    assert sheet.cell(row=3, column=2).data_type == "s"


def test_exports_without_filters_list_every_submitted_application(client, login, edition, rows):
    login(EditionRoleFactory(edition=edition, role="observer").user)
    exported = _csv_rows(client.get(f"/e/{edition.slug}/screening/export.csv"))
    assert sorted(row[1] for row in exported[1:]) == sorted(
        ["어르신을 위한 스마트 돌봄", "'=HYPERLINK(\"http://x\")", "Not in the filter"]
    )


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_exports_refuse_judges_and_other_editions(client, login, edition, rows, extension):
    for user in (EditionRoleFactory(edition=edition, role="judge").user, EditionRoleFactory(role="secretariat").user):
        login(user)
        response = client.get(f"/e/{edition.slug}/screening/export.{extension}")
        assert response.status_code == 403
        assert "어르신을 위한 스마트 돌봄" not in response.content.decode()
        client.logout()


def test_the_streamed_csv_keeps_the_request_language(client, login, edition, rows):
    login(EditionRoleFactory(edition=edition, role="secretariat").user)
    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    exported = _csv_rows(client.get(f"/e/{edition.slug}/screening/export.csv?category=human-centric"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert [row[4] for row in exported[1:]] == ["도시 또는 자치구", "기업"]


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
@pytest.mark.parametrize("entries", [1, 30])
def test_exports_cost_the_same_queries_for_one_and_many_entries(client, login, edition, extension, entries,
                                                               django_assert_num_queries):
    category = CategoryFactory(edition=edition)
    for _ in range(entries):
        AttachmentFactory(application=ApplicationFactory(edition=edition, category=category, status="submitted"))
    ApplicationFactory(status="submitted", title="Submitted to another edition")
    login(EditionRoleFactory(edition=edition, role="secretariat").user)
    url = f"/e/{edition.slug}/screening/export.{extension}"
    client.get(f"/e/{edition.slug}/screening/")  # warm the session
    # 7 as before the answers (the edition read with the roles), + the form's questions (once) + the snapshots and
    # the answers (one prefetch each per chunk of 500 rows).
    with django_assert_num_queries(10):
        response = client.get(url)
        content = b"".join(response.streaming_content) if response.streaming else response.content
    if extension == "csv":
        exported = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        exported = [list(row) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]
    assert len(exported) == 1 + entries
    assert "Submitted to another edition" not in [row[1] for row in exported]


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_exports_carry_every_answer_of_the_latest_submission_in_the_forms_order(client, login, edition, extension):
    """The edition's own questions (labels and order), read from the latest snapshot, not from the draft as it is
    now."""
    from submissions.models import Answer, Question
    from tests.factories import ApplicationSnapshotFactory
    from tests.factories.submissions import snapshot_data

    application = ApplicationFactory(edition=edition, status="submitted", summary="First summary", budget_usd=1200)
    questions = Question.objects.filter(edition=edition)
    questions.filter(key="solution").update(label_en="How it works", position=0)
    questions.filter(key="summary").update(position=1)
    questions.exclude(key__in=["summary", "solution"]).update(retired_at=timezone.now())
    application.refresh_from_db()
    ApplicationSnapshotFactory(application=application, number=1, data=snapshot_data(application))

    def answer(key, value):
        Answer.objects.filter(application=application, question__key=key).update(value=value)

    answer("summary", "Second summary")
    answer("solution", "Sensors, =SUM(1)")
    application.budget_usd = 5000
    application.links = "https://a.example\nhttps://b.example"
    application.save()
    ApplicationSnapshotFactory(application=application, number=2, data=snapshot_data(application))
    answer("summary", "Edited after submission")
    login(EditionRoleFactory(edition=edition, role="secretariat").user)
    response = client.get(f"/e/{edition.slug}/screening/export.{extension}")
    if extension == "csv":
        exported = _csv_rows(response)
        expected = ["5000", "Sensors, =SUM(1)", "Second summary", "https://a.example\nhttps://b.example"]
    else:
        exported = [list(row) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
        expected = [5000, "Sensors, =SUM(1)", "Second summary", "https://a.example\nhttps://b.example"]
    assert exported[0][13:] == ["Budget (US dollars)", "How it works", "Summary", "Links"]
    assert exported[1][13:] == expected

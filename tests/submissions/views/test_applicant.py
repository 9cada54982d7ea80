"""The applicant's pages: who may open them, starting a draft, the dashboard, detail and preview."""

from datetime import timedelta

import pytest
from django.utils import timezone

from submissions import services
from submissions.models import Answer, Application, StatusChange
from tests.factories import EditionFactory, EditionRoleFactory, MembershipFactory, VerifiedUserFactory
from tests.factories.submissions import ApplicationFactory, AttachmentFactory, CategoryFactory

pytestmark = pytest.mark.django_db

READ_PAGES = ["detail", "preview"]
CHANGE_PAGES = ["edit", "reopen", "withdraw"]


@pytest.fixture
def application():
    """A draft of 'Alpha Town', whose owner is `application.owner`."""
    membership = MembershipFactory(organisation__name="Alpha Town")
    app = ApplicationFactory(organisation=membership.organisation, title="Alpha secret project",
                             summary="Alpha's private summary")
    app.owner = membership.user
    return app


def _url(page: str, application: Application) -> str:
    return {
        "detail": f"/applications/{application.pk}/",
        "edit": f"/applications/{application.pk}/edit/",
        "preview": f"/applications/{application.pk}/preview/",
        "reopen": f"/applications/{application.pk}/reopen/",
        "withdraw": f"/applications/{application.pk}/withdraw/",
    }[page]


# --- who may open what ---------------------------------------------------------------------------------

@pytest.mark.parametrize("page", READ_PAGES + CHANGE_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, application, page):
    response = client.get(_url(page, application))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


@pytest.mark.parametrize("page", READ_PAGES + CHANGE_PAGES)
def test_members_open_every_page(client, login, application, page):
    login(application.owner)
    assert client.get(_url(page, application)).status_code == 200


@pytest.mark.parametrize("page", READ_PAGES + CHANGE_PAGES)
def test_a_member_of_another_organisation_gets_403_and_sees_nothing_of_it(client, login, application, page):
    login(MembershipFactory(organisation__name="Beta City").user)
    response = client.get(_url(page, application))
    body = response.content.decode()
    assert response.status_code == 403
    assert "Only members of the organisation that owns this application" in body
    assert "Alpha" not in body


@pytest.mark.parametrize("page", READ_PAGES + CHANGE_PAGES)
def test_a_judge_of_the_edition_is_refused(client, login, application, page):
    login(EditionRoleFactory(edition=application.edition, role="judge").user)
    response = client.get(_url(page, application))
    assert response.status_code == 403
    assert "Alpha" not in response.content.decode()


@pytest.mark.parametrize(
    ("page", "status"), [(page, 200) for page in READ_PAGES] + [(page, 403) for page in CHANGE_PAGES]
)
def test_the_secretariat_reads_but_does_not_change(client, login, application, page, status):
    login(EditionRoleFactory(edition=application.edition, role="secretariat").user)
    assert client.get(_url(page, application)).status_code == status


@pytest.mark.parametrize("page", READ_PAGES)
def test_the_secretariat_of_another_edition_is_refused(client, login, application, page):
    login(EditionRoleFactory(role="secretariat").user)
    assert client.get(_url(page, application)).status_code == 403


def test_an_unknown_application_is_a_404(client, login, application):
    login(application.owner)
    assert client.get("/applications/999999/").status_code == 404


# --- starting an application ---------------------------------------------------------------------------

def test_apply_without_an_organisation_sends_me_to_create_one(client, login):
    login(VerifiedUserFactory())
    response = client.get("/apply/", follow=True)
    assert response.redirect_chain == [("/organisations/new/", 302)]
    assert "Create your organisation first" in response.content.decode()


def test_apply_page_lists_open_editions_their_categories_and_my_organisations(client, login):
    membership = MembershipFactory(organisation__name="My Town")
    MembershipFactory(organisation__name="Not Mine Town")
    category = CategoryFactory(name="Human-centric", description="Residents first.", allowed_kinds=["city", "ngo"],
                               edition__name="Open Prize")
    CategoryFactory(name="Secret Draft Category", edition__state="draft")
    login(membership.user)
    response = client.get("/apply/")
    body = response.content.decode()
    assert response.status_code == 200
    assert [edition.name for edition in response.context["editions"]] == ["Open Prize"]
    assert list(response.context["form"].fields["organisation"].queryset) == [membership.organisation]
    assert "Human-centric" in body and "Residents first." in body and "City or district, NGO" in body
    assert "Secret Draft Category" not in body and "Not Mine Town" not in body
    assert f'value="{category.pk}"' in body


def test_choosing_organisation_and_category_creates_a_draft_and_opens_it(client, login):
    membership = MembershipFactory()
    category = CategoryFactory()
    login(membership.user)
    response = client.post("/apply/", {"organisation": membership.organisation.pk, "category": category.pk})
    application = Application.objects.get()
    assert response.status_code == 302
    assert response.url == f"/applications/{application.pk}/edit/"
    assert (application.organisation, application.category, application.status) == (
        membership.organisation, category, "draft")
    assert list(StatusChange.objects.values_list("to_status", flat=True)) == ["draft"]


def test_a_category_that_does_not_admit_my_kind_is_refused_beside_the_category(client, login):
    membership = MembershipFactory(organisation__kind="company")
    category = CategoryFactory(name="Cities only", allowed_kinds=["city"])
    login(membership.user)
    response = client.post("/apply/", {"organisation": membership.organisation.pk, "category": category.pk})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "category": ["Cities only does not admit organisations of the kind “Company”."]
    }
    radio = f'value="{category.pk}" id="category-{category.pk}" aria-describedby="category-{category.pk}-about" checked'
    assert radio in response.content.decode()
    assert Application.objects.count() == 0


def test_the_entry_limit_is_refused_with_a_clear_message(client, login):
    membership = MembershipFactory(organisation__name="Busy Town")
    category = CategoryFactory(name="Tech", max_entries_per_organisation=1)
    ApplicationFactory(organisation=membership.organisation, edition=category.edition, category=category)
    login(membership.user)
    response = client.post("/apply/", {"organisation": membership.organisation.pk, "category": category.pk})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "category": ["Busy Town already has 1 entry in Tech, the most allowed."]
    }
    assert Application.objects.count() == 1


def test_a_closed_call_is_refused_at_the_top_of_the_form(client, login):
    membership = MembershipFactory()
    category = CategoryFactory(edition__closes_at=timezone.now() - timedelta(seconds=1))
    login(membership.user)
    response = client.post("/apply/", {"organisation": membership.organisation.pk, "category": category.pk})
    assert response.status_code == 200
    [message] = response.context["form"].non_field_errors()
    assert message.startswith("The call closed on ")
    assert Application.objects.count() == 0


def test_applying_for_someone_elses_organisation_is_refused(client, login):
    mine = MembershipFactory()
    theirs = MembershipFactory(organisation__name="Their Town").organisation
    category = CategoryFactory()
    login(mine.user)
    response = client.post("/apply/", {"organisation": theirs.pk, "category": category.pk})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "organisation": ["You can apply only for an organisation you belong to."]
    }
    assert Application.objects.count() == 0


# --- the applicant dashboard ---------------------------------------------------------------------------

def test_my_applications_needs_login(client):
    response = client.get("/applications/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_my_applications_lists_only_my_organisations_with_status_missing_and_deadline(client, login):
    membership = MembershipFactory(organisation__name="My Town")
    edition = EditionFactory(time_zone="Asia/Seoul", closes_at=timezone.now() + timedelta(days=3, hours=5, minutes=30))
    mine = ApplicationFactory(organisation=membership.organisation, edition=edition, title="My project", summary="")
    ApplicationFactory(title="Their project")
    login(membership.user)
    response = client.get("/applications/")
    body = response.content.decode()
    assert [row["application"] for row in response.context["rows"]] == [mine]
    assert response.context["rows"][0]["missing"] == ["Summary is required."]
    assert "Their project" not in body
    assert "Summary is required." in body
    assert "(Asia/Seoul)" in body and "3\xa0days, 5\xa0hours left" in body


def test_my_applications_shows_the_status_over_time_and_the_screening_reason(client, login):
    membership = MembershipFactory()
    application = ApplicationFactory(organisation=membership.organisation)
    services.application_submit(application=application, user=membership.user)
    services.application_screen(application=application, user=None, eligible=False, reason="Outside the region.")
    login(membership.user)
    response = client.get("/applications/")
    body = response.content.decode()
    history = [change.to_status for change in response.context["rows"][0]["application"].status_changes.all()]
    assert history == ["submitted", "ineligible"]
    assert "Outside the region." in body
    assert response.context["rows"][0]["missing"] == []


def _thirty_applications(organisation, user):
    editions = [EditionFactory(), EditionFactory()]
    for number in range(30):
        application = ApplicationFactory(organisation=organisation, edition=editions[number % 2],
                                         summary="" if number % 3 == 0 else "Filled")
        AttachmentFactory(application=application)
        if number % 3 == 1:
            services.application_submit(application=application, user=user)


@pytest.mark.parametrize("rows", [1, 31])
def test_my_applications_query_count_does_not_grow_with_rows(client, login, django_assert_num_queries, rows):
    membership = MembershipFactory()
    first = ApplicationFactory(organisation=membership.organisation)
    AttachmentFactory(application=first)
    StatusChange.objects.create(application=first, from_status="", to_status="draft")
    if rows > 1:
        _thirty_applications(membership.organisation, membership.user)
    ApplicationFactory(title="Another organisation's entry")  # never listed for this member
    login(membership.user)
    client.get("/applications/")  # warm the session
    # 10, the award decisions of the listed applications (issue 9), and their answers (the form builder; the
    # editions' questions replace their sections)
    with django_assert_num_queries(12):
        response = client.get("/applications/")
    assert len(response.context["rows"]) == min(rows, 25)
    assert response.context["page"].paginator.num_pages == {1: 1, 31: 2}[rows]
    assert "Another organisation&#x27;s entry" not in response.content.decode()
    assert "Another organisation's entry" not in response.content.decode()
    if rows > 1:
        assert len(client.get("/applications/?page=2").context["rows"]) == 6


# --- one application -----------------------------------------------------------------------------------

def test_detail_of_a_draft_shows_what_is_missing(client, login, application):
    Application.objects.filter(pk=application.pk).update(stage="")
    Answer.objects.filter(application=application, question__key="problem").delete()
    login(application.owner)
    response = client.get(f"/applications/{application.pk}/")
    assert response.context["missing"] == ["Problem is required.", "Choose the development stage."]
    body = response.content.decode()
    assert "What is missing to submit" in body and "Problem is required." in body


def test_detail_shows_history_the_latest_snapshot_and_the_screening_reason(client, login, application):
    services.application_submit(application=application, user=application.owner)
    services.application_screen(application=application, user=None, eligible=False, reason="Budget not stated.")
    login(application.owner)
    response = client.get(f"/applications/{application.pk}/")
    body = response.content.decode()
    assert response.context["snapshot"].number == 1
    assert [change.to_status for change in response.context["history"]] == ["submitted", "ineligible"]
    assert "Screening decision" in body and "Budget not stated." in body
    assert "Submission #1" in body and "Alpha&#x27;s private summary" in body
    assert response.context["missing"] == []


def test_preview_shows_the_draft_as_judges_will_read_it(client, login, application):
    AttachmentFactory(application=application, original_name="plan.pdf")
    Application.objects.filter(pk=application.pk).update(
        links="https://alpha.example/project\njavascript:alert(1)", budget_usd=250000)
    login(application.owner)
    response = client.get(f"/applications/{application.pk}/preview/")
    body = response.content.decode()
    content = response.context["content"]
    assert [section["label"] for section in content["sections"]] == [
        "Summary", "Problem", "Solution", "Evidence of impact", "Inclusiveness", "Scalability",
        "Budget and resources", "Partners",
    ]
    assert content["organisation"]["name"] == "Alpha Town"
    assert [attachment["name"] for attachment in content["attachments"]] == ["plan.pdf"]
    assert '<a href="https://alpha.example/project"' in body
    assert 'href="javascript:' not in body
    assert "US$ 250,000" in body
    assert "<textarea" not in body and "<input" not in body.split("</header>")[1]


def test_the_edit_page_loads_the_shared_autosave_before_its_own_script(client, login, application):
    import re

    login(application.owner)
    body = client.get(_url("edit", application)).content.decode()
    scripts = re.findall(r'<script src="/static/([^"]+)" defer></script>', body)
    # Deferred scripts run in document order: application-form.js uses what autosave.js defines.
    assert [s for s in scripts if s != "portal/js/site.js"] == [
        "portal/js/autosave.js", "submissions/js/application-form.js"]


def test_the_applicant_and_the_judges_read_the_content_through_one_partial(client, login, application):
    from django.template.loader import render_to_string

    AttachmentFactory(application=application, original_name="plan.pdf")
    services.application_submit(application=application, user=application.owner)
    login(application.owner)
    for page in ("detail", "preview"):
        response = client.get(_url(page, application))
        names = [template.name for template in response.templates]
        assert names.count("submissions/_snapshot_content.html") == 1
        body = response.content.decode()
        attachment = application.attachments.get()
        assert f'<a href="{attachment_url(attachment)}">plan.pdf</a>' in body
        assert "Alpha Town, " in body  # the organisation, shown to its own members

    # The blind flag withholds the organisation whatever the content holds (the judge's review page sets it).
    content = {"organisation": {"name": "Gwangju Metropolitan City", "city": "Gwangju", "country": "South Korea"},
               "kind": "City", "sections": [], "links": [], "attachments": []}
    seen = render_to_string("submissions/_snapshot_content.html", {"content": content, "blind": False})
    blind = render_to_string("submissions/_snapshot_content.html", {"content": content, "blind": True})
    assert "Gwangju Metropolitan City, Gwangju, South Korea" in seen
    assert "Gwangju" not in blind
    assert "City" in blind  # the kind of organisation stays: it names nobody


def attachment_url(attachment) -> str:
    from django.urls import reverse

    return reverse("submissions:attachment_download", args=[attachment.pk])


@pytest.mark.parametrize(("state", "shown"), [("published", True), ("judging", False), ("open", False)])
def test_the_feedback_link_appears_once_the_edition_is_published(client, login, state, shown):
    from tests.factories import ApplicationFactory, MembershipFactory

    membership = MembershipFactory()
    application = ApplicationFactory(organisation=membership.organisation, status="submitted", edition__state=state)
    login(membership.user)
    body = client.get(f"/applications/{application.pk}/").content.decode()
    assert (f"/scoring/feedback/{application.pk}/" in body) is shown

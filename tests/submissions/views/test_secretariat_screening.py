"""The secretariat's screening list and bulk decisions."""

import pytest

from portal.models import AuditEntry
from submissions.models import Application, StatusChange
from tests.factories import (
    ApplicationFactory,
    CategoryFactory,
    EditionFactory,
    EditionRoleFactory,
    MembershipFactory,
    OrganisationFactory,
)
from tests.factories.submissions import AttachmentFactory, submitted_application

pytestmark = pytest.mark.django_db


def _url(edition, query: str = "") -> str:
    return f"/e/{edition.slug}/screening/" + (f"?{query}" if query else "")


def _listed(response) -> list[int]:
    return [application.pk for application in response.context["page"].object_list]


@pytest.fixture
def edition():
    return EditionFactory(time_zone="Asia/Seoul")


@pytest.fixture
def secretariat(edition):
    return EditionRoleFactory(edition=edition, role="secretariat").user


# --- who may see it ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "status"), [
    ("secretariat", 200), ("chair", 200), ("observer", 200), ("judge", 403),
])
def test_screening_list_by_role(client, login, edition, role, status):
    ApplicationFactory(edition=edition, status="submitted", title="Secret Water Plan")
    login(EditionRoleFactory(edition=edition, role=role).user)
    response = client.get(_url(edition))
    assert response.status_code == status
    assert ("Secret Water Plan" in response.content.decode()) is (status == 200)


def test_applicants_and_other_editions_secretariat_are_refused(client, login, edition):
    application = ApplicationFactory(edition=edition, status="submitted", title="Secret Water Plan")
    applicant = MembershipFactory(organisation=application.organisation).user
    for user in (applicant, EditionRoleFactory(role="secretariat").user):
        login(user)
        response = client.get(_url(edition))
        assert response.status_code == 403
        assert "Secret Water Plan" not in response.content.decode()
        client.logout()
    response = client.get(_url(edition))
    assert (response.status_code, response.url.startswith("/accounts/login/")) == (302, True)


def test_only_the_secretariat_gets_the_decision_form(client, login, edition, secretariat):
    ApplicationFactory(edition=edition, status="submitted")
    login(secretariat)
    body = client.get(_url(edition)).content.decode()
    assert 'name="applications"' in body and 'name="reason"' in body
    client.logout()
    login(EditionRoleFactory(edition=edition, role="observer").user)
    body = client.get(_url(edition)).content.decode()
    assert 'name="applications"' not in body and 'name="reason"' not in body


# --- what it lists -------------------------------------------------------------------------------------------

def test_lists_submitted_applications_of_this_edition_only(client, login, edition, secretariat):
    category = CategoryFactory(edition=edition, position=0)
    submitted = ApplicationFactory(edition=edition, category=category, status="submitted",
                                   organisation__name="A town")
    ineligible = ApplicationFactory(edition=edition, category=category, status="ineligible",
                                    organisation__name="B town")
    ApplicationFactory(edition=edition, category=category, status="draft", title="Unfinished draft")
    ApplicationFactory(status="submitted", title="Other edition's entry")
    login(secretariat)
    response = client.get(_url(edition))
    assert _listed(response) == [submitted.pk, ineligible.pk]
    body = response.content.decode()
    assert "Unfinished draft" not in body and "Other edition's entry" not in body


def test_filters_by_category_country_kind_stage_and_status(client, login, edition, secretariat):
    first = CategoryFactory(edition=edition, slug="human-centric", position=0)
    second = CategoryFactory(edition=edition, slug="tech-innovative", position=1)
    seoul = ApplicationFactory(edition=edition, category=first, status="submitted", stage="pilot",
                               organisation=OrganisationFactory(name="Seoul", country="KR", kind="city"))
    nairobi = ApplicationFactory(edition=edition, category=second, status="eligible", stage="scaled",
                                 organisation=OrganisationFactory(name="Nairobi Lab", country="KE", kind="ngo"))
    lima = ApplicationFactory(edition=edition, category=second, status="ineligible", stage="concept",
                              organisation=OrganisationFactory(name="Lima Tech", country="PE", kind="company"))
    login(secretariat)
    assert _listed(client.get(_url(edition, "category=tech-innovative"))) == [nairobi.pk, lima.pk]  # by number
    assert _listed(client.get(_url(edition, "country=KE"))) == [nairobi.pk]
    assert _listed(client.get(_url(edition, "kind=company"))) == [lima.pk]
    assert _listed(client.get(_url(edition, "stage=pilot"))) == [seoul.pk]
    assert _listed(client.get(_url(edition, "status=eligible"))) == [nairobi.pk]
    assert _listed(client.get(_url(edition, "category=tech-innovative&status=ineligible"))) == [lima.pk]
    response = client.get(_url(edition))
    assert [code for code, _name in response.context["filterset"].filters["country"].extra["choices"]] == [
        "KE", "PE", "KR",  # Kenya, Peru, South Korea: by name
    ]


def test_search_matches_title_or_organisation_in_any_script(client, login, edition, secretariat):
    category = CategoryFactory(edition=edition)
    by_title = ApplicationFactory(edition=edition, category=category, status="submitted", title="스마트 돌봄 서비스")
    by_organisation = ApplicationFactory(edition=edition, category=category, status="submitted",
                                         organisation__name="Flood Watch Busan", title="Rivers")
    ApplicationFactory(edition=edition, category=category, status="submitted", title="Something else")
    login(secretariat)
    assert _listed(client.get(_url(edition, "q=돌봄"))) == [by_title.pk]
    assert _listed(client.get(_url(edition, "q=flood watch"))) == [by_organisation.pk]


def test_pages_of_fifty_keep_the_filters(client, login, edition, secretariat):
    category = CategoryFactory(edition=edition)
    ApplicationFactory.create_batch(55, edition=edition, category=category, status="submitted", stage="pilot")
    login(secretariat)
    response = client.get(_url(edition, "stage=pilot&page=2"))
    assert (len(response.context["page"].object_list), response.context["page"].paginator.num_pages) == (5, 2)
    assert 'href="?stage=pilot&amp;page=1"' in response.content.decode()


@pytest.mark.parametrize("rows", [1, 60])
def test_query_count_does_not_grow_with_rows(client, login, edition, secretariat, django_assert_num_queries, rows):
    category = CategoryFactory(edition=edition)
    AttachmentFactory(application=ApplicationFactory(edition=edition, category=category, status="submitted"))
    for _ in range(rows - 1):
        application = ApplicationFactory(edition=edition, category=category, status="submitted",
                                         organisation__country="KE")
        AttachmentFactory(application=application)
    login(secretariat)
    client.get(_url(edition))  # warm the session and content-type caches
    # The page's rows, then their files counted (one query for the page).
    with django_assert_num_queries(10):
        response = client.get(_url(edition))
    assert len(response.context["page"].object_list) == min(rows, 50)
    assert [application.attachment_count for application in response.context["page"].object_list] == [1] * min(rows, 50)


# --- bulk decisions ------------------------------------------------------------------------------------------

def test_bulk_mark_eligible_goes_through_the_service_and_keeps_the_filters(client, login, edition, secretariat):
    category = CategoryFactory(edition=edition)
    chosen = ApplicationFactory.create_batch(2, edition=edition, category=category, status="submitted")
    untouched = ApplicationFactory(edition=edition, category=category, status="submitted")
    login(secretariat)
    response = client.post(_url(edition, "stage=pilot&page=1"),
                           {"applications": [a.pk for a in chosen], "decision": "eligible", "reason": ""})
    assert (response.status_code, response.url) == (302, _url(edition, "stage=pilot&page=1"))
    assert sorted(Application.objects.values_list("pk", "status")) == sorted(
        [(chosen[0].pk, "eligible"), (chosen[1].pk, "eligible"), (untouched.pk, "submitted")]
    )
    assert sorted(AuditEntry.objects.filter(action="application.eligible").values_list("target_id", "actor")) == sorted(
        [(str(chosen[0].pk), secretariat.pk), (str(chosen[1].pk), secretariat.pk)]
    )
    assert "2 applications marked eligible." in client.get(response.url).content.decode()


def test_bulk_ineligible_needs_a_reason_and_keeps_ticks_and_filters(client, login, edition, secretariat):
    category = CategoryFactory(edition=edition, slug="human-centric")
    chosen = ApplicationFactory(edition=edition, category=category, status="submitted")
    other = ApplicationFactory(edition=edition, category=category, status="submitted")
    login(secretariat)
    response = client.post(_url(edition, "category=human-centric"),
                           {"applications": [chosen.pk], "decision": "ineligible", "reason": "   "})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "reason": ["Give the applicant a reason when marking an application ineligible."]
    }
    body = response.content.decode()
    assert "Nothing was changed." in body
    assert f'value="{chosen.pk}" id="select-{chosen.pk}" aria-describedby="title-{chosen.pk}" checked' in body
    assert f'value="{other.pk}" id="select-{other.pk}" aria-describedby="title-{other.pk}">' in body
    assert '<option value="human-centric" selected>' in body
    assert 'value="ineligible" required id="id_decision_1" checked' in body
    assert list(Application.objects.order_by().values_list("status", flat=True).distinct()) == ["submitted"]
    assert StatusChange.objects.count() == 0


def test_bulk_ineligible_with_a_reason_reaches_the_applicant(client, login, edition, secretariat):
    category = CategoryFactory(edition=edition)
    application = submitted_application(category=category)
    applicant = application.organisation.memberships.get().user
    login(secretariat)
    response = client.post(_url(edition), {"applications": [application.pk], "decision": "ineligible",
                                           "reason": "The project is outside a city."})
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.screening_reason) == ("ineligible", "The project is outside a city.")
    assert list(application.status_changes.values_list("to_status", "reason", "by")) == [
        ("draft", "", applicant.pk), ("submitted", "", applicant.pk),
        ("ineligible", "The project is outside a city.", secretariat.pk),
    ]
    client.logout()
    login(applicant)
    assert "The project is outside a city." in client.get(f"/applications/{application.pk}/").content.decode()


def test_bulk_is_all_or_nothing(client, login, edition, secretariat):
    category = CategoryFactory(edition=edition)
    submitted = ApplicationFactory(edition=edition, category=category, status="submitted")
    withdrawn = ApplicationFactory(edition=edition, category=category, status="withdrawn", title="Gone")
    login(secretariat)
    response = client.post(_url(edition), {"applications": [submitted.pk, withdrawn.pk], "decision": "eligible"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Gone is Withdrawn and cannot be screened."]
    assert sorted(Application.objects.values_list("status", flat=True)) == ["submitted", "withdrawn"]


def test_bulk_refuses_an_application_of_another_edition(client, login, edition, secretariat):
    foreign = ApplicationFactory(status="submitted")
    login(secretariat)
    response = client.post(_url(edition), {"applications": [foreign.pk], "decision": "eligible"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["applications"]
    foreign.refresh_from_db()
    assert foreign.status == "submitted"


def test_bulk_without_a_tick_says_so(client, login, edition, secretariat):
    login(secretariat)
    response = client.post(_url(edition), {"decision": "eligible"})
    assert response.context["form"].errors == {"applications": ["Tick at least one application."]}


@pytest.mark.parametrize("role", ["chair", "observer", "judge"])
def test_readers_and_judges_cannot_decide(client, login, edition, role):
    application = ApplicationFactory(edition=edition, status="submitted")
    login(EditionRoleFactory(edition=edition, role=role).user)
    response = client.post(_url(edition), {"applications": [application.pk], "decision": "eligible"})
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == "submitted"


def test_workspace_links_to_screening_and_settings_by_role(client, login, edition):
    login(EditionRoleFactory(edition=edition, role="secretariat").user)
    body = client.get(f"/e/{edition.slug}/").content.decode()
    assert f'href="/e/{edition.slug}/screening/"' in body and f'href="/e/{edition.slug}/settings/"' in body
    client.logout()
    login(EditionRoleFactory(edition=edition, role="observer").user)
    body = client.get(f"/e/{edition.slug}/").content.decode()
    assert f'href="/e/{edition.slug}/screening/"' in body and f'href="/e/{edition.slug}/settings/"' not in body
    client.logout()
    login(EditionRoleFactory(edition=edition, role="judge").user)
    body = client.get(f"/e/{edition.slug}/").content.decode()
    assert "/screening/" not in body and "/settings/" not in body


def test_the_filter_form_shows_the_chosen_filters_and_a_refused_value(client, login, edition, secretariat):
    ApplicationFactory(edition=edition, category=CategoryFactory(edition=edition), status="submitted",
                       organisation=OrganisationFactory(name="Nairobi Lab", country="KE"))
    login(secretariat)
    body = client.get(_url(edition, "country=KE&q=%3Cb%3ELab&stage=nonsense")).content.decode()
    assert '<option value="KE" selected>Kenya</option>' in body
    assert '<input type="text" name="q" id="id_q" value="&lt;b&gt;Lab">' in body
    assert ('<select name="stage" id="id_stage" aria-invalid="true" aria-describedby="id_stage_error">'
            '<option value="">Any</option>') in body
    assert ('<ul class="errorlist" id="id_stage_error"><li>Select a valid choice. nonsense is not one of the '
            'available choices.</li></ul>') in body

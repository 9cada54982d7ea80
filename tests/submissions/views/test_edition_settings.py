"""The secretariat's settings page: edition details in its own time zone, categories, state (the form: its builder)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from portal.models import AuditEntry, Edition
from submissions.models import Category
from tests.factories import ApplicationFactory, CategoryFactory, EditionFactory, EditionRoleFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    return EditionFactory(
        name="Seoul Prize 2026", time_zone="Asia/Seoul", state="draft",
        opens_at=datetime(2026, 3, 1, 0, 0, tzinfo=UTC), closes_at=datetime(2026, 5, 31, 14, 59, tzinfo=UTC),
    )


@pytest.fixture
def secretariat(edition):
    return EditionRoleFactory(edition=edition, role="secretariat").user


def _url(edition) -> str:
    return f"/e/{edition.slug}/settings/"


def _edition_data(**changes) -> dict:
    data = {"part": "edition", "name_en": "Seoul Prize 2026", "description_en": "", "time_zone": "Asia/Seoul",
            "opens_at": "2026-03-01T09:00", "closes_at": "2026-05-31T23:59"}
    data.update(changes)
    return data


def _formset_data(prefix: str, rows: list[dict], *, initial: int) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


# --- access --------------------------------------------------------------------------------------------------

def test_only_the_secretariat_of_the_edition_opens_settings(client, login, edition, secretariat):
    CategoryFactory(edition=edition, name="Hidden category name")
    refused = [EditionRoleFactory(edition=edition, role=role).user for role in ("chair", "observer", "judge")]
    refused += [MembershipFactory().user, EditionRoleFactory(role="secretariat").user]
    for user in refused:
        login(user)
        response = client.get(_url(edition))
        assert response.status_code == 403
        assert "Hidden category name" not in response.content.decode()
        assert client.post(_url(edition), _edition_data(name_en="Taken over")).status_code == 403
        client.logout()
    edition.refresh_from_db()
    assert edition.name == "Seoul Prize 2026"
    login(secretariat)
    response = client.get(_url(edition))
    assert response.status_code == 200
    assert "Hidden category name" in response.content.decode()


# --- edition details -----------------------------------------------------------------------------------------

def test_times_are_shown_in_the_edition_time_zone(client, login, edition, secretariat):
    login(secretariat)
    body = client.get(_url(edition)).content.decode()
    assert 'name="opens_at" value="2026-03-01T09:00"' in body
    assert 'name="closes_at" value="2026-05-31T23:59"' in body


def test_times_typed_in_the_edition_time_zone_are_stored_in_utc(client, login, edition, secretariat):
    login(secretariat)
    response = client.post(_url(edition), _edition_data(name_en="Seoul Smart City Prize 2026",
                                                        opens_at="2026-04-01T10:00", closes_at="2026-06-30T18:00"))
    assert (response.status_code, response.url) == (302, _url(edition) + "#edition")
    edition.refresh_from_db()
    assert (edition.name, edition.opens_at, edition.closes_at) == (
        "Seoul Smart City Prize 2026", datetime(2026, 4, 1, 1, 0, tzinfo=UTC), datetime(2026, 6, 30, 9, 0, tzinfo=UTC),
    )
    entry = AuditEntry.objects.get(action="edition.update")
    assert (entry.actor, entry.before["name"], entry.after["name"]) == (
        secretariat, "Seoul Prize 2026", "Seoul Smart City Prize 2026",
    )


def test_a_new_time_zone_applies_to_the_times_typed_with_it(client, login, edition, secretariat):
    login(secretariat)
    client.post(_url(edition), _edition_data(time_zone="Europe/Madrid", opens_at="2026-03-01T09:00"))
    edition.refresh_from_db()
    assert (edition.time_zone, edition.opens_at) == ("Europe/Madrid", datetime(2026, 3, 1, 8, 0, tzinfo=UTC))


def test_bad_edition_input_keeps_what_was_typed(client, login, edition, secretariat):
    login(secretariat)
    response = client.post(_url(edition), _edition_data(name_en="Renamed", opens_at="2026-06-01T09:00",
                                                        closes_at="2026-05-01T09:00"))
    assert response.status_code == 200
    assert response.context["edition_form"].errors == {
        "closes_at": ["The closing time must come after the opening time."],
    }
    body = response.content.decode()
    assert 'value="Renamed"' in body and 'value="2026-06-01T09:00"' in body and 'value="2026-05-01T09:00"' in body
    assert "Nothing was saved." in body
    response = client.post(_url(edition), _edition_data(opens_at="not a date", time_zone="Mars/Olympus"))
    assert set(response.context["edition_form"].errors) == {"opens_at", "time_zone"}
    assert 'value="not a date"' in response.content.decode()
    edition.refresh_from_db()
    assert (edition.name, edition.time_zone) == ("Seoul Prize 2026", "Asia/Seoul")
    assert AuditEntry.objects.filter(action="edition.update").count() == 0


# --- categories ----------------------------------------------------------------------------------------------

def _category_row(category=None, **values) -> dict:
    row = {"name_en": "", "slug": "", "description_en": "", "max_entries_per_organisation": "1", "position": "0"}
    if category is not None:
        row.update(id=str(category.pk), name_en=category.name_en, slug=category.slug,
                   description_en=category.description_en or "",
                   max_entries_per_organisation=str(category.max_entries_per_organisation),
                   position=str(category.position))
        if category.allowed_kinds:
            row["allowed_kinds"] = list(category.allowed_kinds)
    row.update(values)
    return row


def test_add_and_change_categories(client, login, edition, secretariat):
    human = CategoryFactory(edition=edition, name="Human-centric", slug="human-centric", position=0)
    login(secretariat)
    data = {"part": "categories", **_formset_data("categories", [
        _category_row(human, max_entries_per_organisation="2"),
        _category_row(name_en="Safety and resilience", slug="safety-resilience", position="2",
                      allowed_kinds=["city", "ngo"]),
    ], initial=1)}
    response = client.post(_url(edition), data)
    assert response.status_code == 302
    assert list(Category.objects.filter(edition=edition).values_list(
        "slug", "allowed_kinds", "max_entries_per_organisation", "position")) == [
        ("human-centric", [], 2, 0), ("safety-resilience", ["city", "ngo"], 1, 2),
    ]
    assert sorted(AuditEntry.objects.filter(edition=edition).values_list("action", flat=True)) == [
        "category.create", "category.update",
    ]


def test_a_slug_used_twice_is_refused_beside_the_field(client, login, edition, secretariat):
    human = CategoryFactory(edition=edition, name="Human-centric", slug="human-centric")
    login(secretariat)
    response = client.post(_url(edition), {"part": "categories", **_formset_data("categories", [
        _category_row(human), _category_row(name_en="Typed name", slug="human-centric", description_en="Typed text"),
    ], initial=1)})
    assert response.status_code == 200
    assert response.context["categories"].forms[1].errors == {"slug": ["Two categories cannot share a slug."]}
    body = response.content.decode()
    assert 'value="Typed name"' in body and "Typed text" in body
    assert list(Category.objects.filter(edition=edition).values_list("slug", flat=True)) == ["human-centric"]


def test_deleting_a_category_with_applications_is_refused(client, login, edition, secretariat):
    used = CategoryFactory(edition=edition, name="Used", slug="used", position=0)
    empty = CategoryFactory(edition=edition, name="Empty", slug="empty", position=1)
    ApplicationFactory(edition=edition, category=used)
    login(secretariat)
    response = client.post(_url(edition), {"part": "categories", **_formset_data("categories", [
        _category_row(used, DELETE="on"), _category_row(empty, DELETE="on"),
    ], initial=2)})
    assert response.status_code == 200
    assert response.context["categories"].forms[0].non_field_errors() == [
        "“Used” already has applications and cannot be removed."
    ]
    assert list(Category.objects.filter(edition=edition).values_list("slug", flat=True)) == ["used", "empty"]
    response = client.post(_url(edition), {"part": "categories", **_formset_data("categories", [
        _category_row(used), _category_row(empty, DELETE="on"),
    ], initial=2)})
    assert response.status_code == 302
    assert list(Category.objects.filter(edition=edition).values_list("slug", flat=True)) == ["used"]
    assert list(AuditEntry.objects.filter(edition=edition).values_list("action", flat=True)) == ["category.delete"]


def test_a_category_of_another_edition_cannot_be_edited_from_here(client, login, edition, secretariat):
    foreign = CategoryFactory(name="Foreign", slug="foreign")
    home = foreign.edition_id
    login(secretariat)
    client.post(_url(edition), {"part": "categories", **_formset_data("categories", [
        _category_row(foreign, name_en="Hijacked", DELETE=""),
    ], initial=1)})
    client.post(_url(edition), {"part": "categories", **_formset_data("categories", [
        _category_row(foreign, DELETE="on"),
    ], initial=1)})
    foreign.refresh_from_db()
    assert (foreign.name, foreign.edition_id) == ("Foreign", home)
    assert AuditEntry.objects.filter(edition=foreign.edition).count() == 0


# --- form sections -------------------------------------------------------------------------------------------

def test_the_form_part_leads_to_the_form_builder(client, login, edition, secretariat):
    login(secretariat)
    body = client.get(_url(edition)).content.decode()
    assert f'href="/e/{edition.slug}/form/"' in body
    assert 'name="sections-TOTAL_FORMS"' not in body


# --- state ---------------------------------------------------------------------------------------------------

def _confirmed(transition: str) -> dict:
    return {"transition": transition, "confirmed": transition}


def test_state_buttons_follow_the_state_machine(client, login, edition, secretariat):
    login(secretariat)
    assert client.get(_url(edition)).context["state_buttons"] == [("open", "Open the call")]
    response = client.post(_url(edition), _confirmed("open"))
    assert "Add at least one category before opening the call." in response.content.decode()
    CategoryFactory(edition=edition)
    response = client.post(_url(edition), _confirmed("open"), follow=True)
    assert "The closing time has already passed" in response.content.decode()  # 31 May 2026 is behind us
    Edition.objects.filter(pk=edition.pk).update(closes_at=timezone.now() + timedelta(days=30))
    client.post(_url(edition), _confirmed("open"))
    edition.refresh_from_db()
    assert edition.state == "open"
    assert client.get(_url(edition)).context["state_buttons"] == [("close", "Close the call")]
    response = client.post(_url(edition), _confirmed("start_screening"))
    assert "This change of state cannot be made now." in response.content.decode()
    client.post(_url(edition), _confirmed("close"))
    assert client.get(_url(edition)).context["state_buttons"] == [
        ("open", "Reopen the call"), ("start_screening", "Start screening"),
    ]
    client.post(_url(edition), _confirmed("start_screening"))
    edition.refresh_from_db()
    assert edition.state == Edition.State.SCREENING
    assert list(AuditEntry.objects.filter(edition=edition, action__startswith="edition.").order_by("id")
                .values_list("action", "actor")) == [
        ("edition.open", secretariat.pk), ("edition.closed", secretariat.pk), ("edition.screening", secretariat.pk),
    ]


def test_an_untouched_deadline_keeps_its_seconds(client, login, edition, secretariat):
    edition.closes_at = datetime(2026, 5, 31, 14, 59, 59, tzinfo=UTC)
    edition.save()
    login(secretariat)
    response = client.post(_url(edition), _edition_data(name_en="Renamed only"))
    assert response.status_code == 302
    edition.refresh_from_db()
    assert (edition.name, edition.closes_at) == ("Renamed only", datetime(2026, 5, 31, 14, 59, 59, tzinfo=UTC))
    response = client.post(_url(edition), _edition_data(name_en="Renamed only"), follow=True)
    assert "Nothing was changed in the edition details." in response.content.decode()
    assert AuditEntry.objects.filter(action="edition.update").count() == 1


# --- the services behind the page ----------------------------------------------------------------------------

def test_category_services_stay_within_their_edition_and_audit_only_changes(edition, secretariat):
    from django.core.exceptions import ValidationError

    from submissions import services

    foreign = CategoryFactory(name="Foreign")
    with pytest.raises(ValidationError, match="belongs to another edition"):
        services.category_save(edition=edition, user=secretariat, category=foreign, data={"name": "Mine now"})
    with pytest.raises(ValidationError, match="belongs to another edition"):
        services.category_delete(edition=edition, user=secretariat, category=foreign)
    category = services.category_save(edition=edition, user=secretariat,
                                      data={"name": "Human-centric", "slug": "human-centric"})
    services.category_save(edition=edition, user=secretariat, category=category,
                           data={"name": "Human-centric", "slug": "human-centric"})
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["category.create"]


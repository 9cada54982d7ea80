"""The settings page as one form: a save or a refusal of one part keeps the others' edits; many categories in
one save; confirmation steps before a change of state and before a closing time moved into the past."""

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
        opens_at=datetime(2026, 3, 1, 0, 0, tzinfo=UTC), closes_at=datetime(2031, 5, 31, 14, 59, tzinfo=UTC),
    )


@pytest.fixture
def secretariat(edition):
    return EditionRoleFactory(edition=edition, role="secretariat").user


def _url(edition) -> str:
    return f"/e/{edition.slug}/settings/"


def _as_posted(value):
    if value is None or value is False:
        return None
    if value is True:
        return "on"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return str(value)


def _page_data(response) -> dict:
    """What the browser posts for the page as shown: every part's fields with the values on screen."""
    context = response.context
    forms = [context["edition_form"], context["categories"].management_form, *context["categories"].forms]
    data = {}
    for form in forms:
        for field in form:
            value = _as_posted(field.value())
            if value is not None:
                data[field.html_name] = value
    return data


def _new_category(data: dict, index: int, *, name: str, slug: str) -> None:
    data.update({f"categories-{index}-name_en": name, f"categories-{index}-slug": slug,
                 f"categories-{index}-description_en": "", f"categories-{index}-max_entries_per_organisation": "1",
                 f"categories-{index}-position": str(index)})


# --- every part posts together ---------------------------------------------------------------------------------

def test_saving_categories_keeps_the_unsaved_edition_details_on_the_page(client, login, edition, secretariat):
    login(secretariat)
    data = _page_data(client.get(_url(edition)))
    data.update(name_en="Typed but not saved", description_en="A description typed too", closes_at="2031-06-30T18:00")
    _new_category(data, 0, name="Human-centric", slug="human-centric")
    response = client.post(_url(edition), {**data, "part": "categories"})
    assert response.status_code == 200
    assert list(Category.objects.filter(edition=edition).values_list("slug", flat=True)) == ["human-centric"]
    edition.refresh_from_db()
    assert (edition.name, edition.description) == ("Seoul Prize 2026", "")
    body = response.content.decode()
    assert 'name="name_en" value="Typed but not saved"' in body
    assert "A description typed too</textarea>" in body
    assert 'name="closes_at" value="2031-06-30T18:00"' in body
    assert response.context["unsaved"] == ["edition"]
    assert body.count("Not saved yet: what you typed in this part is kept below.") == 1
    assert "Categories saved." in body
    # The saved part is shown as stored: the category row and fresh empty rows.
    assert [form.instance.slug for form in response.context["categories"].forms if form.instance.pk] == [
        "human-centric"]
    assert response.context["categories"].is_bound is False


def test_a_refused_part_keeps_the_edits_of_the_others(client, login, edition, secretariat):
    login(secretariat)
    data = _page_data(client.get(_url(edition)))
    data.update(name_en="Renamed", opens_at="2031-06-01T09:00", closes_at="2031-05-01T09:00")
    _new_category(data, 0, name="Typed category", slug="typed-category")
    response = client.post(_url(edition), {**data, "part": "edition"})
    assert response.status_code == 200
    assert response.context["edition_form"].errors == {
        "closes_at": ["The closing time must come after the opening time."]}
    body = response.content.decode()
    assert 'name="categories-0-name_en" value="Typed category"' in body
    assert 'name="name_en" value="Renamed"' in body
    assert response.context["unsaved"] == ["categories"]
    assert "Nothing was saved." in body
    assert Category.objects.filter(edition=edition).count() == 0
    assert AuditEntry.objects.count() == 0


def test_enter_in_a_field_keeps_everything_and_saves_nothing(client, login, edition, secretariat):
    login(secretariat)
    data = _page_data(client.get(_url(edition)))
    data["name_en"] = "Typed"
    response = client.post(_url(edition), {**data, "part": "keep"})
    assert response.status_code == 200
    assert 'name="name_en" value="Typed"' in response.content.decode()
    assert response.context["unsaved"] == ["edition"]
    assert AuditEntry.objects.count() == 0


def test_a_save_with_no_other_edits_pending_redirects(client, login, edition, secretariat):
    login(secretariat)
    data = _page_data(client.get(_url(edition)))
    data["name_en"] = "Seoul Smart City Prize 2026"
    response = client.post(_url(edition), {**data, "part": "edition"})
    assert (response.status_code, response.url) == (302, _url(edition) + "#edition")
    edition.refresh_from_db()
    assert edition.name == "Seoul Smart City Prize 2026"


# --- many categories in one save -------------------------------------------------------------------------------

def test_the_page_offers_empty_rows_and_a_template_to_add_more(client, login, edition, secretariat):
    login(secretariat)
    response = client.get(_url(edition))
    assert len(response.context["categories"].forms) == 3
    body = response.content.decode()
    assert '<template id="categories-empty">' in body
    assert 'name="categories-__prefix__-name_en"' in body
    assert 'data-formset-add="categories"' in body
    CategoryFactory(edition=edition)
    assert len(client.get(_url(edition)).context["categories"].forms) == 3  # one stored, two empty


@pytest.mark.parametrize("count", [1, 12])
def test_any_number_of_new_categories_is_saved_in_one_save(client, login, edition, secretariat, count):
    login(secretariat)
    data = _page_data(client.get(_url(edition)))
    for index in range(count):
        _new_category(data, index, name=f"Category {index + 1}", slug=f"category-{index + 1}")
    data["categories-TOTAL_FORMS"] = str(count)
    response = client.post(_url(edition), {**data, "part": "categories"})
    assert (response.status_code, response.url) == (302, _url(edition) + "#categories")
    assert list(Category.objects.filter(edition=edition).order_by("position").values_list("slug", flat=True)) == [
        f"category-{index + 1}" for index in range(count)]
    assert AuditEntry.objects.filter(action="category.create").count() == count


# --- confirmation of a change of state -------------------------------------------------------------------------

@pytest.fixture
def open_edition(edition):
    CategoryFactory(edition=edition)
    Edition.objects.filter(pk=edition.pk).update(state=Edition.State.OPEN)
    edition.refresh_from_db()
    return edition


def test_closing_the_call_says_what_happens_and_changes_nothing_until_confirmed(
    client, login, open_edition, secretariat
):
    edition = open_edition
    for status, count in (("draft", 2), ("submitted", 3), ("withdrawn", 1)):
        ApplicationFactory.create_batch(count, edition=edition, category=edition.categories.get(), status=status)
    ApplicationFactory.create_batch(4, status="draft")  # another edition's drafts
    login(secretariat)
    data = _page_data(client.get(_url(edition)))
    data["description_en"] = "Typed while closing"
    response = client.post(_url(edition), {**data, "transition": "close"})
    assert response.status_code == 200
    edition.refresh_from_db()
    assert edition.state == Edition.State.OPEN
    confirm = response.context["confirm"]
    assert (confirm["action"], confirm["drafts"], confirm["submitted"]) == ("close", 2, 3)
    assert confirm["lines"] == [
        "Applicants can no longer submit, edit, reopen or withdraw applications.",
        "2 drafts have not been submitted: they will never be submitted unless you reopen the call.",
        "3 applications have been submitted and are kept for screening.",
    ]
    body = response.content.decode()
    assert "Confirm: Close the call" in body and 'name="confirmed" value="close"' in body
    assert "Typed while closing</textarea>" in body
    # Cancel: still nothing changes, the edit is still there.
    response = client.post(_url(edition), {**data, "confirmed": "close", "part": "keep"})
    assert "Typed while closing</textarea>" in response.content.decode()
    edition.refresh_from_db()
    assert edition.state == Edition.State.OPEN
    response = client.post(_url(edition), {**data, "transition": "close", "confirmed": "close"})
    edition.refresh_from_db()
    assert edition.state == Edition.State.CLOSED
    # The description typed beside it was not saved, and comes back as an unsaved edit.
    assert (response.status_code, edition.description) == (200, "")
    assert response.context["unsaved"] == ["edition"]
    assert "The edition is now “Closed”." in response.content.decode()


def test_a_confirmation_for_another_change_does_not_count(client, login, open_edition, secretariat):
    login(secretariat)
    response = client.post(_url(open_edition), {"transition": "close", "confirmed": "open"})
    assert response.context["confirm"]["action"] == "close"
    open_edition.refresh_from_db()
    assert open_edition.state == Edition.State.OPEN


def test_opening_the_call_says_it_becomes_public_until_the_deadline_in_the_edition_zone(
    client, login, edition, secretariat
):
    CategoryFactory(edition=edition)
    login(secretariat)
    response = client.post(_url(edition), {"transition": "open"})
    assert response.context["confirm"]["lines"] == [
        "The call becomes public: applicants see it and can start, edit and submit applications "
        "until 31 May 2031, 23:59 (Asia/Seoul).",
    ]
    edition.refresh_from_db()
    assert edition.state == Edition.State.DRAFT
    client.post(_url(edition), {"transition": "open", "confirmed": "open"})
    edition.refresh_from_db()
    assert edition.state == Edition.State.OPEN


def test_only_the_secretariat_of_the_edition_changes_its_state(client, login, open_edition, secretariat):
    ApplicationFactory(edition=open_edition, category=open_edition.categories.get(), status="draft")
    refused = [EditionRoleFactory(edition=open_edition, role=role).user for role in ("chair", "observer", "judge")]
    refused += [MembershipFactory().user, EditionRoleFactory(role="secretariat").user]
    for user in refused:
        login(user)
        for data in ({"transition": "close"}, {"transition": "close", "confirmed": "close"}):
            response = client.post(_url(open_edition), data)
            assert response.status_code == 403
            assert "drafts have not been submitted" not in response.content.decode()
        client.logout()
    open_edition.refresh_from_db()
    assert open_edition.state == Edition.State.OPEN


# --- a closing time moved into the past ------------------------------------------------------------------------

def _past_closing(edition) -> str:
    return timezone.localtime(timezone.now() - timedelta(days=1), edition.tz).strftime("%Y-%m-%dT%H:%M")


def test_moving_the_deadline_into_the_past_with_drafts_asks_first(client, login, open_edition, secretariat):
    edition = open_edition
    ApplicationFactory.create_batch(3, edition=edition, category=edition.categories.get(), status="draft")
    ApplicationFactory(edition=edition, category=edition.categories.get(), status="submitted")
    login(secretariat)
    data = _page_data(client.get(_url(edition)))
    past = _past_closing(edition)
    data.update(name_en="Renamed too", closes_at=past)
    _new_category(data, 1, name="Typed category", slug="typed-category")
    response = client.post(_url(edition), {**data, "part": "edition"})
    assert response.status_code == 200
    warning = response.context["deadline_warning"]
    assert (warning["drafts"], warning["posted"]) == (3, past)
    assert "3 drafts that have not been submitted would be shut out" in warning["text"]
    body = response.content.decode()
    assert f'name="confirm_closes_at" value="{past}"' in body
    assert f'name="closes_at" value="{past}"' in body and 'value="Renamed too"' in body
    assert 'name="categories-1-name_en" value="Typed category"' in body
    assert "Nothing was saved." not in body
    edition.refresh_from_db()
    assert (edition.name, edition.closes_at) == ("Seoul Prize 2026", datetime(2031, 5, 31, 14, 59, tzinfo=UTC))
    # Confirmed for another time than the one typed now: asked again.
    other_past = timezone.localtime(timezone.now() - timedelta(days=2), edition.tz).strftime("%Y-%m-%dT%H:%M")
    response = client.post(_url(edition), {**data, "closes_at": other_past, "confirm_closes_at": past,
                                            "part": "edition"})
    assert response.context["deadline_warning"]["posted"] == other_past
    response = client.post(_url(edition), {**data, "confirm_closes_at": past, "part": "edition"})
    assert response.status_code == 200  # the typed category is still pending
    edition.refresh_from_db()
    assert (edition.name, timezone.localtime(edition.closes_at, edition.tz).strftime("%Y-%m-%dT%H:%M")) == (
        "Renamed too", past)
    assert response.context["unsaved"] == ["categories"]


def test_a_past_deadline_without_drafts_is_saved_at_once(client, login, open_edition, secretariat):
    ApplicationFactory(edition=open_edition, category=open_edition.categories.get(), status="submitted")
    login(secretariat)
    data = _page_data(client.get(_url(open_edition)))
    data["closes_at"] = _past_closing(open_edition)
    response = client.post(_url(open_edition), {**data, "part": "edition"})
    assert response.status_code == 302
    open_edition.refresh_from_db()
    assert open_edition.closes_at < timezone.now()


def test_starting_screening_and_opening_after_the_deadline_say_what_follows(client, login, open_edition, secretariat):
    edition = open_edition
    ApplicationFactory.create_batch(2, edition=edition, category=edition.categories.get(), status="submitted")
    ApplicationFactory(edition=edition, category=edition.categories.get(), status="draft")
    Edition.objects.filter(pk=edition.pk).update(state=Edition.State.CLOSED,
                                                 closes_at=datetime(2026, 5, 31, 14, 59, tzinfo=UTC))
    login(secretariat)
    response = client.post(_url(edition), {"transition": "start_screening"})
    assert response.context["confirm"]["lines"] == [
        "Screening starts: the call cannot be reopened after this.",
        "2 submitted applications go to screening.",
        "1 draft is left out for good.",
    ]
    # Reopening after the closing time is refused before any confirmation step, saying what to do instead.
    response = client.post(_url(edition), {"transition": "open"}, follow=True)
    assert response.context.get("confirm") is None
    assert [str(message) for message in response.context["messages"]] == [
        "The closing time has already passed: nobody could submit. Move the closing time first.",
    ]
    edition.refresh_from_db()
    assert edition.state == Edition.State.CLOSED

"""Two members of one organisation editing one application, and a double submit: nothing silently overwritten.

The first part runs on SQLite too; the `integration` part lines real requests up with threads on PostgreSQL.
"""

import re
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from portal.concurrency import EditedMeanwhile
from portal.models import Edition
from portal.services.editions import edition_details_version, edition_update
from submissions.models import Application, ApplicationSnapshot, StatusChange
from submissions.services import application_save_draft, application_submit
from tests.factories import PASSWORD_FOR_TESTS, EditionFactory, EditionRoleFactory, MembershipFactory
from tests.factories.submissions import ApplicationFactory, answer, application_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def application():
    """A complete draft of Alpha Town, whose owner and a colleague may both edit it."""
    membership = MembershipFactory(organisation__name="Alpha Town", user__email="owner@alpha.example")
    colleague = MembershipFactory(organisation=membership.organisation, user__email="colleague@alpha.example",
                                  role="member")
    app = ApplicationFactory(organisation=membership.organisation, title="Alpha project")
    app.owner, app.colleague = membership.user, colleague.user
    return app


def edit_url(application) -> str:
    return f"/applications/{application.pk}/edit/"


def page_version(response) -> int:
    return int(re.search(r'name="version" value="(\d+)"', response.content.decode()).group(1))


def form(application, version, **changes) -> dict:
    return {**application_form_data(application, **changes), "version": str(version)}


# --- the service ----------------------------------------------------------------------------------------------


def test_a_save_from_a_page_loaded_before_a_colleagues_save_is_refused_and_writes_nothing(application):
    saved = application_save_draft(application=application, user=application.owner,
                                   data={"summary": "The owner's summary"}, version=0)
    assert (saved.version, saved.outcome) == (1, "saved")
    with pytest.raises(EditedMeanwhile) as refused:
        application_save_draft(application=application, user=application.colleague,
                               data={"summary": "The colleague's summary"}, version=0)
    assert refused.value.code == "stale"
    assert refused.value.current_version == 1
    assert "by a colleague of Alpha Town" in refused.value.messages[0]
    application.refresh_from_db()
    assert (answer(application, "summary"), application.version) == ("The owner's summary", 1)


def test_a_stale_save_that_changes_nothing_goes_through_and_the_version_counts_only_changes(application):
    application_save_draft(application=application, user=application.owner, data={"summary": "Same"}, version=0)
    same = application_save_draft(application=application, user=application.colleague, data={"summary": "Same"},
                                  version=0)
    assert (same.outcome, Application.objects.get(pk=application.pk).version) == ("unchanged", 1)
    # Without a version (a script, the demo data) nothing is checked.
    application_save_draft(application=application, user=application.owner, data={"summary": "Other"})
    assert Application.objects.get(pk=application.pk).version == 2


def test_a_submitted_application_sent_again_unchanged_is_told_already_submitted(application):
    application_submit(application=application, user=application.owner)
    data = application_form_data(application)
    with pytest.raises(ValidationError) as again:
        application_save_draft(application=application, user=application.owner, data=data, version=0)
    assert again.value.code == "already_submitted"
    with pytest.raises(ValidationError) as changed:
        application_save_draft(application=application, user=application.owner,
                               data={**data, "summary": "Different"}, version=0)
    assert changed.value.code == "not_draft"


# --- the edit page ----------------------------------------------------------------------------------------------


def test_a_colleagues_stale_save_keeps_their_text_and_shows_the_saved_one(client, login, application):
    owner = login(application.owner, client=Client())
    colleague = login(application.colleague, client=Client())
    loaded = page_version(colleague.get(edit_url(application)))
    assert loaded == page_version(owner.get(edit_url(application))) == 0
    assert owner.post(edit_url(application), form(application, loaded, summary="Owner's words")).status_code == 302
    response = colleague.post(edit_url(application), form(application, loaded, summary="Colleague's words"))
    body = response.content.decode()
    assert "This draft was saved at " in body and "by a colleague of Alpha Town" in body
    assert "Colleague&#x27;s words" in body  # their text stays in the form
    assert "What the saved draft holds where yours differs" in body and "Owner&#x27;s words" in body
    assert page_version(response) == 1
    assert answer(application, "summary") == "Owner's words"
    # Having compared, the colleague saves again over the version now stored.
    assert colleague.post(edit_url(application), form(application, 1, summary="Colleague's words")
                          ).status_code == 302
    assert answer(application, "summary") == "Colleague's words"


def test_the_stale_message_is_in_korean_for_a_korean_reader(client, login, application):
    login(application.colleague)
    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    application_save_draft(application=application, user=application.owner, data={"summary": "Owner"}, version=0)
    body = client.post(edit_url(application), form(application, 0, summary="Colleague")).content.decode()
    assert "이 초안이 저장되었습니다" in body
    assert "This draft was saved" not in body


def test_a_stale_autosave_saves_nothing_and_answers_409(client, login, application):
    login(application.colleague)
    url = f"/applications/{application.pk}/autosave/"
    first = client.post(url, form(application, 0, summary="Typed"))
    assert first.json()["version"] == "1"
    application_save_draft(application=application, user=application.owner, data={"summary": "Owner"}, version=1)
    stale = client.post(url, form(application, 1, summary="Typed more"))
    assert stale.status_code == 409
    assert stale.json()["stale"] is True
    assert stale.json()["errors"]["__all__"][0].startswith("This draft was saved at ")
    assert answer(application, "summary") == "Owner"


def test_a_colleagues_different_text_sent_after_the_submission_stays_on_the_page(client, login, application):
    application_submit(application=application, user=application.owner)
    login(application.colleague)
    response = client.post(f"/applications/{application.pk}/submit/",
                           form(application, 0, summary="A late idea"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "This application has been submitted. Reopen it to make changes." in body
    assert "A late idea" in body
    assert ApplicationSnapshot.objects.count() == 1


# --- at once, on PostgreSQL ---------------------------------------------------------------------------------------


def _member(user) -> Client:
    member = Client()
    assert member.post("/accounts/login/", {"login": user.email, "password": PASSWORD_FOR_TESTS}).status_code == 302
    return member


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_two_members_saving_one_draft_at_once_one_saves_and_the_other_keeps_their_text(application, at_once):
    owner, colleague = _member(application.owner), _member(application.colleague)
    responses = at_once(
        lambda: owner.post(edit_url(application), form(application, 0, summary="Owner's words")),
        lambda: colleague.post(edit_url(application), form(application, 0, summary="Colleague's words")),
    )
    assert sorted(r.status_code for r in responses) == [200, 302]
    saved = Application.objects.get(pk=application.pk)
    refused = responses[0] if responses[0].status_code == 200 else responses[1]
    kept = "Owner&#x27;s words" if refused is responses[0] else "Colleague&#x27;s words"
    assert saved.version == 1
    assert answer(saved, "summary") == ("Colleague's words" if refused is responses[0] else "Owner's words")
    assert "This draft was saved at " in refused.content.decode()
    assert kept in refused.content.decode()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_an_application_submitted_twice_at_once_makes_one_snapshot_and_tells_the_second(application, at_once):
    tabs = [_member(application.owner), _member(application.colleague)]
    url = f"/applications/{application.pk}/submit/"
    responses = at_once(*[lambda tab=tab: tab.post(url, form(application, 0)) for tab in tabs])
    assert [r.status_code for r in responses] == [302, 302]
    assert ApplicationSnapshot.objects.filter(application=application).count() == 1
    assert list(StatusChange.objects.filter(application=application, to_status="submitted")
                .values_list("to_status", flat=True)) == ["submitted"]
    told = [tab for tab in tabs if "This application has already been submitted; nothing was changed."
            in tab.get(f"/applications/{application.pk}/").content.decode()]
    assert len(told) == 1


# --- the secretariat's settings page in two tabs -------------------------------------------------------------


@pytest.fixture
def settings_edition():
    edition = EditionFactory(name="Seoul Prize 2026", time_zone="Asia/Seoul", state="draft",
                             opens_at=datetime(2026, 3, 1, 0, 0, tzinfo=UTC),
                             closes_at=datetime(2026, 5, 31, 14, 59, tzinfo=UTC))
    edition.secretariat = EditionRoleFactory(edition=edition, role="secretariat").user
    edition.colleague = EditionRoleFactory(edition=edition, role="secretariat").user
    return edition


def details(version, **changes) -> dict:
    return {"part": "edition", "name_en": "Seoul Prize 2026", "description_en": "", "time_zone": "Asia/Seoul",
            "opens_at": "2026-03-01T09:00", "closes_at": "2026-05-31T23:59", "details_version": version, **changes}


def details_version_on(response) -> str:
    return re.search(r'name="details_version" value="([0-9a-f]+)"', response.content.decode()).group(1)


def test_edition_details_saved_over_a_colleagues_later_save_are_refused(settings_edition):
    loaded = edition_details_version(settings_edition)
    edition_update(edition=settings_edition, user=settings_edition.secretariat,
                   data={"description_en": "Written by one"}, loaded_version=loaded)
    with pytest.raises(EditedMeanwhile):
        edition_update(edition=settings_edition, user=settings_edition.colleague,
                       data={"description_en": "Written by two"}, loaded_version=loaded)
    assert Edition.objects.get(pk=settings_edition.pk).description_en == "Written by one"
    # What the colleague sends unchanged from the stored values goes through (nothing to overwrite).
    edition_update(edition=settings_edition, user=settings_edition.colleague,
                   data={"description_en": "Written by one"}, loaded_version=loaded)


def test_the_settings_page_keeps_the_second_tabs_input_and_says_why(client, login, settings_edition):
    url = f"/e/{settings_edition.slug}/settings/"
    login(settings_edition.secretariat)
    loaded = details_version_on(client.get(url))
    assert client.post(url, details(loaded, description_en="Tab one")).status_code == 302
    response = client.post(url, details(loaded, name_en="Tab two name", description_en=""))
    body = response.content.decode()
    assert "This was changed in another tab or by a colleague after you opened this page." in body
    assert "Tab two name" in body
    assert details_version_on(response) == edition_details_version(Edition.objects.get(pk=settings_edition.pk))
    stored = Edition.objects.get(pk=settings_edition.pk)
    assert (stored.name_en, stored.description_en) == ("Seoul Prize 2026", "Tab one")
    # Compared and sent again, over the version now stored: saved.
    assert client.post(url, details(details_version_on(response), name_en="Tab two name",
                                    description_en="")).status_code == 302
    assert Edition.objects.get(pk=settings_edition.pk).name_en == "Tab two name"


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_two_secretariat_tabs_saving_the_details_at_once_never_overwrite_silently(settings_edition, at_once):
    url = f"/e/{settings_edition.slug}/settings/"
    loaded = edition_details_version(settings_edition)
    tabs = [_member(settings_edition.secretariat), _member(settings_edition.colleague)]
    responses = at_once(
        lambda: tabs[0].post(url, details(loaded, description_en="From tab one")),
        lambda: tabs[1].post(url, details(loaded, description_en="From tab two")),
    )
    assert sorted(r.status_code for r in responses) == [200, 302]
    refused = responses[0] if responses[0].status_code == 200 else responses[1]
    assert "This was changed in another tab or by a colleague" in refused.content.decode()
    winner = "From tab one" if refused is responses[1] else "From tab two"
    assert Edition.objects.get(pk=settings_edition.pk).description_en == winner

"""Consent on the applicant's pages (required before submitting, versioned) and the settings page's data
protection part."""

import pytest

from portal.models import AuditEntry, ConsentAcceptance, ConsentText
from submissions.models import Application, ApplicationSnapshot
from tests.factories import (
    ConsentAcceptanceFactory,
    ConsentTextFactory,
    EditionFactory,
    EditionRoleFactory,
    MembershipFactory,
)
from tests.factories.submissions import ApplicationFactory, application_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def application():
    membership = MembershipFactory(organisation__name="Malmö Stad")
    app = ApplicationFactory(organisation=membership.organisation, title="Malmö heat plan")
    app.owner = membership.user
    return app


@pytest.fixture
def consent(application):
    return ConsentTextFactory(edition=application.edition, version=1, text_en="We keep your entry for 5 years.",
                              text_ko="신청서를 5년간 보관합니다.")


def _submit(client, application, **extra):
    return client.post(f"/applications/{application.pk}/submit/", {**application_form_data(application), **extra})


def test_the_edit_page_shows_the_text_in_the_readers_language_with_its_box(client, login, application, consent):
    login(application.owner)
    english = client.get(f"/applications/{application.pk}/edit/").content.decode()
    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    korean = client.get(f"/applications/{application.pk}/edit/").content.decode()

    assert "We keep your entry for 5 years." in english and 'name="consent" id="consent-1" value="1"' in english
    assert "신청서를 5년간 보관합니다." in korean and "개인정보 보호" in korean
    assert "We keep your entry" not in korean


def test_submitting_without_accepting_is_refused_and_keeps_the_text(client, login, application, consent):
    login(application.owner)

    response = _submit(client, application, title="Malmö heat plan, final")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Read the data protection text and accept it to submit." in body
    assert 'value="Malmö heat plan, final"' in body
    application.refresh_from_db()
    assert (application.status, ApplicationSnapshot.objects.count(), ConsentAcceptance.objects.count()) == (
        Application.Status.DRAFT, 0, 0)


def test_submitting_with_consent_records_who_accepted_which_version_when(client, login, application, consent):
    login(application.owner)

    response = _submit(client, application, consent="1")

    assert response.status_code == 302
    acceptance = ConsentAcceptance.objects.get()
    assert (acceptance.user, acceptance.consent, acceptance.application, acceptance.language) == (
        application.owner, consent, application, "en")
    assert acceptance.accepted_at is not None
    assert AuditEntry.objects.filter(action="consent.accept", actor=application.owner).count() == 1


def test_a_text_changed_since_the_page_was_loaded_must_be_accepted_again(client, login, application, consent):
    ConsentAcceptanceFactory(consent=consent)
    ConsentTextFactory(edition=application.edition, version=2, text_en="Now 3 years.")
    login(application.owner)

    response = _submit(client, application, consent="1")

    assert response.status_code == 200
    body = response.content.decode()
    assert "has changed since you opened this page" in body
    assert "Now 3 years." in body and 'value="2"' in body
    assert ConsentAcceptance.objects.filter(user=application.owner).count() == 0
    assert _submit(client, application, consent="2").status_code == 302
    assert ConsentAcceptance.objects.get(user=application.owner).consent.version == 2


def test_an_edition_without_a_text_asks_for_nothing(client, login, application):
    login(application.owner)
    assert 'name="consent"' not in client.get(f"/applications/{application.pk}/edit/").content.decode()
    assert _submit(client, application).status_code == 302


# --- the settings page ---------------------------------------------------------------------------------

def _privacy_post(**values) -> dict:
    return {"part": "privacy", "privacy-consent_text_en": "", "privacy-consent_text_ko": "",
            "privacy-retention_days": "", **values}


def test_the_secretariat_sets_the_text_in_both_languages_and_a_change_after_acceptance_is_a_new_version(
        client, login):
    edition = EditionFactory(state="draft")
    secretary = EditionRoleFactory(edition=edition, role="secretariat").user
    login(secretary)
    url = f"/e/{edition.slug}/settings/"

    response = client.post(url, _privacy_post(**{"privacy-consent_text_en": "Kept 5 years.",
                                                  "privacy-consent_text_ko": "5년 보관", "privacy-retention_days": "365"}))
    assert response.status_code == 302
    ConsentAcceptanceFactory(consent=ConsentText.objects.get(edition=edition))
    client.post(url, _privacy_post(**{"privacy-consent_text_en": "Kept 3 years.", "privacy-consent_text_ko": "3년 보관",
                                      "privacy-retention_days": "365"}))

    assert list(ConsentText.objects.filter(edition=edition).order_by("version").values_list(
        "version", "text_en", "text_ko")) == [(1, "Kept 5 years.", "5년 보관"), (2, "Kept 3 years.", "3년 보관")]
    edition.refresh_from_db()
    assert edition.retention_days == 365
    page = client.get(url).content.decode()
    assert "Version 1: accepted 1 time" in page and "Version 2: accepted 0 times" in page


def test_a_bad_retention_period_is_refused_beside_its_field_and_keeps_the_text(client, login):
    edition = EditionFactory(state="draft")
    login(EditionRoleFactory(edition=edition, role="secretariat").user)

    response = client.post(f"/e/{edition.slug}/settings/", _privacy_post(
        **{"privacy-consent_text_en": "Kept a while.", "privacy-retention_days": "-4"}))

    assert response.status_code == 200
    assert list(response.context["privacy_form"].errors) == ["retention_days"]
    assert "Kept a while." in response.content.decode()
    assert ConsentText.objects.count() == 0


@pytest.mark.parametrize("role", ["judge", "chair", "observer"])
def test_other_roles_cannot_set_the_text(client, login, role):
    edition = EditionFactory(state="draft")
    login(EditionRoleFactory(edition=edition, role=role).user)

    response = client.post(f"/e/{edition.slug}/settings/", _privacy_post(**{"privacy-consent_text_en": "Hijack"}))

    assert response.status_code == 403
    assert ConsentText.objects.count() == 0


def test_the_secretariat_of_another_edition_cannot_set_the_text(client, login):
    edition = EditionFactory(state="draft")
    login(EditionRoleFactory(role="secretariat").user)

    assert client.post(f"/e/{edition.slug}/settings/", _privacy_post(
        **{"privacy-consent_text_en": "Hijack"})).status_code == 403
    assert ConsentText.objects.count() == 0

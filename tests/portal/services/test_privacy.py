"""portal.services.privacy: the consent text's versions, its acceptance, and deletion requests."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.models import AuditEntry, ConsentText, DeletionRequest, EditionRole
from portal.services import privacy
from tests.factories import (
    ApplicationFactory,
    ConsentAcceptanceFactory,
    DeletionRequestFactory,
    EditionFactory,
    EditionRoleFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TEXTS = {"en": "We keep your data for the award.", "ko": "수상을 위해 정보를 보관합니다."}


def test_a_first_text_is_version_one_in_both_languages_and_audited():
    edition, secretary = EditionFactory(), UserFactory()

    consent = privacy.consent_text_save(edition=edition, user=secretary, texts=TEXTS)

    assert (consent.version, consent.text_en, consent.text_ko) == (1, TEXTS["en"], TEXTS["ko"])
    assert list(AuditEntry.objects.filter(action="consent.new_version").values_list("after", flat=True)) == [
        {"version": 1, **TEXTS}]


def test_a_text_nobody_accepted_yet_is_corrected_in_place():
    edition, secretary = EditionFactory(), UserFactory()
    privacy.consent_text_save(edition=edition, user=secretary, texts=TEXTS)

    corrected = privacy.consent_text_save(edition=edition, user=secretary, texts={**TEXTS, "en": "Typo fixed."})

    assert list(ConsentText.objects.filter(edition=edition).values_list("version", "text_en")) == [(1, "Typo fixed.")]
    assert corrected.version == 1


def test_changing_an_accepted_text_makes_a_new_version_and_keeps_the_old_with_its_acceptance():
    edition, secretary = EditionFactory(), UserFactory()
    first = privacy.consent_text_save(edition=edition, user=secretary, texts=TEXTS)
    acceptance = ConsentAcceptanceFactory(consent=first)

    second = privacy.consent_text_save(edition=edition, user=secretary, texts={**TEXTS, "ko": "새 문구"})

    assert second.version == 2
    assert list(ConsentText.objects.filter(edition=edition).order_by("version").values_list(
        "version", "text_ko")) == [(1, TEXTS["ko"]), (2, "새 문구")]
    acceptance.refresh_from_db()
    assert acceptance.consent_id == first.pk
    assert privacy.consent_current(edition=EditionFactory._meta.model.objects.get(pk=edition.pk)) == second


def test_saving_the_same_text_again_changes_nothing():
    edition, secretary = EditionFactory(), UserFactory()
    first = privacy.consent_text_save(edition=edition, user=secretary, texts=TEXTS)
    ConsentAcceptanceFactory(consent=first)

    assert privacy.consent_text_save(edition=edition, user=secretary, texts=dict(TEXTS)) == first
    assert ConsentText.objects.filter(edition=edition).count() == 1


def test_an_emptied_text_asks_for_no_consent_any_more():
    edition, secretary = EditionFactory(), UserFactory()
    ConsentAcceptanceFactory(consent=privacy.consent_text_save(edition=edition, user=secretary, texts=TEXTS))

    assert privacy.consent_text_save(edition=edition, user=secretary, texts={"en": "", "ko": ""}) is None
    assert privacy.consent_refusal(edition=EditionFactory._meta.model.objects.get(pk=edition.pk),
                                   accepted_version=None) is None


def test_consent_is_refused_when_missing_or_for_an_older_version():
    edition, secretary, applicant = EditionFactory(), UserFactory(), UserFactory()
    ConsentAcceptanceFactory(consent=privacy.consent_text_save(edition=edition, user=secretary, texts=TEXTS))
    privacy.consent_text_save(edition=edition, user=secretary, texts={**TEXTS, "en": "Version two."})
    edition = EditionFactory._meta.model.objects.get(pk=edition.pk)

    with pytest.raises(ValidationError) as missing:
        privacy.consent_accept(edition=edition, user=applicant, accepted_version=None)
    with pytest.raises(ValidationError) as stale:
        privacy.consent_accept(edition=edition, user=applicant, accepted_version=1)
    accepted = privacy.consent_accept(edition=edition, user=applicant, accepted_version=2)

    assert missing.value.message_dict == {"consent": ["Read the data protection text and accept it to submit."]}
    assert "has changed since you opened this page" in stale.value.message_dict["consent"][0]
    assert (accepted.user, accepted.consent.version) == (applicant, 2)


# --- deletion requests ---------------------------------------------------------------------------------

def test_asking_twice_is_one_request():
    person = UserFactory()
    first = privacy.deletion_request_create(user=person, reason="Moved on")
    again = privacy.deletion_request_create(user=person, reason="Please")

    assert first == again
    assert DeletionRequest.objects.filter(user=person).count() == 1


def test_only_the_person_cancels_their_pending_request():
    deletion_request = DeletionRequestFactory()
    with pytest.raises(PermissionDenied):
        privacy.deletion_request_cancel(deletion_request=deletion_request, user=UserFactory())

    privacy.deletion_request_cancel(deletion_request=deletion_request, user=deletion_request.user)

    deletion_request.refresh_from_db()
    assert deletion_request.state == DeletionRequest.State.CANCELLED


def _applicant_of(edition):
    membership = MembershipFactory()
    ApplicationFactory(edition=edition, organisation=membership.organisation)
    return membership.user


@pytest.mark.parametrize("role, may", [
    (EditionRole.Role.SECRETARIAT, True), (EditionRole.Role.JUDGE, False), (EditionRole.Role.CHAIR, False),
    (EditionRole.Role.OBSERVER, False),
])
def test_the_secretariat_of_the_persons_edition_decides_and_no_other_role(role, may):
    edition = EditionFactory()
    deletion_request = DeletionRequestFactory(user=_applicant_of(edition))
    holder = EditionRoleFactory(edition=edition, role=role).user

    assert privacy.can_decide_deletion(user=holder, deletion_request=deletion_request) is may


def test_the_secretariat_of_another_edition_and_the_person_themself_do_not_decide():
    edition = EditionFactory()
    deletion_request = DeletionRequestFactory(user=_applicant_of(edition))
    elsewhere = EditionRoleFactory(role=EditionRole.Role.SECRETARIAT).user
    superuser = UserFactory(is_superuser=True)

    assert privacy.can_decide_deletion(user=elsewhere, deletion_request=deletion_request) is False
    assert privacy.can_decide_deletion(user=deletion_request.user, deletion_request=deletion_request) is False
    assert privacy.can_decide_deletion(user=superuser, deletion_request=deletion_request) is True
    with pytest.raises(PermissionDenied):
        privacy.deletion_request_refuse(deletion_request=deletion_request, user=elsewhere, note="No.")


def test_a_refusal_needs_a_note_and_is_recorded_once():
    edition = EditionFactory()
    deletion_request = DeletionRequestFactory(user=_applicant_of(edition))
    secretary = EditionRoleFactory(edition=edition, role=EditionRole.Role.SECRETARIAT).user

    with pytest.raises(ValidationError):
        privacy.deletion_request_refuse(deletion_request=deletion_request, user=secretary, note=" ")
    privacy.deletion_request_refuse(deletion_request=deletion_request, user=secretary, note="Legal hold until 2027.")
    with pytest.raises(ValidationError):
        privacy.deletion_request_refuse(deletion_request=deletion_request, user=secretary, note="Again.")

    deletion_request.refresh_from_db()
    assert (deletion_request.state, deletion_request.decision_note, deletion_request.decided_by) == (
        DeletionRequest.State.REFUSED, "Legal hold until 2027.", secretary)
    assert AuditEntry.objects.filter(action="privacy.deletion_refuse").count() == 1

"""Deliberation, finalisation with the chair's second factor, publication: the services and their pages."""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value, yield_hotp_counters_from_time
from django.core.exceptions import ValidationError

from judging.models import AwardDecision, JudgingRound
from judging.services.edition_stages import edition_finalise, edition_publish, edition_start_deliberation
from portal.models import AuditEntry, Edition
from tests.factories import EditionRoleFactory
from tests.factories.scoring import make_world

pytestmark = pytest.mark.django_db


# --- the services --------------------------------------------------------------------------------------------


def test_deliberation_waits_for_every_round_to_close(db):
    world = make_world()
    with pytest.raises(ValidationError, match="Close every round first; still running: "):
        edition_start_deliberation(edition=world.edition, user=None)
    JudgingRound.objects.update(state=JudgingRound.State.CLOSED)
    assert edition_start_deliberation(edition=world.edition, user=None).state == "deliberation"


def test_finalising_needs_a_decision(deliberating):
    AwardDecision.objects.all().delete()
    with pytest.raises(ValidationError, match="not decided any prize yet"):
        edition_finalise(edition=deliberating.edition, user=deliberating.chair)


def test_finalising_refuses_an_open_round(deliberating):
    JudgingRound.objects.filter(pk=deliberating.round.pk).update(state=JudgingRound.State.OPEN)
    with pytest.raises(ValidationError, match="A round is still open"):
        edition_finalise(edition=deliberating.edition, user=deliberating.chair)


def test_publishing_needs_finalising_first(deliberating):
    with pytest.raises(ValidationError, match="finalises the edition before publishing"):
        edition_publish(edition=deliberating.edition, user=deliberating.chair)


def test_finalise_then_publish_stamps_the_edition_and_audits_each_step(deliberating):
    edition = edition_finalise(edition=deliberating.edition, user=deliberating.chair)
    assert (edition.state, edition.finalised_by) == ("finalised", deliberating.chair)
    assert edition.finalised_at is not None and edition.published_at is None
    edition = edition_publish(edition=edition, user=deliberating.chair)
    stored = Edition.objects.get(pk=edition.pk)
    assert (stored.state, stored.published_at is not None) == ("published", True)
    actions = list(AuditEntry.objects.filter(edition=edition).values_list("action", flat=True).order_by("id"))
    assert actions[-3:] == ["edition.deliberation", "edition.finalised", "edition.published"]
    with pytest.raises(ValidationError):
        edition_publish(edition=stored, user=deliberating.chair)


# --- the pages -----------------------------------------------------------------------------------------------


def _code(secret) -> str:
    return f"{hotp_value(secret, next(yield_hotp_counters_from_time())):06d}"


def test_the_chair_reauthenticates_with_the_totp_code_then_finalises(deliberating, client, settings):
    settings.PORTAL_MFA_REQUIRED = True
    chair = deliberating.chair
    secret = generate_totp_secret()
    TOTP.activate(chair, secret)
    client.force_login(chair)
    session = client.session  # last authenticated with the code an hour ago
    session["account_authentication_methods"] = [{"method": "mfa", "type": "totp", "at": time.time() - 3600}]
    session["account_authentication_methods_user"] = str(chair.pk)
    session.save()
    url = f"/e/{deliberating.edition.slug}/awards/finalise/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Scores, assignments, results and prize decisions are locked for good; the edition can then be published." in html
    assert deliberating.decision.application.title in html and "For listening to residents." in html

    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/2fa/reauthenticate/?next=")
    assert Edition.objects.get(pk=deliberating.edition.pk).state == "deliberation"
    response = client.post(response.url, {"code": _code(secret)})
    assert response.status_code == 302
    assert response.url == f"/e/{deliberating.edition.slug}/awards/publish/"
    assert Edition.objects.get(pk=deliberating.edition.pk).state == "finalised"


def test_a_wrong_code_finalises_nothing(deliberating, client, settings):
    settings.PORTAL_MFA_REQUIRED = True
    TOTP.activate(deliberating.chair, generate_totp_secret())
    client.force_login(deliberating.chair)
    response = client.post(f"/e/{deliberating.edition.slug}/awards/finalise/", {"confirm": "on"})
    client.post(response.url, {"code": "000000"})
    assert Edition.objects.get(pk=deliberating.edition.pk).state == "deliberation"


def test_a_chair_without_totp_is_sent_to_set_it_up(deliberating, client, settings):
    settings.PORTAL_MFA_REQUIRED = True
    client.force_login(deliberating.chair)
    response = client.get(f"/e/{deliberating.edition.slug}/awards/finalise/")
    assert response.status_code == 302 and response.url.startswith("/accounts/2fa/totp/activate/")


@pytest.mark.parametrize("role", ["secretariat", "observer", "committee", "judge", "other_chair"])
@pytest.mark.parametrize("page", ["finalise", "publish"])
def test_only_the_editions_chair_opens_the_pages(deliberating, client, role, page):
    if role == "other_chair":
        user = EditionRoleFactory(role="chair").user
    else:
        user = EditionRoleFactory(edition=deliberating.edition, role=role).user
    client.force_login(user)
    url = f"/e/{deliberating.edition.slug}/awards/{page}/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"confirm": "on"}).status_code == 403
    assert Edition.objects.get(pk=deliberating.edition.pk).state == "deliberation"


def test_the_publish_page_says_what_becomes_public_and_asks_for_confirmation(locked, client):
    client.force_login(locked.chair)
    url = f"/e/{locked.edition.slug}/awards/publish/"
    html = client.get(url).content.decode()
    assert "no score: the edition does not publish scores;" in html
    response = client.post(url, {})
    assert response.status_code == 200 and "Tick the box to confirm the publication." in response.content.decode()
    assert Edition.objects.get(pk=locked.edition.pk).state == "finalised"
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    assert Edition.objects.get(pk=locked.edition.pk).state == "published"


def test_the_publish_page_refuses_before_finalising(deliberating, client):
    client.force_login(deliberating.chair)
    url = f"/e/{deliberating.edition.slug}/awards/publish/"
    assert "The chair finalises the edition before publishing it." in client.get(url).content.decode()
    client.post(url, {"confirm": "on"})
    assert Edition.objects.get(pk=deliberating.edition.pk).state == "deliberation"


def test_the_workspace_shows_the_stage_and_the_secretariat_ends_judging(db, client):
    world = make_world()
    secretariat = world.role("secretariat")
    client.force_login(secretariat)
    html = client.get(f"/e/{world.edition.slug}/").content.decode()
    assert "Deliberation cannot start yet:" in html
    response = client.post(f"/e/{world.edition.slug}/awards/deliberation/", {"confirm": "on"}, follow=True)
    assert "Close every round first" in response.content.decode()
    JudgingRound.objects.update(state=JudgingRound.State.SCORED)
    html = client.get(f"/e/{world.edition.slug}/").content.decode()
    assert "End judging: start the deliberation" in html
    client.post(f"/e/{world.edition.slug}/awards/deliberation/")  # without the confirmation box: nothing
    assert Edition.objects.get(pk=world.edition.pk).state == "judging"
    client.post(f"/e/{world.edition.slug}/awards/deliberation/", {"confirm": "on"})
    assert Edition.objects.get(pk=world.edition.pk).state == "deliberation"


def test_an_observer_cannot_end_judging(db, client):
    world = make_world()
    JudgingRound.objects.update(state=JudgingRound.State.SCORED)
    client.force_login(world.role("observer"))
    assert client.get(f"/e/{world.edition.slug}/awards/deliberation/").status_code == 403
    assert client.post(f"/e/{world.edition.slug}/awards/deliberation/", {"confirm": "on"}).status_code == 403
    assert Edition.objects.get(pk=world.edition.pk).state == "judging"

"""An organiser creates an edition: a draft, whose secretariat they become, audited; anyone else is refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from portal.models import AuditEntry, Edition, EditionRole
from portal.services.editions import edition_create
from tests.factories import EditionFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

OPENS = datetime.datetime(2026, 4, 1, 0, 0, tzinfo=datetime.UTC)


def data(**changes) -> dict:
    return {"name": "  Seoul Smart City Prize 2026 ", "slug": "seoul-2026", "programme": "Seoul Smart City Prize",
            "description": "Cities apply.", "time_zone": "Asia/Seoul", "opens_at": OPENS,
            "closes_at": OPENS + datetime.timedelta(days=45), **changes}


def test_an_organiser_creates_a_draft_and_becomes_its_secretariat():
    organiser = VerifiedUserFactory(is_organiser=True)
    edition = edition_create(user=organiser, data={**data(), "state": "published", "published_at": OPENS})
    edition.refresh_from_db()
    assert (edition.name, edition.slug, edition.programme, edition.time_zone, edition.opens_at, edition.state,
            edition.published_at) == (
        "Seoul Smart City Prize 2026", "seoul-2026", "Seoul Smart City Prize", "Asia/Seoul", OPENS, "draft", None)
    assert list(EditionRole.objects.filter(edition=edition).values_list("user_id", "role")) == [
        (organiser.pk, "secretariat")]
    entries = AuditEntry.objects.filter(edition=edition).order_by("id")
    assert list(entries.values_list("action", "actor_id")) == [
        ("edition.create", organiser.pk), ("role.grant", organiser.pk)]
    assert entries[0].after["state"] == "draft"
    assert entries[1].after == {"user": organiser.email, "role": "secretariat"}


@pytest.mark.parametrize("who", ["not an organiser", "an inactive organiser"])
def test_anyone_else_is_refused_and_nothing_is_written(who):
    user = VerifiedUserFactory(is_organiser=who != "not an organiser", is_active=who == "not an organiser")
    with pytest.raises(ValidationError, match="Only organisers create editions"):
        edition_create(user=user, data=data())
    assert (Edition.objects.count(), AuditEntry.objects.count(), EditionRole.objects.count()) == (0, 0, 0)


@pytest.mark.parametrize(("changes", "errors"), [
    ({"slug": "taken"}, {"slug": ["Another edition already uses the address “taken”; choose another."]}),
    ({"closes_at": OPENS}, {"closes_at": ["The closing time must come after the opening time."]}),
    ({"time_zone": "Mars/Olympus"}, {"time_zone": ["“Mars/Olympus” is not a known time zone, e.g. Asia/Seoul."]}),
    ({"name": "   "}, {"name": ["This field cannot be blank."]}),
    ({"slug": "taken", "closes_at": OPENS}, {  # every problem at once
        "slug": ["Another edition already uses the address “taken”; choose another."],
        "closes_at": ["The closing time must come after the opening time."]}),
])
def test_bad_input_is_refused_beside_its_field(changes, errors):
    EditionFactory(slug="taken")
    organiser = VerifiedUserFactory(is_organiser=True)
    with pytest.raises(ValidationError) as refused:
        edition_create(user=organiser, data=data(**changes))
    assert refused.value.message_dict == errors
    assert (Edition.objects.count(), AuditEntry.objects.count()) == (1, 0)

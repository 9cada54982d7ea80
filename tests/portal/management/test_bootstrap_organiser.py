"""bootstrap_organiser: the first organiser of an installation, idempotent, with a link or a password."""

import io
import re

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from portal.models import AuditEntry, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("bootstrap_organiser", *args, stdout=out)
    return out.getvalue()


def test_a_new_organiser_gets_a_one_time_link_that_sets_the_password(client, settings):
    output = run("Ada@Example.org", "--name", "Ada Lovelace")
    user = User.objects.get(email="ada@example.org")
    assert (user.name, user.is_organiser, user.has_usable_password()) == ("Ada Lovelace", True, False)
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")) == [
        ("ada@example.org", True, True)]
    link = re.search(r"\S+/accounts/password/reset/key/\S+/", output).group(0)
    assert link.startswith(settings.PORTAL_BASE_URL)
    path = link.removeprefix(settings.PORTAL_BASE_URL)
    # allauth swaps the key for a session-held one and shows the form at a neutral address.
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200 and "password1" in form_page.content.decode()
    response = client.post(form_page.redirect_chain[-1][0],
                           {"password1": "a-long-enough-passphrase", "password2": "a-long-enough-passphrase"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-long-enough-passphrase")
    # One time: the same link no longer works once the password changed.
    assert "Bad Token" in client.get(path, follow=True).content.decode()


def test_it_is_idempotent_and_takes_a_password_from_the_environment(monkeypatch):
    existing = UserFactory(email="ops@example.org", name="")
    EmailAddress.objects.create(user=existing, email="ops@example.org", verified=False, primary=True)
    monkeypatch.setenv("ORGANISER_PASSWORD", "another-long-passphrase")
    for _time in range(2):
        output = run("ops@example.org", "--name", "Ops", "--password-from-env", "ORGANISER_PASSWORD")
        assert "Found ops@example.org" in output and "The password is set." in output
    user = User.objects.get(email="ops@example.org")
    assert (user.pk, user.name, user.is_organiser, user.check_password("another-long-passphrase")) == (
        existing.pk, "Ops", True, True)
    assert list(EmailAddress.objects.values_list("email", "verified")) == [("ops@example.org", True)]
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["organiser.grant"]
    assert User.objects.count() == 1


@pytest.mark.parametrize(("args", "message"), [
    (["not-an-address"], "is not an e-mail address"),
    (["a@example.org", "--password-from-env", "NO_SUCH_VARIABLE_HERE"], "is empty or not set"),
])
def test_bad_arguments_are_explained(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not User.objects.exists()


def test_a_weak_password_is_refused_and_nothing_is_made(monkeypatch):
    monkeypatch.setenv("WEAK", "123")
    with pytest.raises(CommandError, match="too short"):
        run("weak@example.org", "--password-from-env", "WEAK")
    assert not User.objects.exists()

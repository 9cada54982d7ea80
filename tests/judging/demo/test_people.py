"""The demo's people: logging in as one never rewrites the stored password (no write inside the login)."""

import pytest
from django.contrib.auth.hashers import identify_hasher

from judging.demo.people import DEMO_PASSWORD, demo_password_hash, demo_user
from portal.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("hashers", [
    ["django.contrib.auth.hashers.Argon2PasswordHasher",  # production's default
     "django.contrib.auth.hashers.PBKDF2PasswordHasher"],
    ["django.contrib.auth.hashers.PBKDF2PasswordHasher"],  # the default before
    ["django.contrib.auth.hashers.MD5PasswordHasher"],  # the tests'
])
def test_logging_in_as_a_demo_user_leaves_the_stored_hash_alone(client, settings, hashers):
    settings.PASSWORD_HASHERS = hashers
    demo_password_hash.cache_clear()
    try:
        stored = demo_password_hash()
        assert identify_hasher(stored).must_update(stored) is False
        user = demo_user("judge9@demo.example", "Demo Judge Nine", password=stored)
        response = client.post("/accounts/login/", {"login": user.email, "password": DEMO_PASSWORD})
        assert response.status_code == 302
        assert User.objects.get(pk=user.pk).password == stored
    finally:
        demo_password_hash.cache_clear()


def test_a_password_hashed_with_pbkdf2_before_still_logs_in(client, settings):
    from django.contrib.auth.hashers import make_password

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher",
                                 "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    old = make_password(DEMO_PASSWORD, hasher="pbkdf2_sha256")
    user = demo_user("judge8@demo.example", "Demo Judge Eight", password=old)
    response = client.post("/accounts/login/", {"login": user.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert identify_hasher(User.objects.get(pk=user.pk).password).algorithm == "argon2"

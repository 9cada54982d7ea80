"""The authorization matrix: every URL of the URLconf (the admin's and allauth's included) for every role.

For each (URL, role) the table in tests/matrix/expectations.py says whether a GET is allowed (and with which
status) or refused (403/404/405, or a redirect to a login page), and whether a POST is allowed; a POST from any
role not allowed to post is sent, must be refused, and must change no row of the database. Whatever the status,
a page never shows a role the secrets it may not read (A's organisation, title and address; a judge's comment for
the committee; a draft decision's reason). A URL missing from the table fails.

The data is built once per module (tests/matrix/world.py) inside a transaction rolled back at the end; each test
runs in a savepoint of it, so a POST that slips through cannot spoil the next test.
"""

from urllib.parse import urlparse

import pytest
from django.db import transaction
from django.test import Client, override_settings

from tests.matrix.expectations import EXPECTATIONS, admin_row, secrets_for
from tests.matrix.fingerprint import changes_nothing
from tests.matrix.urls import all_patterns, path_for
from tests.matrix.world import A_SECRETS, DECISION_SECRETS, ROLES, SCORE_SECRETS, build_world

PATTERNS = {pattern.key: pattern for pattern in all_patterns()}
# The admin's URLs follow one rule (tests/matrix/expectations.py, `admin_row`): a new model admin is covered.
EXPECTATIONS.update({key: admin_row(pattern.route) for key, pattern in PATTERNS.items()
                     if pattern.route.startswith("admin/")})
CASES = [(key, role) for key in PATTERNS for role in ROLES]
LOGIN_PAGES = ("/accounts/login/", "/admin/login/")
# Where a refused visitor is sent: a login page, or (from the admin's logout) the admin's index, which sends them on
# to its login.
REFUSAL_REDIRECTS = (*LOGIN_PAGES, "/admin/")
REFUSED = {403, 404, 405}


def _storages(root) -> dict:
    from django.conf import settings

    storages = dict(settings.STORAGES)
    storages["default"] = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                           "OPTIONS": {"location": str(root), "base_url": None}}
    return storages


@pytest.fixture(scope="module")
def matrix_media(tmp_path_factory):
    return tmp_path_factory.mktemp("matrix-private")


@pytest.fixture(autouse=True)
def _private_media(settings, matrix_media):
    """The module's files live in one folder for all its tests (the data is built once)."""
    settings.PRIVATE_MEDIA_ROOT = matrix_media
    settings.STORAGES = _storages(matrix_media)


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, matrix_media):
    """The world and one logged-in client per role, in a transaction rolled back after the module."""
    with django_db_blocker.unblock(), override_settings(PRIVATE_MEDIA_ROOT=matrix_media,
                                                        STORAGES=_storages(matrix_media)):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = build_world()
            clients = {}
            for role in ROLES:
                clients[role] = Client()
                if world.users[role] is not None:
                    clients[role].force_login(world.users[role],
                                              backend="django.contrib.auth.backends.ModelBackend")
            yield world, clients
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and urlparse(response["Location"]).path in LOGIN_PAGES


def _refused(response, role: str) -> bool:
    return response.status_code in REFUSED or (
        response.status_code == 302 and urlparse(response["Location"]).path in REFUSAL_REDIRECTS)


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8", errors="replace")


def test_every_url_has_a_row_and_every_row_a_url():
    missing = sorted(set(PATTERNS) - set(EXPECTATIONS))
    stale = sorted(set(EXPECTATIONS) - set(PATTERNS))
    assert (missing, stale) == ([], []), "decide who may see each new URL in tests/matrix/expectations.py"


def test_a_url_without_a_row_fails_the_matrix():
    """The check above is not vacuous: the URLconf has hundreds of patterns, the admin's and allauth's among them."""
    assert len(PATTERNS) > 300
    assert {"admin:index", "account_login", "judging:scoring_review", "portal:audit_trail"} <= set(PATTERNS)


def test_the_write_check_sees_a_write_that_keeps_every_count(matrix, db):
    """`changes_nothing` is not vacuous: an update (no count changes) and an insert both fail it."""
    from portal.models import Edition
    from tests.factories import AuditEntryFactory

    world, _ = matrix
    with pytest.raises(AssertionError, match="wrote to the database"), changes_nothing("an update"):
        Edition.objects.filter(pk=world.edition.pk).update(name="Renamed")
    with pytest.raises(AssertionError, match="wrote to the database"), changes_nothing("an insert"):
        AuditEntryFactory(edition=world.edition)


SHOWN_TO_READERS = [
    # (URL key, role, secret): the leak checks look for strings that the allowed pages really show.
    ("submissions:my_applications", "applicant_a", A_SECRETS[1]),
    ("submissions:screening_list", "observer", A_SECRETS[0]),
    ("portal:organisation_detail", "applicant_a", A_SECRETS[2]),
    ("judging:scoring_leaderboard", "chair", A_SECRETS[1]),
    ("judging:awards_export_scores", "observer", SCORE_SECRETS[0]),
    ("judging:scoring_review", "judge_assigned", SCORE_SECRETS[0]),
    ("judging:awards_export_results", "secretariat", A_SECRETS[1]),
    ("judging:awards_deliberation", "chair", DECISION_SECRETS[0]),
    ("judging:group_mail_detail", "observer", A_SECRETS[2]),
    ("judging:group_mail_detail", "secretariat", A_SECRETS[0]),
]


@pytest.mark.parametrize(("key", "role", "secret"), SHOWN_TO_READERS)
def test_the_secrets_are_on_the_pages_of_those_who_may_read_them(matrix, db, key, role, secret):
    """Without this the leak checks could pass because a secret is shown nowhere at all."""
    world, clients = matrix
    response = clients[role].get(path_for(PATTERNS[key], world))
    assert (response.status_code, secret in _text(response)) == (200, True)


@pytest.mark.parametrize("name", ["scoring_review", "scoring_autosave", "scoring_conflict", "scoring_attachment"])
def test_a_judge_who_declared_a_conflict_no_longer_reaches_that_entry(matrix, db, name):
    """The matrix names the assigned judge's assignment; this is the conflicted judge's own (now inactive) one."""
    world, clients = matrix
    pk = world.objects["conflicted"].pk
    path = {"scoring_review": f"/scoring/assignments/{pk}/", "scoring_autosave": f"/scoring/assignments/{pk}/autosave/",
            "scoring_conflict": f"/scoring/assignments/{pk}/conflict/",
            "scoring_attachment": f"/scoring/assignments/{pk}/attachments/1/"}[name]
    client = clients["judge_conflict"]
    assert client.get(path).status_code in REFUSED
    with changes_nothing(f"the conflicted judge's POST to {path}"):
        assert client.post(path, {}).status_code in REFUSED


@pytest.mark.parametrize(("key", "role"), CASES, ids=[f"{key}-{role}" for key, role in CASES])
def test_matrix(matrix, db, key, role):
    world, clients = matrix
    row = EXPECTATIONS.get(key)
    assert row is not None, f"{key} is not in tests/matrix/expectations.py: decide who may see it"
    path = path_for(PATTERNS[key], world)
    client = clients[role]

    response = client.get(path)
    if role in row.get:
        assert response.status_code in row.status and not _is_login_redirect(response), (
            f"{role} may GET {path}: got {response.status_code} {response.get('Location', '')}")
    else:
        assert _refused(response, role), (
            f"{role} may not GET {path}: got {response.status_code} {response.get('Location', '')}")
    if response.status_code == 200:
        text = _text(response)
        shown = [secret for secret in secrets_for(role) if secret in text and secret not in row.may_show.get(role, ())]
        assert shown == [], f"{path} shows {role} what they may not read"

    if role not in row.post:
        with changes_nothing(f"a refused POST by {role} to {path}"):
            response = client.post(path, {})
        answered_as_read = role in row.get and response.status_code in row.status
        assert _refused(response, role) or answered_as_read or response.status_code in row.post_refusal, (
            f"{role} may not POST to {path}: got {response.status_code} {response.get('Location', '')}")

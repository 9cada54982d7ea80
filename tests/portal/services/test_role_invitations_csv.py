"""Many invitations from a CSV file: every row checked (nothing written), then only the good rows invited."""

import pytest
from django.core.exceptions import ValidationError

from portal.models import RoleInvitation
from portal.services import role_invitations_csv as services
from tests.factories import EditionRoleFactory, RoleInvitationFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

GOOD_AND_BAD = (
    "\ufeffEmail,Name,Role,Language\n"
    "kim@example.org,Kim Min-ji,judge,ko\n"
    "Lee@Example.org,Lee Jun,Observer,\n"
    "not-an-address,Nobody,judge,en\n"
    "park@example.org,Park,king,fr\n"
    "kim@example.org,Kim again,judge,ko\n"
    "holder@example.org,Holder,judge,en\n"
    "pending@example.org,Pending,chair,en\n"
    ",,,\n"
    "known@example.org,Known,committee member,English\n"
)


@pytest.fixture
def edition():
    edition = EditionRoleFactory(role="secretariat").edition
    EditionRoleFactory(edition=edition, role="judge", user__email="holder@example.org")
    RoleInvitationFactory(edition=edition, role="chair", email="pending@example.org")
    VerifiedUserFactory(email="known@example.org")
    return edition


def test_a_name_too_long_to_store_is_said_in_the_preview_and_the_good_rows_are_still_invited(edition):
    data = f"email,name,role,language\nlong@example.org,{'N' * 201},judge,en\nok@example.org,Ok,judge,en\n"
    rows = services.invitation_csv_parse(edition=edition, data=data.encode())
    assert [(row.email, row.errors) for row in rows] == [
        ("long@example.org", ["The name is longer than 200 characters."]), ("ok@example.org", [])]
    secretariat = edition.roles.get(role="secretariat").user
    invited = services.role_invite_many(edition=edition, data=data.encode(), actor=secretariat)
    assert [invitation.email for invitation in invited] == ["ok@example.org"]


def test_the_preview_says_what_happens_to_each_line(edition):
    rows = services.invitation_csv_parse(edition=edition, data=GOOD_AND_BAD.encode())
    assert [(row.line, row.email, row.role, row.language, row.has_account, row.errors) for row in rows] == [
        (2, "kim@example.org", "judge", "ko", False, []),
        (3, "lee@example.org", "observer", "en", False, []),
        (4, "not-an-address", "judge", "en", False, ["“not-an-address” is not an e-mail address."]),
        (5, "park@example.org", "king", "fr", False, [
            "Unknown role “king”: use one of secretariat, judge, chair, observer, committee.",
            "Unknown language “fr”: use one of en, ko."]),
        (6, "kim@example.org", "judge", "ko", False, ["The same address and role appear earlier in the file."]),
        (7, "holder@example.org", "judge", "en", True, ["holder@example.org already holds this role in this edition."]),
        (8, "pending@example.org", "chair", "en", False, [
            "pending@example.org already has a pending invitation to this role: resend it instead."]),
        (10, "known@example.org", "committee", "en", True, []),
    ]
    assert RoleInvitation.objects.count() == 1  # the preview writes nothing


def test_confirming_invites_the_good_lines_only(edition):
    secretariat = edition.roles.get(role="secretariat").user
    created = services.role_invite_many(edition=edition, data=GOOD_AND_BAD.encode(), actor=secretariat, message="Hi")
    assert sorted((i.email, i.role, i.language, i.message) for i in created) == [
        ("kim@example.org", "judge", "ko", "Hi"), ("known@example.org", "committee", "en", "Hi"),
        ("lee@example.org", "observer", "en", "Hi")]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "must name the columns"),
    (b"name,language\nKim,ko\n", "missing: email, role"),
    (b"email,role\n", "no rows under its first line"),
    ("email,role\nkim@example.org,심사위원\n".encode("cp949"), "not UTF-8"),
    (b"email,role\n" + b"a@example.org,judge\n" * 501, "more than 500 rows"),
    (b"email,role\n" + b"x" * (600 * 1024), "larger than 512 KB"),
    (b'email,role\n"kim@example.org,judge\n', "could not be read as CSV"),
])
def test_a_bad_file_gets_a_clear_message(edition, data, message):
    with pytest.raises(ValidationError, match=message):
        services.invitation_csv_parse(edition=edition, data=data)

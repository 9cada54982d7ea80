"""The roles page: the committee reads it, only the secretariat changes it; nothing of another edition shows or
can be touched; the list's query count is fixed."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from judging.models import JudgeProfile
from portal.models import AuditEntry, EditionRole, RoleInvitation
from tests.factories import EditionFactory, EditionRoleFactory, RoleInvitationFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Edition A with its people and an invitation; edition B with its own, which must never show in A's page."""
    a, b = EditionFactory(name="Edition A"), EditionFactory(name="Edition B")
    people = {role: EditionRoleFactory(edition=a, role=role, user__email=f"{role}.a@example.org").user
              for role in ("secretariat", "chair", "observer", "judge", "committee")}
    invitation = RoleInvitationFactory(edition=a, email="invited.a@example.org", role="observer")
    b_secretariat = EditionRoleFactory(edition=b, role="secretariat", user__email="secretariat.b@example.org").user
    b_invitation = RoleInvitationFactory(edition=b, email="invited.b@example.org", role="judge")
    return {"a": a, "b": b, "people": people, "invitation": invitation, "b_secretariat": b_secretariat,
            "b_invitation": b_invitation, "url": f"/e/{a.slug}/roles/"}


@pytest.mark.parametrize(("role", "can_manage"), [("secretariat", True), ("chair", False), ("observer", False)])
def test_the_committee_reads_the_page_and_only_the_secretariat_may_change(world, client, login, role, can_manage):
    login(world["people"][role])
    response = client.get(world["url"])
    html = response.content.decode()
    assert response.status_code == 200
    assert "judge.a@example.org" in html and "invited.a@example.org" in html
    assert "secretariat.b@example.org" not in html and "invited.b@example.org" not in html
    assert ("Send the invitation" in html) is can_manage
    assert ("/revoke/" in html) is can_manage


@pytest.mark.parametrize("role", ["judge", "committee"])
def test_judges_and_committee_members_cannot_open_it(world, client, login, role):
    login(world["people"][role])
    assert client.get(world["url"]).status_code == 403


def test_another_editions_secretariat_can_neither_see_nor_touch_edition_a(world, client, login):
    login(world["b_secretariat"])
    a, judge, invitation = world["a"], world["people"]["judge"], world["invitation"]
    assert client.get(world["url"]).status_code == 403
    assert client.post(world["url"], {"email": "x@example.org", "role": "judge", "language": "en"}).status_code == 403
    assert client.post(f"/e/{a.slug}/roles/{judge.pk}/judge/revoke/").status_code == 403
    assert client.post(f"/e/{a.slug}/roles/{judge.pk}/judge/change/", {"role": "chair"}).status_code == 403
    assert client.post(f"/e/{a.slug}/roles/invitations/{invitation.pk}/revoke/").status_code == 403
    # Edition B's URL with edition A's invitation: not found, and untouched.
    b = world["b"]
    assert client.post(f"/e/{b.slug}/roles/invitations/{invitation.pk}/revoke/").status_code == 404
    assert client.post(f"/e/{b.slug}/roles/invitations/{invitation.pk}/resend/").status_code == 404
    assert client.post(f"/e/{b.slug}/roles/{judge.pk}/judge/revoke/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.status() == "pending"
    assert EditionRole.objects.filter(edition=a, user=judge, role="judge").exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", ["chair", "observer"])
def test_readers_cannot_post_changes(world, client, login, role):
    login(world["people"][role])
    observer = world["people"]["observer"]
    assert client.post(world["url"], {"email": "x@example.org", "role": "judge", "language": "en"}).status_code == 403
    assert client.post(f"/e/{world['a'].slug}/roles/{observer.pk}/observer/revoke/").status_code == 403
    assert client.post(f"/e/{world['a'].slug}/roles/invitations/{world['invitation'].pk}/resend/").status_code == 403
    assert not AuditEntry.objects.exists()


def test_the_secretariat_invites_one_person(world, client, login, django_capture_on_commit_callbacks):
    login(world["people"]["secretariat"])
    data = {"email": "Kim@Example.org", "name": "Kim", "role": "chair", "language": "ko", "message": "Welcome"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(world["url"], data, follow=True)
    assert "Invitation sent to kim@example.org." in response.content.decode()
    invitation = RoleInvitation.objects.get(email="kim@example.org")
    assert (invitation.role, invitation.language, invitation.message) == ("chair", "ko", "Welcome")
    assert [message.to for message in mail.outbox] == [["kim@example.org"]]


def test_a_refused_invitation_keeps_what_was_typed(world, client, login):
    login(world["people"]["secretariat"])
    response = client.post(world["url"], {"email": "judge.a@example.org", "name": "Kept Name", "role": "judge",
                                          "language": "en", "message": "Kept message"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "judge.a@example.org already holds this role in this edition." in html
    assert 'value="Kept Name"' in html and "Kept message" in html


def test_revoking_asks_for_confirmation_then_is_audited(world, client, login):
    login(world["people"]["secretariat"])
    observer = world["people"]["observer"]
    url = f"/e/{world['a'].slug}/roles/{observer.pk}/observer/revoke/"
    page = client.get(url).content.decode()
    assert "Take the role Observer in Edition A from" in page
    assert EditionRole.objects.filter(user=observer).exists()
    response = client.post(url, follow=True)
    assert "no longer holds the role Observer" in response.content.decode()
    assert not EditionRole.objects.filter(user=observer).exists()
    assert AuditEntry.objects.get().action == "role.revoke"


def test_the_last_secretariat_member_cannot_revoke_themselves(world, client, login):
    me = world["people"]["secretariat"]
    login(me)
    response = client.post(f"/e/{world['a'].slug}/roles/{me.pk}/secretariat/revoke/", follow=True)
    assert "last secretariat member" in response.content.decode()
    assert EditionRole.objects.filter(user=me, role="secretariat").exists()


def test_changing_a_role(world, client, login):
    login(world["people"]["secretariat"])
    chair = world["people"]["chair"]
    response = client.post(f"/e/{world['a'].slug}/roles/{chair.pk}/chair/change/", {"role": "observer"}, follow=True)
    assert "is now Observer instead of Chair" in response.content.decode()
    assert list(EditionRole.objects.filter(user=chair).values_list("role", flat=True)) == ["observer"]


def test_resend_and_withdraw_an_invitation(world, client, login, django_capture_on_commit_callbacks):
    login(world["people"]["secretariat"])
    base = f"/e/{world['a'].slug}/roles/invitations/{world['invitation'].pk}"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{base}/resend/")
    assert [message.to for message in mail.outbox] == [["invited.a@example.org"]]
    response = client.post(f"{base}/revoke/", follow=True)
    assert "its link no longer works" in response.content.decode()
    assert "invited.a@example.org" not in response.content.decode().split("Invitations not yet accepted")[1]


def test_the_audit_trail_shows_role_changes_readably(world, client, login):
    login(world["people"]["secretariat"])
    chair = world["people"]["chair"]
    client.post(f"/e/{world['a'].slug}/roles/{chair.pk}/chair/change/", {"role": "observer"})
    html = client.get(f"/e/{world['a'].slug}/audit/?kind=role").content.decode()
    assert "Role given" in html and "Role revoked" in html
    assert '<span class="audit-after">Observer</span>' in html and '<del class="audit-before">Chair</del>' in html


@pytest.mark.parametrize("rows", [1, 30])
def test_the_list_query_count_does_not_grow(client, login, django_assert_num_queries, rows):
    edition = EditionFactory()
    secretariat = EditionRoleFactory(edition=edition, role="secretariat").user
    for _n in range(rows):
        user = VerifiedUserFactory()
        EditionRoleFactory(edition=edition, user=user, role="observer")
        EditionRoleFactory(edition=edition, user=user, role="committee")
        RoleInvitationFactory(edition=edition)
    login(secretariat)
    url = f"/e/{edition.slug}/roles/"
    client.get(url)
    # session, user, the edition with the role check, MFA's authenticator check (off here: none), the people, the
    # invitations, ...
    with django_assert_num_queries(7):
        response = client.get(url)
    assert len(response.context["people"]) == rows + 1


def test_the_roles_page_gives_and_takes_the_judge_role_with_its_profile(world, client, login):
    login(world["people"]["secretariat"])
    observer, slug = world["people"]["observer"], world["a"].slug
    client.post(f"/e/{slug}/roles/{observer.pk}/observer/change/", {"role": "judge"})
    assert list(JudgeProfile.objects.filter(user=observer).values_list("edition", "active")) == [(world["a"].pk, True)]
    client.post(f"/e/{slug}/roles/{observer.pk}/judge/revoke/")
    assert not EditionRole.objects.filter(user=observer).exists()
    assert list(JudgeProfile.objects.filter(user=observer).values_list("active", flat=True)) == [False]


def test_a_change_without_a_new_role_is_explained(world, client, login):
    login(world["people"]["secretariat"])
    chair = world["people"]["chair"]
    response = client.post(f"/e/{world['a'].slug}/roles/{chair.pk}/chair/change/", {"role": ""}, follow=True)
    assert "Choose the new role first." in response.content.decode()
    assert list(EditionRole.objects.filter(user=chair).values_list("role", flat=True)) == ["chair"]


def test_the_csv_upload_previews_then_invites_on_confirmation(world, client, login):
    login(world["people"]["secretariat"])
    url = f"/e/{world['a'].slug}/roles/csv/"
    data = "email,name,role,language\nkim@example.org,Kim,judge,ko\nbroken,Nobody,king,en\n"
    response = client.post(url, {"file": SimpleUploadedFile("people.csv", data.encode()), "message": "Hello"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 line will be invited; 1 line has an error and will be skipped." in html
    assert "Unknown role “king”" in html
    assert RoleInvitation.objects.filter(edition=world["a"]).count() == 1  # only the world's own
    response = client.post(url, {"confirm": "1", "csv": data, "message": "Hello"})
    assert response.status_code == 302
    invitation = RoleInvitation.objects.get(email="kim@example.org")
    assert (invitation.edition, invitation.role, invitation.language, invitation.message) == (
        world["a"], "judge", "ko", "Hello")


@pytest.mark.parametrize(("content", "message"), [
    (b"name\nKim\n", "The first line must name the columns"),
    ("email,role\n김@example.org,judge\n".encode("cp949"), "save it as “CSV UTF-8”"),
])
def test_a_bad_csv_file_gets_a_clear_message(world, client, login, content, message):
    login(world["people"]["secretariat"])
    response = client.post(f"/e/{world['a'].slug}/roles/csv/", {"file": SimpleUploadedFile("x.csv", content)})
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize("role", ["chair", "observer"])
def test_only_the_secretariat_uploads_a_csv(world, client, login, role):
    login(world["people"][role])
    assert client.get(f"/e/{world['a'].slug}/roles/csv/").status_code == 403

"""Every admin URL, walked by everyone who might try it, with data of two editions present that must not leak.

Only an active superuser gets in (portal/admin/site.py); everyone else, staff and the old "Secretariat" group
included, is sent to log in or refused, reads nothing and changes nothing, whatever they GET or POST. The superuser
opens every page without an error, and whatever they change in the admin writes to the audit trail. A URL pattern
the walk does not know fails `test_the_walk_covers_every_admin_url`.
"""

import pytest
from django.contrib import admin
from django.test import Client

from judging.models import Assignment, Criterion, Rubric
from portal.models import AuditEntry

from .conftest import CATCH_ALL, LEAK, OBJECT_REDIRECT

pytestmark = pytest.mark.django_db

NOT_SUPERUSERS = ["anonymous", "applicant", "judge", "secretariat of A", "staff secretariat of B",
                  "staff with every permission"]

# What the superuser may do with each registered model, so a newly registered model fails until it is decided
# here: (add, delete). Change pages always open (read-only where no service-backed change exists).
SUPERUSER_MAY = {
    "auth.Group": (False, False), "account.EmailAddress": (False, False), "mfa.Authenticator": (False, True),
    "portal.User": (True, False), "portal.Organisation": (False, False), "portal.Membership": (True, False),
    "portal.EditionRole": (True, True), "portal.AuditEntry": (False, False), "portal.Invitation": (False, False),
    "portal.Edition": (False, False), "submissions.Category": (True, True), "submissions.Application": (False, False),
    "submissions.ApplicationSnapshot": (False, False), "submissions.Attachment": (False, False),
    "submissions.StatusChange": (False, False), "judging.JudgeProfile": (True, False), "judging.Bid": (True, True),
    "judging.Conflict": (True, True), "judging.JudgingRound": (True, True), "judging.Assignment": (False, False),
    "judging.AssignmentRun": (False, False), "judging.Rubric": (True, True), "judging.Criterion": (True, True),
    "judging.Review": (False, False), "judging.EntryResult": (False, False), "judging.JudgeResult": (False, False),
    "judging.AggregationRun": (False, False), "judging.CalibrationEntry": (False, False),
    "judging.Shortlisting": (False, False), "worker.WorkerHeartbeat": (False, False),
    "worker.OutboxMessage": (False, False),
}
# The admin actions there are; each is a service call (tested in the apps' admin tests), refused to everyone else.
ACTIONS = {
    "portal.Edition": ["edition_close", "edition_open", "edition_start_screening"],
    "submissions.Application": ["mark_eligible", "mark_ineligible"],
    "judging.Assignment": ["release"],
}
# The superuser's GET status where it is not 200, and why.
SUPERUSER_STATUS = {
    "login": 302,  # already in: on to the index
    "logout": 405,  # logging out is a POST
    "view_on_site": 404,  # an edition has no public URL of its own in the admin's sense
    CATCH_ALL: 404,
    OBJECT_REDIRECT: 302,  # on to the change page
}
# Rows whose delete page refuses for a reason of the row itself (the walk takes each model's first row).
REFUSED_ROW_DELETE = {
    "judging.JudgingRound": 302,  # it has reviews: back to its page, with the reason
    "judging.Rubric": 403,  # frozen by the first score
    "judging.Criterion": 403,  # its rubric is frozen
}


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_walk_covers_every_admin_url(every_admin_url, every_admin_pattern, admin_world):
    assert set(every_admin_url) == every_admin_pattern
    assert sorted(model._meta.label for model in admin.site._registry) == sorted(SUPERUSER_MAY)


def test_the_walk_knows_every_action(admin_world, rf):
    request = rf.get("/admin/")
    request.user = admin_world.people["superuser"]
    found = {model._meta.label: sorted(model_admin.get_actions(request))
             for model, model_admin in admin.site._registry.items() if model_admin.get_actions(request)}
    assert found == ACTIONS


def _refused(response) -> bool:
    """Sent to log in (or, for the logout URL, to the index that will send them there), or refused outright."""
    if response.status_code == 302:
        return response.url.startswith(("/accounts/login/", "/admin/login/")) or response.url == "/admin/"
    return response.status_code in (403, 405)


@pytest.mark.parametrize("who", NOT_SUPERUSERS)
def test_no_one_but_a_superuser_reads_or_changes_anything(admin_world, every_admin_url, fingerprint, who):
    client = _client(admin_world.people[who])
    before, trail = fingerprint(), AuditEntry.objects.count()
    posts = {"post": "yes", "_save": "Save", "is_superuser": "on", "is_staff": "on", "role": "secretariat",
             "password1": "Another-horse-9", "password2": "Another-horse-9", "new_password1": "Another-horse-9",
             "new_password2": "Another-horse-9", "state": "published", "status": "eligible"}
    for pattern, urls in every_admin_url.items():
        for url in urls:
            for response in (client.get(url), client.post(url, posts)):
                assert _refused(response), (who, url, response.status_code)
                assert LEAK not in response.content.decode(), (who, url)
    objects = admin_world.objects
    for label, actions in ACTIONS.items():
        model = next(model for model in objects if model._meta.label == label)
        changelist = every_admin_url[f"{model._meta.app_label}_{model._meta.model_name}_changelist"][0]
        for action in actions:
            response = client.post(changelist, {"action": action, "_selected_action": [objects[model].pk],
                                                "apply": "1", "reason": "Because"})
            assert _refused(response), (who, action)
    assert fingerprint() == before
    assert AuditEntry.objects.count() == trail


def _expected_get(pattern: str, objects) -> int:
    if pattern in SUPERUSER_STATUS:
        return SUPERUSER_STATUS[pattern]
    for model in objects:
        label, info = model._meta.label, f"{model._meta.app_label}_{model._meta.model_name}"
        may_add, may_delete = SUPERUSER_MAY[label]
        if pattern == f"{info}_add":
            return 200 if may_add else 403
        if pattern == f"{info}_delete":
            return REFUSED_ROW_DELETE.get(label, 200) if may_delete else 403
    return 200


def test_the_superuser_opens_every_page(admin_world, every_admin_url):
    client = _client(admin_world.people["superuser"])
    statuses = {url: client.get(url).status_code for urls in every_admin_url.values() for url in urls}
    expected = {url: _expected_get(pattern, admin_world.objects)
                for pattern, urls in every_admin_url.items() for url in urls}
    assert statuses == expected


def test_whatever_the_superuser_changes_is_in_the_audit_trail(admin_world, every_admin_url, fingerprint, read_form):
    """Every form of the admin sent back as the page shows it, every delete confirmed: a change is never silent."""
    client = _client(admin_world.people["superuser"])
    changed = []
    for pattern, urls in every_admin_url.items():
        if not pattern.endswith(("_add", "_change", "_delete", "_password_change")):
            continue
        for url in urls:
            page = client.get(url)
            if page.status_code != 200:
                continue
            data = {"post": "yes"} if pattern.endswith("_delete") else {**read_form(page.content.decode()),
                                                                         "_save": "Save"}
            before, trail = fingerprint(), AuditEntry.objects.count()
            response = client.post(url, data)
            assert response.status_code in (200, 302, 403), (url, response.status_code)  # 403: a read-only page
            if fingerprint() != before:
                changed.append(pattern)
                assert AuditEntry.objects.count() > trail, f"{url} changed the database without an audit entry"
    # The walk did write: deletes, re-saved forms (through their services). (The first role it finds is a last
    # secretariat or a judge with assignments in an open round, whose removal role_revoke refuses: tested in
    # test_users.py with a role that may go.)
    assert {"mfa_authenticator_delete", "judging_bid_delete", "judging_conflict_delete"} <= set(changed)


def test_a_round_with_reviews_stays_and_the_superuser_is_told_why(admin_world, every_admin_url):
    client = _client(admin_world.people["superuser"])
    round_a = admin_world.a.world.round
    response = client.post(f"/admin/judging/judginground/{round_a.pk}/delete/", {"post": "yes"}, follow=True)
    assert "has reviews and cannot be deleted" in response.content.decode()
    assert Assignment.objects.filter(round=round_a).count() == 9
    assert (Rubric.objects.count(), Criterion.objects.count()) == (2, 2)


@pytest.mark.parametrize(("language", "reason"), [
    ("en", "The admin is for superusers only; everything else happens on the portal&#x27;s own pages."),
    ("ko", "관리자 사이트는 최고 관리자만 사용할 수 있습니다."),
])
def test_staff_are_told_why_in_their_language_on_the_portals_page(admin_world, language, reason):
    client = _client(admin_world.people["staff secretariat of B"])
    client.cookies["django_language"] = language
    response = client.get("/admin/portal/user/", follow=True)
    assert response.status_code == 403
    assert reason in response.content.decode()
    assert response.templates[0].name == "403.html"

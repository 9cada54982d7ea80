"""The admin (a superuser's tool) creates judges and rounds through the services, deletes rounds only through the
service (never one with reviews), and shows assignments and runs read-only."""

from datetime import UTC, datetime

import pytest

from judging.models import (
    Assignment,
    AssignmentRun,
    CalibrationEntry,
    Conflict,
    JudgeProfile,
    JudgingRound,
    Review,
)
from portal.models import AuditEntry, EditionRole, User
from tests.factories import CategoryFactory, EditionFactory, OrganisationFactory, VerifiedUserFactory
from tests.factories.assignment import assign, eligible, judge, one_category_round
from tests.factories.judging import ReviewFactory

pytestmark = pytest.mark.django_db


def superuser(edition=None) -> User:
    """The only kind of person the admin lets in; a superuser acts in every edition."""
    return VerifiedUserFactory(is_staff=True, is_superuser=True)


def test_adding_a_judge_in_the_admin_goes_through_the_service(client):
    edition = EditionFactory()
    human = CategoryFactory(edition=edition)
    city = OrganisationFactory()
    newcomer = VerifiedUserFactory()
    client.force_login(superuser(edition))

    response = client.post("/admin/judging/judgeprofile/add/", {
        "edition": edition.pk, "user": newcomer.pk, "country": "KE", "capacity": 9, "expertise": [human.pk],
        "affiliations": [city.pk], "active": "on", "_save": "Save",
    })

    assert response.status_code == 302, response.content.decode()[:3000]
    judge_profile = JudgeProfile.objects.get(user=newcomer)
    assert (judge_profile.capacity, list(judge_profile.expertise.all()), list(judge_profile.affiliations.all())) == (
        9, [human], [city])
    assert EditionRole.objects.filter(edition=edition, user=newcomer, role="judge").exists()
    assert AuditEntry.objects.get(action="judge.create").after["expertise"] == [human.pk]


def test_the_admin_refuses_expertise_from_another_edition(client):
    edition = EditionFactory()
    client.force_login(superuser(edition))
    response = client.post("/admin/judging/judgeprofile/add/", {
        "edition": edition.pk, "user": VerifiedUserFactory().pk, "country": "", "capacity": 5,
        "expertise": [CategoryFactory().pk], "active": "on", "_save": "Save",
    })
    assert response.status_code == 200
    assert "Choose categories of the judge&#x27;s edition." in response.content.decode()
    assert JudgeProfile.objects.count() == 0


def test_a_judge_profile_is_set_inactive_not_deleted(client):
    edition = EditionFactory()
    judge_profile = judge(edition)
    client.force_login(superuser(edition))
    response = client.post(f"/admin/judging/judgeprofile/{judge_profile.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert JudgeProfile.objects.filter(pk=judge_profile.pk).exists()


def test_a_round_with_reviews_is_not_deleted_and_the_admin_says_why(client):
    edition, category, judging_round = one_category_round(k=1)
    eligible(edition, category)
    judge(edition)
    assign(judging_round)
    ReviewFactory(assignment=Assignment.objects.get())
    client.force_login(superuser(edition))
    url = f"/admin/judging/judginground/{judging_round.pk}/delete/"

    for response in (client.get(url, follow=True), client.post(url, {"post": "yes"}, follow=True)):
        assert response.redirect_chain[-1][0] == f"/admin/judging/judginground/{judging_round.pk}/change/"
        assert "has reviews and cannot be deleted: judges&#x27; scores are never thrown away." in (
            response.content.decode())
    assert (JudgingRound.objects.count(), Review.objects.count()) == (1, 1)
    assert not AuditEntry.objects.filter(action="round.delete").exists()


def test_a_round_without_reviews_is_deleted_through_the_service(client):
    edition, category, judging_round = one_category_round(k=1)
    admin_user = superuser(edition)
    client.force_login(admin_user)
    response = client.post(f"/admin/judging/judginground/{judging_round.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert JudgingRound.objects.count() == 0
    entry = AuditEntry.objects.get(action="round.delete")
    assert (entry.actor, entry.edition, entry.before["name"], entry.before["categories"]) == (
        admin_user, edition, judging_round.name, [category.pk])


def test_creating_a_round_in_the_admin_goes_through_the_service_and_leaves_the_state_alone(client):
    edition = EditionFactory()
    human, tech = CategoryFactory(edition=edition), CategoryFactory(edition=edition)
    client.force_login(superuser(edition))

    response = client.post("/admin/judging/judginground/add/", {
        "edition": edition.pk, "name": "Category round", "position": 1, "categories": [human.pk, tech.pk],
        "source": "eligible", "judges_per_entry": 3, "deadline_0": "2030-01-10", "deadline_1": "12:00:00",
        "reminder_hours": "[72, 24]",
        "calibration_entries-TOTAL_FORMS": 0, "calibration_entries-INITIAL_FORMS": 0,
        "calibration_entries-MIN_NUM_FORMS": 0, "calibration_entries-MAX_NUM_FORMS": 1000, "_save": "Save",
    })

    assert response.status_code == 302, response.content.decode()[:3000]
    judging_round = JudgingRound.objects.get()
    assert (judging_round.state, judging_round.reminder_hours) == ("scheduled", [72, 24])
    assert set(judging_round.categories.all()) == {human, tech}
    assert judging_round.deadline == datetime(2030, 1, 10, 12, 0, tzinfo=UTC)
    assert AuditEntry.objects.get(action="round.create").after["categories"] == sorted([human.pk, tech.pk])


def test_calibration_entries_are_added_in_the_round_admin_through_the_service(client):
    edition, category, judging_round = one_category_round(k=1)
    entry = eligible(edition, category)
    client.force_login(superuser(edition))

    response = client.post(f"/admin/judging/judginground/{judging_round.pk}/change/", {
        "name": judging_round.name, "position": judging_round.position, "categories": [category.pk],
        "source": "eligible", "judges_per_entry": 1, "deadline_0": "2030-01-10", "deadline_1": "12:00:00",
        "reminder_hours": "[]",
        "calibration_entries-TOTAL_FORMS": 1, "calibration_entries-INITIAL_FORMS": 0,
        "calibration_entries-MIN_NUM_FORMS": 0, "calibration_entries-MAX_NUM_FORMS": 1000,
        "calibration_entries-0-application": entry.pk, "calibration_entries-0-round": judging_round.pk,
        "_save": "Save",
    })

    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(CalibrationEntry.objects.values_list("application_id", flat=True)) == [entry.pk]
    assert AuditEntry.objects.filter(action="calibration.mark").count() == 1


def test_a_conflict_recorded_in_the_admin_is_the_secretariats(client):
    edition, category, judging_round = one_category_round(k=1)
    entry = eligible(edition, category)
    judge_profile = judge(edition)
    secretary = superuser(edition)
    client.force_login(secretary)

    response = client.post("/admin/judging/conflict/add/", {
        "judge": judge_profile.pk, "application": entry.pk, "reason": "Was their consultant", "_save": "Save"})

    assert response.status_code == 302, response.content.decode()[:3000]
    conflict = Conflict.objects.get()
    assert (conflict.source, conflict.recorded_by, conflict.reason) == ("secretariat", secretary,
                                                                       "Was their consultant")


def test_assignments_and_runs_are_read_only_and_released_through_an_action(client):
    edition, category, judging_round = one_category_round(k=1)
    eligible(edition, category)
    judge(edition)
    assign(judging_round)
    assignment = Assignment.objects.get()
    client.force_login(superuser(edition))

    assert client.get("/admin/judging/assignment/add/").status_code == 403
    assert client.get("/admin/judging/assignmentrun/add/").status_code == 403
    assert client.get(f"/admin/judging/assignmentrun/{AssignmentRun.objects.get().pk}/change/").status_code == 200
    change_page = client.post(f"/admin/judging/assignment/{assignment.pk}/change/", {"state": "released"})
    assert change_page.status_code == 403

    client.post("/admin/judging/assignment/", {"action": "release", "_selected_action": [assignment.pk]})

    assignment.refresh_from_db()
    assert assignment.state == Assignment.State.RELEASED
    assert AuditEntry.objects.get(action="assignment.release").actor.is_superuser

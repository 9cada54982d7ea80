"""The edition's workspace as a cockpit: counts by status and category, review completion per round and judge,
late judges, "remind now", the secretariat's links; read-only for the chair and observers, a judge's own part."""

from datetime import timedelta

import pytest
from django.utils import timezone

from judging.models import JudgingRound
from judging.services.scoring import ReviewInput, review_submit
from tests.factories import ApplicationFactory, CategoryFactory, EditionFactory, EditionRoleFactory
from tests.factories.scoring import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Judges Ann (2 of 2 done), Bob (0 of 2) and Cy (1 of 2); six entries in two categories besides."""
    world = make_world(judges=3, entries=2)
    for index, name in enumerate(["Ann", "Bob", "Cy"]):
        user = world.judges[index].user
        user.name = name
        user.save()
    for judge, entry in ((0, 0), (0, 1), (2, 0)):
        review_submit(assignment=world.assignment(judge, entry), user=world.judges[judge].user, notify=False,
                      data=ReviewInput(scores={c.pk: 5 for c in world.criteria}))
    # make_world's two entries are eligible in "Human-centric"; add more of each status, and a second category.
    tech = CategoryFactory(edition=world.edition, name="Tech-innovative", position=5)
    for status, category in (("submitted", world.category), ("ineligible", world.category), ("draft", tech),
                             ("submitted", tech), ("submitted", tech), ("withdrawn", tech)):
        ApplicationFactory(edition=world.edition, category=category, status=status)
    # Another edition's applications must not be counted.
    other = EditionFactory()
    ApplicationFactory.create_batch(3, edition=other, category=CategoryFactory(edition=other, name="Human-centric"),
                                    status="submitted")
    return world


def _url(world) -> str:
    return f"/e/{world.edition.slug}/"


def _main(response) -> str:
    body = response.content.decode()
    return body[body.index("<main"):body.index("</main>")]


def _panel(response, template: str):
    return next(panel.context for panel in response.context["panels"] if panel.template == template)


COUNTS = "submissions/panels/workspace_counts.html"
COMPLETION = "judging/panels/workspace_completion.html"


# --- counts ------------------------------------------------------------------------------------------------------

def test_counts_by_status_and_category_are_exact(client, login, world):
    login(world.role("secretariat"))
    response = client.get(_url(world))
    counts = _panel(response, COUNTS)
    assert [label for _value, label in counts["statuses"]] == ["Draft", "Submitted", "Eligible", "Ineligible",
                                                               "Withdrawn"]
    assert [(category.name, numbers, total) for category, numbers, total in counts["rows"]] == [
        ("Human-centric", [0, 1, 2, 1, 0], 4),
        ("Tech-innovative", [1, 2, 0, 0, 1], 4),
    ]
    assert counts["totals"] == [1, 3, 2, 1, 1]
    assert counts["total"] == 8
    body = _main(response)
    assert ('<tr><th scope="row">Human-centric</th><td class="num">0</td><td class="num">1</td>'
            '<td class="num">2</td><td class="num">1</td><td class="num">0</td><td class="num">4</td></tr>') in body


# --- completion --------------------------------------------------------------------------------------------------

def test_completion_per_round_and_per_judge_is_exact(client, login, world):
    login(world.role("secretariat"))
    response = client.get(_url(world))
    [completion] = _panel(response, COMPLETION)["completions"]
    assert (completion.done, completion.assigned, completion.percent) == (3, 6, 50)
    assert [(j.name, j.done, j.assigned, j.late) for j in completion.judges] == [
        ("Ann", 2, 2, False), ("Bob", 0, 2, False), ("Cy", 1, 2, False)]
    body = _main(response)
    assert "3 of 6 reviews submitted (50%)." in body
    assert '<th scope="row">Bob</th><td class="num">0/2</td>' in body
    assert 'class="late"' not in body


@pytest.mark.parametrize(("deadline_in", "reminders", "late"), [
    (timedelta(days=5), [], False),  # before the deadline, no reminder point
    (timedelta(days=5), [72], False),  # the reminder point is still ahead
    (timedelta(hours=48), [72], True),  # past the reminder point
    (timedelta(hours=-1), [], True),  # past the deadline
])
def test_late_judges_are_highlighted_after_the_reminder_point_or_deadline(client, login, world, deadline_in,
                                                                          reminders, late):
    JudgingRound.objects.filter(pk=world.round.pk).update(deadline=timezone.now() + deadline_in,
                                                          reminder_hours=reminders)
    login(world.role("secretariat"))
    response = client.get(_url(world))
    [completion] = _panel(response, COMPLETION)["completions"]
    assert [j.name for j in completion.late_judges] == (["Bob", "Cy"] if late else [])
    body = _main(response)
    assert body.count('<tr class="late">') == (2 if late else 0)
    assert ("2 judges are late." in body) is late


def test_only_the_secretariat_has_the_remind_button(client, login, world):
    remind = f'action="/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/remind/"'
    login(world.role("secretariat"))
    assert remind in _main(client.get(_url(world)))
    for role in ("chair", "observer"):
        client.logout()
        login(world.role(role))
        body = _main(client.get(_url(world)))
        assert remind not in body
        assert "3 of 6 reviews submitted" in body  # read-only, same numbers
        assert "/settings/" not in body
        assert "You read this cockpit; only the secretariat changes anything here." in body


def test_no_remind_button_for_a_closed_round(client, login, world):
    JudgingRound.objects.filter(pk=world.round.pk).update(state=JudgingRound.State.CLOSED)
    login(world.role("secretariat"))
    assert "/remind/" not in _main(client.get(_url(world)))


def test_a_judge_sees_their_own_part_only(client, login, world):
    login(world.judges[1].user)
    response = client.get(_url(world))
    body = _main(response)
    [completion] = _panel(response, COMPLETION)["completions"]
    assert [(j.name, j.done, j.assigned) for j in completion.judges] == [("Bob", 0, 2)]
    assert "Ann" not in body and "Cy" not in body
    assert 'class="compact completion"' not in body  # their own line, no table of judges
    assert "0 of 2 reviews submitted (0%)." in body
    assert f'href="/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/queue/"' in body
    assert "Applications by status and category" not in body and "/remind/" not in body
    assert "/screening/" not in body and "/audit/" not in body
    assert COUNTS not in [panel.template for panel in response.context["panels"]]


def test_the_secretariat_has_a_link_to_every_page_of_theirs(client, login, world):
    login(world.role("secretariat"))
    body = _main(client.get(_url(world)))
    slug = world.edition.slug
    for path in ("settings/", "screening/", "rounds/", "judges/", "awards/setup/", "scoring/", "awards/jobs/",
                 "audit/"):
        assert f'href="/e/{slug}/{path}"' in body, path


# --- query counts --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [1, 4])
def test_the_cockpit_costs_the_same_queries_for_one_and_many_rows(client, login, size, django_assert_num_queries):
    world = make_world(judges=size, entries=size)
    for index in range(size):
        CategoryFactory(edition=world.edition, name=f"Extra {index}")
        JudgingRound.objects.create(edition=world.edition, name=f"Later {index}", position=1000 + index,
                                    deadline=timezone.now() + timedelta(days=20))
    secretariat = world.role("secretariat")
    for _ in range(size):
        EditionRoleFactory(edition=world.edition, role="observer")
    login(secretariat)
    with django_assert_num_queries(15):  # 13, and the next step's two (the rounds, the running assigners)
        assert client.get(_url(world)).status_code == 200


def test_a_committee_member_reads_their_own_pages_not_the_counts(client, login, world):
    login(world.role("committee"))
    response = client.get(_url(world))
    assert response.status_code == 200
    body = _main(response)
    assert [panel.template for panel in response.context["panels"]] == []
    assert "Applications by status and category" not in body and "Review completion" not in body
    assert "/screening/" not in body and "/settings/" not in body and "/remind/" not in body
    assert f'href="/e/{world.edition.slug}/votes/"' in body


@pytest.mark.parametrize("who", ["applicant", "other edition's secretariat"])
def test_no_cockpit_for_people_without_a_role_here(client, login, world, who):
    from tests.factories import MembershipFactory

    user = (MembershipFactory(organisation=world.entries[0].organisation).user if who == "applicant"
            else EditionRoleFactory(role="secretariat").user)
    login(user)
    response = client.get(_url(world))
    assert response.status_code == 403
    assert "Bob" not in response.content.decode() and "reviews submitted" not in response.content.decode()

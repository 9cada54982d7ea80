"""The observer's audit trail, readable: local time, who, what in words, the changed fields; filters; paging."""

import datetime

import pytest

from portal.audit_trail import ACTION_LABELS, KINDS, changes
from portal.models import AuditEntry
from tests.factories import AuditEntryFactory, EditionFactory, EditionRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail():
    edition = EditionFactory(time_zone="Asia/Seoul")
    judge = UserFactory(name="Park Ji-woo", email="park@example.org")
    chair = UserFactory(name="Kim Min-jun", email="kim@example.org")
    review = AuditEntryFactory(edition=edition, actor=judge, action="review.submit", target_repr="Review of Entry 1",
                               before={"state": "draft", "weighted_total": 6.5, "committee_comment": "x" * 200},
                               after={"state": "submitted", "weighted_total": 7.25, "committee_comment": "y" * 200,
                                      "confidence": 4})
    prize = AuditEntryFactory(edition=edition, actor=chair, action="award.decide", target_repr="Hillside buses",
                              before=None, after={"tier": "gold", "reason": ""})
    opened = AuditEntryFactory(edition=edition, actor=None, action="round.open", target_repr="Round 1",
                               before={"state": "assigning"}, after={"state": "open"})
    unknown = AuditEntryFactory(edition=edition, actor=chair, action="fireworks.launch", after={"count": 3})
    # 1 March 2026, 15:30 UTC is 2 March, 00:30 in Seoul.
    AuditEntry.objects.filter(pk=review.pk).update(created_at=datetime.datetime(2026, 3, 1, 15, 30, tzinfo=datetime.UTC))
    other = AuditEntryFactory(action="review.submit", target_repr="Another edition's review",
                              actor=UserFactory(email="stranger@example.org"))
    return {"edition": edition, "judge": judge, "chair": chair, "review": review, "prize": prize, "opened": opened,
            "unknown": unknown, "other": other}


def _get(client, login, trail, query=""):
    login(EditionRoleFactory(edition=trail["edition"], role="observer").user)
    return client.get(f"/e/{trail['edition'].slug}/audit/{query}")


def test_each_entry_reads_when_who_what_and_what_changed(client, login, trail):
    response = _get(client, login, trail)
    rows = {row.entry.pk: row for row in response.context["rows"]}
    review = rows[trail["review"].pk]
    assert review.when == "2026-03-02 00:30:00"
    assert (review.who_name, review.who_email, review.what) == ("Park Ji-woo", "park@example.org", "Review submitted")
    summary = {change.field: (change.before, change.after) for change in review.changes}
    assert summary["state"] == ("draft", "submitted")
    assert summary["weighted total"] == ("6.5", "7.25")
    assert summary["confidence"] == ("—", "4")
    assert len(summary["committee comment"][1]) == 60 and summary["committee comment"][1].endswith("…")
    assert rows[trail["prize"].pk].what == "Prize decided"
    assert [(c.field, c.after, c.created) for c in rows[trail["prize"].pk].changes] == [
        ("tier", "gold", True), ("reason", "—", True)]
    assert rows[trail["opened"].pk].what == "Round opened"
    assert rows[trail["opened"].pk].who_email == ""
    assert rows[trail["unknown"].pk].what == "fireworks.launch"  # an action nobody named yet, as recorded
    text = response.content.decode()
    assert "the system" in text and "Asia/Seoul" in text
    assert "Another edition" not in text and "stranger@example.org" not in text


def test_unchanged_fields_are_left_out():
    found, more = changes({"state": "open", "name": "Round 1"}, {"state": "closed", "name": "Round 1"})
    assert [(c.field, c.before, c.after) for c in found] == [("state", "open", "closed")] and more == 0
    found, more = changes({f"f{i}": 1 for i in range(9)}, {f"f{i}": 2 for i in range(9)})
    assert (len(found), more) == (6, 3)


def test_korean_readers_read_the_labels_in_korean(client, login, trail):
    login(EditionRoleFactory(edition=trail["edition"], role="observer").user)
    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    response = client.get(f"/e/{trail['edition'].slug}/audit/")
    assert {row.what for row in response.context["rows"]} >= {"심사 제출", "수상 결정", "라운드 시작"}
    review = next(row for row in response.context["rows"] if row.entry.pk == trail["review"].pk)
    fields = [change.field for change in review.changes]
    assert ("가중 합계" in fields, "확신도" in fields, "weighted total" in fields) == (True, True, False)


@pytest.mark.parametrize(("kind", "expected"), [("review", ["review"]), ("award", ["prize"]),
                                                ("round", ["opened"]), ("role", [])])
def test_the_kind_filter_keeps_the_actions_of_that_kind(client, login, trail, kind, expected):
    response = _get(client, login, trail, f"?kind={kind}")
    assert [row.entry.pk for row in response.context["rows"]] == [trail[key].pk for key in expected]
    if not expected:
        assert "Nothing matches these filters." in response.content.decode()


def test_the_person_filter_lists_this_editions_people_only_and_keeps_theirs(client, login, trail):
    response = _get(client, login, trail, f"?actor={trail['chair'].pk}")
    assert [row.entry.pk for row in response.context["rows"]] == [trail["unknown"].pk, trail["prize"].pk]
    choices = [label for value, label in response.context["filters"].fields["actor"].choices]
    assert choices == ["Everyone", "Kim Min-jun <kim@example.org>", "Park Ji-woo <park@example.org>"]


def test_bad_filters_say_so_and_show_everything(client, login, trail):
    response = _get(client, login, trail, "?kind=nonsense&actor=abc")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert len(response.context["rows"]) == 4


def test_the_filters_survive_paging(client, login, trail):
    AuditEntryFactory.create_batch(55, edition=trail["edition"], actor=trail["judge"], action="review.draft")
    response = _get(client, login, trail, f"?kind=review&actor={trail['judge'].pk}")
    assert response.context["page"].paginator.count == 56
    assert f"?kind=review&amp;actor={trail['judge'].pk}&amp;page=2" in response.content.decode()


def test_every_kind_and_label_is_unique():
    prefixes = [prefix for _label, group in KINDS.values() for prefix in group]
    assert len(prefixes) == len(set(prefixes))
    assert all(action.count(".") >= 1 for action in ACTION_LABELS)


@pytest.mark.parametrize("rows", [1, 60])
def test_the_query_count_is_fixed_for_one_entry_or_many_with_filters(client, login, django_assert_num_queries, rows):
    edition = EditionFactory()
    login(EditionRoleFactory(edition=edition, role="observer").user)
    people = UserFactory.create_batch(3)
    for number in range(rows):
        AuditEntryFactory(edition=edition, actor=people[number % 3], action="review.submit",
                          before={"state": "draft"}, after={"state": "submitted"})
    AuditEntryFactory(action="review.submit")  # another edition's
    url = f"/e/{edition.slug}/audit/?kind=review&actor={people[0].pk}"
    client.get(url)
    with django_assert_num_queries(8):
        response = client.get(url)
    assert len(response.context["rows"]) == min((rows + 2) // 3, 50)

"""bench_requests drives the load test's own flows through Django's test client: its session must read like the
sessions the flows are written for (the CSRF cookie by name, from the jar)."""

from http.cookies import SimpleCookie

from judging.management.commands.bench_requests import TimedSession, kind_of
from tests.load import flows


def test_the_flows_read_the_csrf_cookie_from_the_bench_session():
    session = TimedSession(records={})
    session.client.cookies = SimpleCookie({"csrftoken": "token-1", "sessionid": "abc"})
    session.cookies = type(session.cookies)(session.client)

    assert flows._csrf(session) == {"X-CSRFToken": "token-1"}
    assert session.cookies.get("sessionid") == "abc"


def test_a_missing_csrf_cookie_reads_as_empty():
    session = TimedSession(records={})

    assert flows._csrf(session) == {"X-CSRFToken": ""}


def test_a_submitted_review_is_its_own_kind():
    assert kind_of("POST", "/scoring/assignments/3/", {"action": "submit"}) == "review_submit"
    assert kind_of("POST", "/scoring/assignments/3/", {"action": "save"}) == "review_save"

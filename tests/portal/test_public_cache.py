"""The public pages' shared copies (portal/public_cache.py): a change shows at once, a logged-in person never gets
a visitor's copy, a copy expires at the next deadline, and a copy served costs no query."""

from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.utils import timezone

from portal import public_cache
from portal.models import Edition
from tests.factories.portal import EditionFactory, MembershipFactory
from tests.factories.public import published_edition
from tests.factories.submissions import CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seoul():
    return published_edition()


def _served_from_cache(client, url, django_assert_num_queries) -> str:
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_home_a_new_edition_shows_at_once_and_logged_in_people_get_their_own_page(
        client, login, seoul, django_assert_num_queries, django_capture_on_commit_callbacks):
    first = client.get("/").content.decode()
    assert _served_from_cache(client, "/", django_assert_num_queries) == first
    assert 'class="language-links"' in first and "csrfmiddlewaretoken" not in first
    assert client.get("/").cookies == {}

    with django_capture_on_commit_callbacks(execute=False) as pending:
        EditionFactory(state=Edition.State.OPEN, name="Newly opened call")
    assert "Newly opened call" not in client.get("/").content.decode()  # not committed yet
    for callback in pending:
        callback()
    assert "Newly opened call" in client.get("/").content.decode()

    login(MembershipFactory(organisation=seoul.winners[0].organisation).user)
    mine = client.get("/").content.decode()
    assert "My dashboard" in mine and 'id="language-select"' in mine and "csrfmiddlewaretoken" in mine
    assert 'class="language-links"' not in mine


def test_edition_page_a_renamed_category_shows_at_once_and_members_get_their_own_page(
        client, login, seoul, django_assert_num_queries, django_capture_on_commit_callbacks):
    url = f"/editions/{seoul.edition.slug}/"
    first = client.get(url).content.decode()
    assert _served_from_cache(client, url, django_assert_num_queries) == first
    category = seoul.categories[0]
    with django_capture_on_commit_callbacks(execute=True):
        category.name_en = category.name = "Renamed category"
        category.save()
    assert "Renamed category" in client.get(url).content.decode()

    login(MembershipFactory(organisation=seoul.winners[0].organisation).user)
    assert "My dashboard" in client.get(url).content.decode()


def test_results_page_a_renamed_winner_or_edition_shows_at_once_and_members_get_their_own_page(
        client, login, seoul, django_assert_num_queries, django_capture_on_commit_callbacks):
    url = f"/editions/{seoul.edition.slug}/results/"
    first = client.get(url).content.decode()
    assert _served_from_cache(client, url, django_assert_num_queries) == first
    organisation = seoul.winners[0].organisation
    with django_capture_on_commit_callbacks(execute=True):
        organisation.name = "A city renamed after the ceremony"
        organisation.save()
    assert "A city renamed after the ceremony" in client.get(url).content.decode()

    edition = seoul.edition  # its decisions are locked for good; the edition itself may still change
    with django_capture_on_commit_callbacks(execute=True):
        edition.name_en = edition.name = "Seoul Smart City Prize, renamed"
        edition.save()
    assert "Seoul Smart City Prize, renamed" in client.get(url).content.decode()

    login(MembershipFactory(organisation=seoul.winners[1].organisation).user)
    assert "My dashboard" in client.get(url).content.decode()


def test_each_language_has_its_own_copy(client, seoul):
    url = f"/editions/{seoul.edition.slug}/results/"
    english = client.get(url).content.decode()
    client.cookies["django_language"] = "ko"
    korean = client.get(url).content.decode()
    assert '<html lang="en">' in english and '<html lang="ko">' in korean


def test_a_visitor_with_a_message_waiting_gets_a_fresh_page(client, seoul):
    client.get("/")
    client.cookies["messages"] = "anything"
    response = client.get("/")
    assert response.status_code == 200  # rendered by the view (the message store reads the cookie), not the copy


def test_a_conditional_request_is_answered_by_the_view_with_a_304(client, seoul):
    url = f"/editions/{seoul.edition.slug}/results/"
    first = client.get(url)
    assert client.get(url)["ETag"] == first["ETag"]  # the copy keeps the view's headers
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_copy_lasts_until_the_next_deadline_at_most_five_minutes(client, seoul):
    now = timezone.now()
    EditionFactory(state=Edition.State.OPEN, opens_at=now - timedelta(days=1), closes_at=now + timedelta(seconds=90))
    client.get("/")  # lists that edition, but shows nothing that changes when its call closes
    client.get(f"/editions/{seoul.edition.slug}/results/")
    for path, at_most in (("/", 300), (f"/editions/{seoul.edition.slug}/results/", 300)):
        key = next(key for key in public_cache.cache._cache if key.endswith(path))
        assert at_most - 2 <= public_cache.cache._expire_info[key] - timezone.now().timestamp() <= at_most


def test_the_copy_of_an_open_call_expires_when_the_call_closes(client):
    now = timezone.now()
    edition = EditionFactory(state=Edition.State.OPEN, opens_at=now - timedelta(days=1),
                             closes_at=now + timedelta(seconds=60))
    CategoryFactory(edition=edition)
    url = f"/editions/{edition.slug}/"
    assert "Open for applications" in client.get(url).content.decode()
    key = next(key for key in public_cache.cache._cache if key.endswith(url))  # locmem in the tests
    assert 0 < public_cache.cache._expire_info[key] - timezone.now().timestamp() <= 60


def test_a_deadline_passing_while_the_page_renders_keeps_no_copy(rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/editions/x/")
    request.user = AnonymousUser()

    def view(request):
        public_cache.expire_at(request, timezone.now())  # the call closes during the rendering
        return HttpResponse("Open for applications")

    assert public_cache.cached_for_visitors(view)(request).status_code == 200
    assert not [key for key in public_cache.cache._cache if key.endswith("/editions/x/")]


def test_drafts_saved_do_not_make_copies_stale(client, seoul, django_capture_on_commit_callbacks):
    from tests.factories.submissions import ApplicationFactory

    client.get("/")
    before = public_cache._generation()
    draft = ApplicationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        draft.title = "Still a draft"
        draft.save()
    assert public_cache._generation() == before


def test_a_query_string_is_never_a_key_of_its_own(client, seoul):
    for number in range(3):
        assert client.get(f"/?page={number}").status_code == 200
    assert not [key for key in public_cache.cache._cache if "?" in key]

"""The results API: published editions only, winners only, both languages, cacheable, documented."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from judging.models import PrizeTier
from portal.models import Edition
from tests.factories.judging import JudgeProfileFactory
from tests.factories.portal import EditionFactory, VerifiedUserFactory
from tests.factories.public import published_edition

pytestmark = pytest.mark.django_db
BASE = "http://testserver.example"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.PORTAL_BASE_URL = BASE
    cache.clear()


@pytest.fixture
def seoul():
    return published_edition()


def test_the_list_holds_published_editions_only_newest_first(client, seoul):
    older = published_edition(categories=1, tiers=((PrizeTier.Level.WINNER, 1),), leadership=0, mentions=0)
    Edition.objects.filter(pk=older.edition.pk).update(published_at=timezone.now() - timezone.timedelta(days=400))
    for state in [s for s in Edition.State.values if s != "published"]:
        EditionFactory(state=state)
    response = client.get("/api/v1/editions")
    assert response.status_code == 200
    body = response.json()
    assert [item["slug"] for item in body] == [seoul.edition.slug, older.edition.slug]
    assert body[0]["results_url"] == f"{BASE}/editions/{seoul.edition.slug}/results/"
    assert body[0]["api_url"] == f"{BASE}/api/v1/editions/{seoul.edition.slug}/results"


def test_an_edition_lists_its_categories_and_tiers_in_both_languages(client, seoul):
    Edition.objects.filter(pk=seoul.edition.pk).update(name_en="Seoul Prize", name_ko="서울 상")
    body = client.get(f"/api/v1/editions/{seoul.edition.slug}").json()
    assert body["name"] == {"en": "Seoul Prize", "ko": "서울 상"}
    assert [[(t["level"], t["places"]) for t in c["tiers"]] for c in body["categories"]] == [
        [("gold", 1), ("silver", 2), ("bronze", 3)]] * 2
    assert body["categories"][0]["tiers"][0]["label"] == {"en": "Gold", "ko": "금상"}
    assert body["scores_published"] is False


def test_the_results_hold_every_winner_and_award_and_nothing_private(client, seoul):
    judge = JudgeProfileFactory(edition=seoul.edition).user
    response = client.get(f"/api/v1/editions/{seoul.edition.slug}/results")
    assert response.status_code == 200
    body = response.json()
    tiers = [[(t["level"], len(t["winners"])) for t in c["tiers"]] for c in body["categories"]]
    assert tiers == [[("gold", 1), ("silver", 2), ("bronze", 3)]] * 2
    assert [(a["kind"], len(a["recipients"])) for a in body["awards"]] == [("leadership", 2), ("special_mention", 2)]
    winners = {w["application_id"]: w for c in body["categories"] for t in c["tiers"] for w in t["winners"]}
    winners |= {w["application_id"]: w for a in body["awards"] for w in a["recipients"]}
    assert set(winners) == {entry.pk for entry in seoul.winners + seoul.awardees}
    gold = seoul.winners[0]
    assert winners[gold.pk]["title"] == gold.title
    assert winners[gold.pk]["organisation"]["name"] == gold.organisation.name
    assert winners[gold.pk]["url"] == f"{BASE}/editions/{seoul.edition.slug}/winners/{gold.pk}/"
    assert all(w["score"] is None for w in winners.values())
    text = response.content.decode()
    for entry in seoul.hidden:
        assert entry.title not in text and entry.organisation.name not in text
    assert judge.email not in text and "9.25" not in text


def test_winners_scores_appear_only_when_the_edition_publishes_them(client, seoul):
    Edition.objects.filter(pk=seoul.edition.pk).update(publish_scores=True)
    body = client.get(f"/api/v1/editions/{seoul.edition.slug}/results").json()
    gold = body["categories"][0]["tiers"][0]["winners"][0]
    assert gold["score"] == 9.25
    assert "3.25" not in str(body)  # a non-winner's score stays private


@pytest.mark.parametrize("state", [s for s in Edition.State.values if s != "published"])
def test_an_unpublished_edition_is_404_on_every_endpoint_even_for_staff(client, login, seoul, state):
    Edition.objects.filter(pk=seoul.edition.pk).update(state=state)
    login(VerifiedUserFactory(is_staff=True, is_superuser=True))
    for url in [f"/api/v1/editions/{seoul.edition.slug}", f"/api/v1/editions/{seoul.edition.slug}/results"]:
        response = client.get(url)
        assert response.status_code == 404 and response.json() == {"detail": "Not Found"}, url
    assert client.get("/api/v1/editions").json() == []
    assert client.get("/api/v1/editions/no-such-edition/results").status_code == 404


def test_answers_are_cacheable_conditional_and_set_no_cookie(client, seoul):
    url = f"/api/v1/editions/{seoul.edition.slug}/results"
    response = client.get(url)
    assert response["Cache-Control"] == "public, max-age=300"
    assert response.has_header("ETag") and not response.cookies
    assert client.get(url, headers={"if-none-match": response["ETag"]}).status_code == 304
    listing = client.get("/api/v1/editions")
    assert client.get("/api/v1/editions", headers={"if-none-match": listing["ETag"]}).status_code == 304
    # Publishing again (a new time) changes the tag and the cached body's key.
    Edition.objects.filter(pk=seoul.edition.pk).update(published_at=timezone.now() + timezone.timedelta(minutes=1))
    assert client.get(url, headers={"if-none-match": response["ETag"]}).status_code == 200
    assert client.get("/api/v1/editions", headers={"if-none-match": listing["ETag"]}).status_code == 200


def test_a_cached_body_is_served_without_reading_the_results_again(client, seoul, django_assert_num_queries):
    url = f"/api/v1/editions/{seoul.edition.slug}/results"
    client.get(url)
    with django_assert_num_queries(1):  # the edition (for the ETag); the body comes from the cache
        assert Client().get(url).status_code == 200


@pytest.mark.parametrize("size", [(1, 0, 0), (3, 2, 2)])
def test_the_results_cost_the_same_queries_for_one_and_many_winners(client, size, django_assert_num_queries):
    gold, leadership, mentions = size
    made = published_edition(categories=2 if gold > 1 else 1,
                             tiers=((PrizeTier.Level.GOLD, 1),) if gold == 1 else
                             ((PrizeTier.Level.GOLD, 1), (PrizeTier.Level.SILVER, 2)),
                             leadership=leadership, mentions=mentions)
    Edition.objects.filter(pk=made.edition.pk).update(publish_scores=True)
    # The edition, categories, tiers, awards, decisions, scores.
    with django_assert_num_queries(6):
        assert client.get(f"/api/v1/editions/{made.edition.slug}/results").status_code == 200
    with django_assert_num_queries(3):  # the edition, categories, tiers
        assert client.get(f"/api/v1/editions/{made.edition.slug}").status_code == 200


def test_the_openapi_schema_documents_every_endpoint(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert set(schema["paths"]) == {"/api/v1/editions", "/api/v1/editions/{slug}", "/api/v1/editions/{slug}/results"}
    assert {"Results", "Winner", "Edition", "EditionSummary"} <= set(schema["components"]["schemas"])
    assert client.get("/api/v1/docs").status_code == 200


def test_the_documentation_is_a_portal_page_in_the_readers_language(client, seoul):
    english = client.get("/api/v1/docs", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    korean = client.get("/api/v1/docs", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert ('class="site-header"' in english, "<h1>Results API</h1>" in english, "swagger" in english.lower()) == (
        True, True, False)
    for path in ("/api/v1/editions", "/api/v1/editions/{slug}", "/api/v1/editions/{slug}/results"):
        assert f"<code>{path}</code>" in english and f"<code>{path}</code>" in korean
    assert f'href="/api/v1/editions/{seoul.edition.slug}/results"' in english  # an example that answers
    assert 'id="schema-Winner"' in english and 'href="/api/v1/openapi.json"' in english
    assert ("<h1>결과 API</h1>" in korean, "발표된 회차의 등급별 수상작과 특별상" in korean) == (True, True)
    assert "The winners of a published edition" not in korean

"""The public pages: what anyone may read after publication, and nothing more (no score, judge, loser, draft)."""

import re
from datetime import UTC, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from judging.models import EditionAward, PrizeTier
from portal.models import Edition
from submissions.models import ApplicationSnapshot
from tests.factories.judging import JudgeProfileFactory
from tests.factories.portal import EditionFactory, EditionRoleFactory, MembershipFactory, VerifiedUserFactory
from tests.factories.public import published_edition
from tests.factories.submissions import AttachmentFactory

pytestmark = pytest.mark.django_db
BASE = "http://testserver.example"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.PORTAL_BASE_URL = BASE


@pytest.fixture
def seoul():
    return published_edition()


def main(response) -> str:
    return re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)


def results_url(edition) -> str:
    return f"/editions/{edition.slug}/results/"


def winner_url(edition, application) -> str:
    return f"/editions/{edition.slug}/winners/{application.pk}/"


def test_the_results_show_each_tier_per_category_then_the_awards_with_citations(client, seoul):
    response = client.get(results_url(seoul.edition))
    assert response.status_code == 200
    prizes = response.context["prizes"]
    assert [[(t.tier.level, len(t.decisions)) for t in c.tiers] for c in prizes] == [
        [("gold", 1), ("silver", 2), ("bronze", 3)]] * 2
    assert [(a.award.kind, len(a.decisions)) for a in response.context["awards"]] == [
        ("leadership", 2), ("special_mention", 2)]
    html = main(response)
    for entry in seoul.winners + seoul.awardees:
        assert entry.title in html and winner_url(seoul.edition, entry) in html
    for decision in seoul.decisions:
        if decision.citation:
            assert decision.citation in html
    # Medals carry their name in text, not colour alone.
    assert html.count('class="medal medal-gold"') == 2 and ">Gold</span>" in html


def test_nothing_private_shows_no_score_judge_loser_draft_or_attachment(client, seoul):
    judge = JudgeProfileFactory(edition=seoul.edition).user
    judge.first_name, judge.last_name = "Secret", "Judgename"
    judge.save()
    AttachmentFactory(application=seoul.winners[0])
    pages = [results_url(seoul.edition), f"/editions/{seoul.edition.slug}/"] + [
        winner_url(seoul.edition, entry) for entry in seoul.winners + seoul.awardees]
    for url in pages:
        html = main(client.get(url))
        for entry in seoul.hidden:
            assert entry.title not in html and entry.organisation.name not in html
        assert "Judgename" not in html and judge.email not in html and "J-" not in html
        assert "9.25" not in html and "Score" not in html and "/attachments/" not in html
        assert "/image/" not in html or "winners/" in html


def test_winners_corrected_scores_show_only_when_the_edition_publishes_them(client, seoul):
    gold = seoul.winners[0]
    assert "9.25" not in main(client.get(winner_url(seoul.edition, gold)))
    Edition.objects.filter(pk=seoul.edition.pk).update(publish_scores=True)
    assert "9.25" in main(client.get(winner_url(seoul.edition, gold)))
    results = main(client.get(results_url(seoul.edition)))
    assert "9.25" in results and "3.25" not in results  # the loser's score stays private


@pytest.mark.parametrize("role", ["secretariat", "chair", "judge", "observer", "committee", "applicant", "staff"])
def test_every_logged_in_role_reads_the_same_page_as_a_visitor(client, login, seoul, role):
    anonymous = Client()
    if role == "applicant":
        user = MembershipFactory(organisation=seoul.hidden[0].organisation).user
    elif role == "staff":
        user = VerifiedUserFactory(is_staff=True, is_superuser=True)
    else:
        user = EditionRoleFactory(edition=seoul.edition, role=role, user=VerifiedUserFactory()).user
    login(user)
    client.get("/")  # the "signed in" message shows once, there
    for url in [results_url(seoul.edition), winner_url(seoul.edition, seoul.winners[1])]:
        mine, theirs = client.get(url), anonymous.get(url)
        assert (mine.status_code, theirs.status_code) == (200, 200)
        assert main(mine).replace(user.email, "") == main(theirs)


@pytest.mark.parametrize("state", [s for s in Edition.State.values if s != "published"])
def test_results_winners_images_and_dataset_are_404_before_publication_even_for_staff(client, login, seoul, state):
    Edition.objects.filter(pk=seoul.edition.pk).update(state=state, publish_dataset=True)
    login(VerifiedUserFactory(is_staff=True, is_superuser=True))
    winner = seoul.winners[0]
    for url in [results_url(seoul.edition), winner_url(seoul.edition, winner), f"{winner_url(seoul.edition, winner)}image/",
                f"/editions/{seoul.edition.slug}/results/dataset.json"]:
        assert client.get(url).status_code == 404, url
    assert client.get(f"/editions/{seoul.edition.slug}/").status_code == (404 if state == "draft" else 200)


def test_wrong_slugs_and_entries_without_a_decision_are_404(client, seoul):
    other = published_edition(categories=1, tiers=((PrizeTier.Level.WINNER, 1),), leadership=0, mentions=0)
    assert client.get("/editions/no-such-edition/results/").status_code == 404
    for entry in seoul.hidden:
        assert client.get(winner_url(seoul.edition, entry)).status_code == 404
        assert client.get(winner_url(seoul.edition, entry) + "image/").status_code == 404
    # Another edition's winner is not a winner of this one.
    assert client.get(winner_url(seoul.edition, other.winners[0])).status_code == 404
    assert client.get(winner_url(other.edition, other.winners[0])).status_code == 200
    assert client.get(f"/editions/{seoul.edition.slug}/results/dataset.json").status_code == 404
    assert client.post(results_url(seoul.edition)).status_code == 405


def test_the_winner_page_shows_the_submitted_summary_not_a_later_edit(client, seoul):
    gold = seoul.winners[0]
    type(gold).objects.filter(pk=gold.pk).update(summary="LIVE DRAFT TEXT")
    snapshot = ApplicationSnapshot.objects.get(application=gold)
    response = client.get(winner_url(seoul.edition, gold))
    html = main(response)
    assert snapshot.data["summary"] in html and "LIVE DRAFT TEXT" not in html
    assert gold.organisation.name in html and gold.organisation.city in html
    assert gold.organisation.country.name in html and "Gold" in html and gold.category.name in html


def test_images_are_served_only_for_winners_who_agreed(client, seoul):
    with_image, without_image = seoul.winners[0], seoul.winners[1]
    response = client.get(winner_url(seoul.edition, with_image) + "image/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert response["Cache-Control"] == "public, max-age=300"
    assert client.get(winner_url(seoul.edition, without_image) + "image/").status_code == 404
    type(with_image).objects.filter(pk=with_image.pk).update(public_image_consent=False)
    assert client.get(winner_url(seoul.edition, with_image) + "image/").status_code == 404
    assert "og:image" not in client.get(winner_url(seoul.edition, with_image)).content.decode()


def test_open_graph_and_canonical_urls_are_absolute(client, seoul):
    gold = seoul.winners[0]
    html = client.get(winner_url(seoul.edition, gold)).content.decode()
    page = f"{BASE}{winner_url(seoul.edition, gold)}"
    assert f'<link rel="canonical" href="{page}">' in html
    assert f'<meta property="og:url" content="{page}">' in html
    assert f'<meta property="og:image" content="{page}image/">' in html
    assert re.search(r'<meta property="og:title" content="[^"]*Gold, Human-centric', html)
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    no_image = client.get(winner_url(seoul.edition, seoul.winners[1])).content.decode()
    assert "og:image" not in no_image and '<meta name="twitter:card" content="summary">' in no_image
    results = client.get(results_url(seoul.edition)).content.decode()
    assert f'<meta property="og:url" content="{BASE}{results_url(seoul.edition)}">' in results


def test_pages_are_cacheable_conditional_and_set_no_cookie(client, login, seoul):
    for who in ("visitor", "member"):
        if who == "member":
            login(MembershipFactory(organisation=seoul.winners[0].organisation).user)
            client.get("/")
        for url in [results_url(seoul.edition), winner_url(seoul.edition, seoul.winners[0]),
                    f"/editions/{seoul.edition.slug}/"]:
            response = client.get(url)
            assert response["Cache-Control"] == "public, max-age=300"
            assert response.cookies == {}, (who, url, response.cookies)
            assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}
        response = client.get(results_url(seoul.edition))
        assert response["Last-Modified"] and response["ETag"]
        again = client.get(results_url(seoul.edition), HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304 and again["Cache-Control"] == "public, max-age=300"
    korean = client.get(results_url(seoul.edition), HTTP_ACCEPT_LANGUAGE="ko")
    assert korean["ETag"] != response["ETag"] or korean.status_code == 200


def test_the_pages_read_in_korean(client, seoul):
    client.cookies["django_language"] = "ko"
    html = client.get(results_url(seoul.edition)).content.decode()
    assert '<html lang="ko">' in html and "금" in html and "수상" in html
    assert "금" in client.get(f"/editions/{seoul.edition.slug}/").content.decode()


def test_the_language_links_set_the_cookie_elsewhere_and_go_back_safely(client, seoul):
    response = client.get(f"/language/ko/?next={results_url(seoul.edition)}")
    assert (response.status_code, response["Location"]) == (302, results_url(seoul.edition))
    assert response.cookies["django_language"].value == "ko"
    assert client.get("/language/ko/?next=https://evil.example/")["Location"] == "/"
    assert client.get("/language/xx/").status_code == 404


def test_the_edition_page_shows_the_call_rules_and_timeline_in_the_edition_time_zone(client):
    opens = timezone.now() - timedelta(days=3)
    edition = EditionFactory(state=Edition.State.OPEN, time_zone="Asia/Seoul", opens_at=opens,
                             closes_at=timezone.datetime(2099, 3, 31, 14, 59, tzinfo=UTC),
                             description="The call text.")
    from tests.factories.awards import EditionAwardFactory, PrizeTierFactory
    from tests.factories.submissions import CategoryFactory
    category = CategoryFactory(edition=edition, name="Human-centric", description="People first.")
    PrizeTierFactory(category=category, level=PrizeTier.Level.SILVER, places=2, position=2)
    EditionAwardFactory(edition=edition, kind=EditionAward.Kind.LEADERSHIP, name="Leadership award")
    html = main(client.get(f"/editions/{edition.slug}/"))
    assert "Open for applications until 31 March 2099, 23:59 (Asia/Seoul)" in html
    assert "The call text." in html and "People first." in html and "2 prizes" in html
    assert "Leadership award" in html and "Silver" in html
    assert client.get(results_url(edition)).status_code == 404


@pytest.mark.parametrize("size", [(1, 0, 0), (3, 2, 2)])
def test_results_and_winner_pages_cost_the_same_queries_for_one_and_many_winners(client, size,
                                                                                  django_assert_num_queries):
    gold, leadership, mentions = size
    made = published_edition(categories=2 if gold > 1 else 1,
                             tiers=((PrizeTier.Level.GOLD, 1),) if gold == 1 else
                             ((PrizeTier.Level.GOLD, 1), (PrizeTier.Level.SILVER, 2)),
                             leadership=leadership, mentions=mentions)
    Edition.objects.filter(pk=made.edition.pk).update(publish_scores=True)
    # The edition, categories, tiers, awards, decisions, scores; read outside the request transaction, and the
    # session is not read for a visitor.
    with django_assert_num_queries(6):
        assert client.get(results_url(made.edition)).status_code == 200
    with django_assert_num_queries(4):  # edition, decisions, snapshot, score
        assert client.get(winner_url(made.edition, made.winners[-1])).status_code == 200


def test_home_links_each_edition_to_its_public_page_and_published_ones_to_their_winners(client, seoul):
    open_edition = EditionFactory(state=Edition.State.OPEN)
    draft = EditionFactory(state=Edition.State.DRAFT)
    html = client.get("/").content.decode()
    assert f'href="/editions/{open_edition.slug}/"' in html and f'href="/editions/{seoul.edition.slug}/"' in html
    assert f'href="{results_url(seoul.edition)}"' in html and draft.slug not in html
    assert f'href="{results_url(open_edition)}"' not in html


"""The chair walks the award cycle in the browser: leaderboard → deliberation → finalisation → publication; then an
anonymous visitor reads 1 gold, 2 silver and 3 bronze per main category and the leadership award."""

import re

import pytest

from judging.models import AwardDecision, EditionAward
from portal.models import Edition
from tests.factories import PASSWORD_FOR_TESTS
from tests.factories.awards import EditionAwardFactory
from tests.factories.deliberation import award_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCORES = [9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0]  # one entry apart each: no tie at a tier's end


def test_the_chair_runs_deliberation_finalisation_and_publication(live_server, browser, settings):
    settings.PORTAL_MFA_REQUIRED = False
    human = award_world(SCORES, name="Human-centric")
    edition = human.edition
    tech = award_world(SCORES, edition=edition, name="Tech-innovative")
    EditionAwardFactory(edition=edition, kind=EditionAward.Kind.LEADERSHIP, name="Leadership award",
                        max_recipients=2)
    chair = human.role("chair")
    leadership_entry = human.entries[-1]  # no category prize: the committee's own choice

    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    leaderboard = f"{live_server.url}/e/{edition.slug}/scoring/rounds/{human.round.pk}/results/"
    page.goto(leaderboard)
    page.get_by_label("Email").fill(chair.email)
    page.get_by_label("Password").fill(PASSWORD_FOR_TESTS)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(leaderboard)

    page.get_by_role("link", name="Prizes: the committee's deliberation").click()
    page.wait_for_url(re.compile(rf"/e/{edition.slug}/awards/$"))
    for category in ("Human-centric", "Tech-innovative"):
        page.get_by_role("button", name=f"Accept the proposal for {category}").click()
        page.wait_for_load_state("load")
    assert AwardDecision.objects.filter(edition=edition, tier__isnull=False).count() == 12

    page.locator("summary", has_text="Give this award").click()
    give = page.locator("form[action$='/give/']")
    give.get_by_label("Entry").select_option(str(leadership_entry.pk))
    give.get_by_label("Citation").fill("For a city that made its residents partners from the first day.")
    give.get_by_role("button", name="Give").click()
    page.wait_for_load_state("load")
    assert AwardDecision.objects.filter(edition=edition, award__kind=EditionAward.Kind.LEADERSHIP).count() == 1

    page.goto(f"{live_server.url}/e/{edition.slug}/awards/finalise/")
    page.get_by_label("Yes, finalise: nothing can be changed afterwards").check()
    page.get_by_role("button", name="Finalise and lock the edition").click()
    page.wait_for_load_state("load")
    if "/reauthenticate/" in page.url:  # allauth asks for the password again, then replays the finalisation
        page.get_by_label("Password").fill(PASSWORD_FOR_TESTS)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state("load")
    edition.refresh_from_db()
    assert edition.state == Edition.State.FINALISED

    page.goto(f"{live_server.url}/e/{edition.slug}/awards/publish/")
    page.get_by_label("I have checked the decisions: publish the results.").check()
    page.get_by_role("button", name="Publish the results").click()
    page.wait_for_load_state("load")
    edition.refresh_from_db()
    assert edition.state == Edition.State.PUBLISHED
    context.close()

    visitor = browser.new_context(locale="en-GB")
    public = visitor.new_page()
    public.goto(f"{live_server.url}/editions/{edition.slug}/results/")
    for world in (human, tech):
        section = public.locator("section.results-category",
                                 has=public.get_by_role("heading", name=world.category.name))
        assert section.locator(".tier-gold .winner-card").count() == 1
        assert section.locator(".tier-silver .winner-card").count() == 2
        assert section.locator(".tier-bronze .winner-card").count() == 3
    leadership = public.locator(".tier-leadership .winner-card")
    assert leadership.count() == 1
    assert "For a city that made its residents partners" in leadership.inner_text()
    visitor.close()

"""The leaderboard, the judge's queue and the screening list in pages, in the browser: the page navigation at 1280
and 390 px in English and Korean, nothing wider than the screen, no axe-core violation, and the links that move
between pages and to the whole list."""

import re

import pytest

from tests.e2e.signin import check_page, sign_in_at
from tests.factories import EditionRoleFactory
from tests.factories.scoring import scored_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
def _language(page, code: str):
    page.select_option("#language-select", code)
    page.locator(".language-form button").click()
    page.wait_for_function(f"document.documentElement.lang === '{code}'")


def _pages(page, tmp_path, name: str, nav: str, korean_nav: str, rows: str):
    """Page 1 at 1280 px, then page 2 by its link, at 1280 and 390 px in English and Korean; then the whole list."""
    page.set_viewport_size({"width": 1280, "height": 900})
    navigation = page.get_by_role("navigation", name=nav)
    assert navigation.locator("[aria-current=page]").inner_text().strip().endswith("1")
    check_page(page, tmp_path, f"{name}-1-en-1280")
    navigation.get_by_role("link", name="Next").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert page.get_by_role("navigation", name=nav).locator("[aria-current=page]").inner_text().strip().endswith("2")
    check_page(page, tmp_path, f"{name}-2-en-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    check_page(page, tmp_path, f"{name}-2-en-390")
    _language(page, "ko")
    assert page.get_by_role("navigation", name=korean_nav).is_visible()
    check_page(page, tmp_path, f"{name}-2-ko-390")
    _language(page, "en")
    page.get_by_role("link", name=re.compile(r"Show all \d+ on one page")).click()
    page.wait_for_url(re.compile(r"all=1"))
    assert page.locator(rows).count() == 60


def test_the_leaderboard_and_the_queue_in_pages(live_server, page, tmp_path):
    world = scored_world(entries=60)
    secretariat = EditionRoleFactory(edition=world.edition, role="secretariat").user
    board = f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/results/"
    sign_in_at(page, live_server.url, secretariat, board)
    assert page.locator("table.leaderboard tbody tr").count() == 50
    _pages(page, tmp_path, "leaderboard", "Pages of the leaderboard", "순위표 페이지", "table.leaderboard tbody tr")
    page.context.clear_cookies()
    queue = f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/queue/"
    sign_in_at(page, live_server.url, world.judges[0].user, queue)
    assert page.locator("table.queue tbody tr").count() == 50
    _pages(page, tmp_path, "queue", "Pages of your queue", "내 심사 목록 페이지", "table.queue tbody tr")

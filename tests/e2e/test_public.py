"""An anonymous visitor reads a published edition's results on a desktop and on a phone, in English and Korean.

Set SCREENSHOT_DIR to keep the screenshots (they are never committed).
"""

import os
from pathlib import Path

import pytest

from tests.factories.public import published_edition

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The basics an axe-core run checks first: landmarks, one h1, no skipped heading level, alt on every image.
ACCESSIBILITY = """async () => {
  // Settle every image first (lazy ones too): a slow machine must not count a loading image as broken.
  for (const img of document.images) { img.loading = 'eager'; }
  await Promise.all([...document.images].map(img => img.complete ? null : new Promise(done => {
    img.addEventListener('load', done); img.addEventListener('error', done);
  })));
  const levels = [...document.querySelectorAll('main h1, main h2, main h3, main h4')].map(h => +h.tagName[1]);
  const skips = levels.filter((level, i) => i > 0 && level > levels[i - 1] + 1).length;
  return {
    main: document.querySelectorAll('main').length, banner: document.querySelectorAll('header.site-header').length,
    h1: document.querySelectorAll('h1').length, skips,
    noAlt: document.querySelectorAll('img:not([alt])').length,
    brokenImages: [...document.images].filter(img => img.complete && img.naturalWidth === 0).length,
    overflow: document.documentElement.scrollWidth > window.innerWidth,
    inline: document.querySelectorAll('script:not([src]), style, [style]').length,
  };
}"""


@pytest.mark.parametrize("language", ["en-GB", "ko-KR"])
@pytest.mark.parametrize("width", [1280, 390])
def test_the_results_read_well_on_a_desktop_and_a_phone(live_server, browser, language, width):
    made = published_edition()
    context = browser.new_context(locale=language, viewport={"width": width, "height": 900})
    page = context.new_page()
    shots = os.environ.get("SCREENSHOT_DIR")
    try:
        page.goto(f"{live_server.url}/editions/{made.edition.slug}/results/")
        korean = language.startswith("ko")
        assert page.evaluate("document.documentElement.lang") == ("ko" if korean else "en")
        gold, silver, bronze = ("금상", "은상", "동상") if korean else ("Gold", "Silver", "Bronze")
        for category in ("Human-centric", "Tech-innovative"):
            section = page.locator("section.results-category", has=page.get_by_role("heading", name=category))
            assert section.locator(".tier-gold .winner-card").count() == 1
            assert section.locator(".tier-silver .winner-card").count() == 2
            assert section.locator(".tier-bronze .winner-card").count() == 3
            assert section.get_by_text(gold, exact=True).is_visible()
            assert section.get_by_text(silver, exact=True).is_visible()
            assert section.get_by_text(bronze, exact=True).is_visible()
        assert page.locator(".tier-leadership .winner-card").count() == 2
        assert page.locator(".tier-special_mention .winner-card").count() == 2
        checks = page.evaluate(ACCESSIBILITY)
        assert checks == {"main": 1, "banner": 1, "h1": 1, "skips": 0, "noAlt": 0, "brokenImages": 0,
                          "overflow": False, "inline": 0}
        if shots:
            page.screenshot(path=str(Path(shots) / f"results-{language}-{width}.png"), full_page=True)

        page.locator(".tier-gold .winner-card a").first.click()
        page.wait_for_load_state("load")
        assert page.locator("figure.winner-figure img").evaluate("img => img.complete && img.naturalWidth") == 1200
        assert page.evaluate(ACCESSIBILITY)["overflow"] is False
        if shots:
            page.screenshot(path=str(Path(shots) / f"winner-{language}-{width}.png"), full_page=True)
            page.goto(f"{live_server.url}/editions/{made.edition.slug}/")
            page.screenshot(path=str(Path(shots) / f"edition-{language}-{width}.png"), full_page=True)
    finally:
        context.close()

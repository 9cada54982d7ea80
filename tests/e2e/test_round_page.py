"""The round page and its judges' page in the browser: the summary per category at 1280 and 390 px in English and
Korean, nothing wider than the screen, no axe-core violation; the link to the judges, their pages and the search."""

import re

import pytest

from judging.models import Assignment
from judging.services.assignments import assignment_release
from tests.e2e.signin import check_page, sign_in_at
from tests.factories import EditionRoleFactory
from tests.factories.assignment import assign, eligible, judge, one_category_round

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _language(page, code: str):
    page.select_option("#language-select", code)
    page.locator(".language-form button").click()
    page.wait_for_function(f"document.documentElement.lang === '{code}'")


def test_the_round_page_and_the_round_judges_in_pages(live_server, page, tmp_path):
    edition, category, judging_round = one_category_round(k=3)
    for _ in range(30):
        eligible(edition, category)
    for number in range(57):  # twelve experts take the round; the others have no room in it
        judge(edition, expertise=[category], capacity=10 if number < 12 else 0)
    assign(judging_round)
    assignment_release(assignment=Assignment.objects.filter(round=judging_round).order_by("pk").first(), user=None)
    secretariat = EditionRoleFactory(edition=edition, role="secretariat").user
    url = f"/e/{edition.slug}/rounds/{judging_round.pk}/"
    sign_in_at(page, live_server.url, secretariat, url)

    page.set_viewport_size({"width": 1280, "height": 900})
    summary = page.locator("section[aria-labelledby=judges-heading] table tbody tr")
    assert summary.count() == 1
    assert summary.locator("td").all_inner_texts()[:4] == ["30", "1", "12", "89"]
    check_page(page, tmp_path, "round-en-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    check_page(page, tmp_path, "round-en-390")
    _language(page, "ko")
    assert page.get_by_role("heading", name="부문별 심사위원과 신청작").is_visible()
    check_page(page, tmp_path, "round-ko-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    check_page(page, tmp_path, "round-ko-1280")
    _language(page, "en")

    page.get_by_role("link", name="Every judge with their load in this round").click()
    page.wait_for_url(re.compile(r"/judges/$"))
    assert page.locator("main table tbody tr").count() == 50
    check_page(page, tmp_path, "round-judges-en-1280")
    page.get_by_role("navigation", name="Pages of the judges").get_by_role("link", name="Next").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator("main table tbody tr").count() == 7
    page.set_viewport_size({"width": 390, "height": 844})
    check_page(page, tmp_path, "round-judges-2-en-390")
    _language(page, "ko")
    check_page(page, tmp_path, "round-judges-2-ko-390")
    _language(page, "en")
    page.get_by_role("link", name=re.compile(r"Show all 57 on one page")).click()
    page.wait_for_url(re.compile(r"all=1"))
    assert page.locator("main table tbody tr").count() == 57

    wanted = edition.judges.order_by("pk").last().user.email
    page.get_by_label("Name or e-mail address contains").fill(wanted)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"q="))
    assert page.locator("main table tbody tr").count() == 1
    assert page.get_by_label("Name or e-mail address contains").input_value() == wanted

"""Method 2's pages in the browser: the leaderboard's chance of each prize, the round's scoring settings and the
round page's warning about split panels, in English and Korean at 390 px, with no axe-core violation and nothing
wider than the screen."""


import pytest

from judging.models import JudgingRound
from judging.services.aggregation import round_aggregate
from tests.e2e.signin import check_page, sign_in_at
from tests.factories import EditionRoleFactory
from tests.factories.awards import PrizeTierFactory
from tests.factories.scoring import hand_world, make_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
def _both_languages(page, tmp_path, name, english: str, korean: str):
    assert english in page.content()
    check_page(page, tmp_path, f"{name}-en-390")
    page.select_option("#language-select", "ko")
    page.locator(".language-form button").click()
    page.wait_for_function("document.documentElement.lang === 'ko'")
    assert korean in page.content()
    check_page(page, tmp_path, f"{name}-ko-390")
    page.select_option("#language-select", "en")
    page.locator(".language-form button").click()
    page.wait_for_function("document.documentElement.lang === 'en'")


def test_the_leaderboard_and_the_settings_of_method_two(live_server, page, tmp_path):
    world = hand_world(aggregation_method=JudgingRound.AggregationMethod.CALIBRATED)
    category = world.round.categories.get()
    PrizeTierFactory(category=category, level="gold", places=1, position=1)
    PrizeTierFactory(category=category, level="silver", places=1, position=2)
    round_aggregate(judging_round=world.round)
    secretariat = EditionRoleFactory(edition=world.edition, role="secretariat").user
    page.set_viewport_size({"width": 390, "height": 844})
    board = f"/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/results/"
    sign_in_at(page, live_server.url, secretariat, board)
    _both_languages(page, tmp_path, "leaderboard-method-two", "Chance of each prize", "등급별 수상 확률")
    page.goto(f"{live_server.url}/e/{world.edition.slug}/scoring/rounds/{world.round.pk}/settings/")
    _both_languages(page, tmp_path, "scoring-settings", "scores are combined",
                    "심사위원 점수를 합치는 방법")


def test_the_round_page_warns_of_panels_that_share_no_entry(live_server, page, tmp_path):
    world = make_world(judges=4, entries=4, pairs=[(0, 0), (1, 0), (0, 1), (1, 1), (2, 2), (3, 2), (2, 3), (3, 3)],
                       state=JudgingRound.State.ASSIGNING)
    secretariat = EditionRoleFactory(edition=world.edition, role="secretariat").user
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_at(page, live_server.url, secretariat, f"/e/{world.edition.slug}/rounds/{world.round.pk}/")
    _both_languages(page, tmp_path, "round-split-panels", "panels that share no entry", "공통 항목이 없는")

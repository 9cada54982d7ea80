"""A committee member with MFA ranks a shortlist on a phone, with the keyboard's selects, and reads the count."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value, yield_hotp_counters_from_time

from judging.models import Ballot
from tests.factories import PASSWORD_FOR_TESTS
from tests.factories.votes import vote_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_member_ranks_on_a_phone_and_the_matrix_scrolls_inside_its_box(live_server, browser, settings):
    settings.PORTAL_MFA_REQUIRED = True
    world = vote_world(entries=6)
    member = world.members[1]
    secret = generate_totp_secret()
    TOTP.activate(member, secret)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()
    ballot = f"{live_server.url}{world.ballot_url()}"

    page.goto(ballot)
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(PASSWORD_FOR_TESTS)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.locator("input[name=code]").fill(f"{hotp_value(secret, next(yield_hotp_counters_from_time())):06d}")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(ballot)

    # Every entry's rank is a labelled select: F first, A and B tied second, the rest left unranked.
    a, b, *_rest, f = world.entries
    page.get_by_label("Entry F").select_option("1")
    page.get_by_label("Entry A").select_option("2")
    page.get_by_label("Entry B").select_option("2")
    page.get_by_role("button", name="Cast my ballot").click()
    page.wait_for_url(f"{live_server.url}{world.base}")
    assert "Your ballot for “Safety and resilience” is saved" in page.content()
    assert Ballot.objects.get(voter=member).ranking == [[f.pk], sorted([a.pk, b.pk])]

    page.goto(f"{live_server.url}{world.result_url()}")
    assert page.locator("ol.vote-order li").first.inner_text().startswith("1")
    # The page itself does not scroll sideways; each matrix does, inside its own box.
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    box = page.locator(".table-scroll").first
    assert box.evaluate("element => element.scrollWidth > element.clientWidth") is True
    context.close()

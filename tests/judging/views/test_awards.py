"""The prizes set-up page and the committee's deliberation page, for every role, with data that would leak."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from judging.models import AwardDecision, DeliberationMinutes, PrizeTier
from judging.services import deliberation as services
from portal.models import Edition, EditionRole
from tests.factories import EditionAwardFactory, EditionRoleFactory, MembershipFactory, make_pdf
from tests.factories.deliberation import award_world

pytestmark = pytest.mark.django_db

SECRET = "Entry 3"  # an entry's title: the proposal shows it, with its corrected score


def deliberation_url(world) -> str:
    return f"/e/{world.edition.slug}/awards/"


def setup_url(world) -> str:
    return f"/e/{world.edition.slug}/awards/setup/"


def _user(world, who: str):
    if who == "applicant":
        return MembershipFactory(organisation=world.entries[2].organisation).user
    if who == "judge+committee":
        user = world.role("judge")
        EditionRoleFactory(edition=world.edition, user=user, role=EditionRole.Role.COMMITTEE)
        return user
    if who == "other secretariat":
        return award_world([1], name="Elsewhere").role("secretariat")
    return world.role(who)


# who: (deliberation page, may decide, set-up page, may configure)
ROLES = {
    "applicant": (403, False, 403, False),
    "judge": (403, False, 403, False),
    "judge+committee": (403, False, 403, False),
    "other secretariat": (403, False, 403, False),
    "secretariat": (200, False, 200, True),
    "observer": (200, False, 200, False),
    "chair": (200, True, 200, False),
    "committee": (200, True, 403, False),
}


@pytest.mark.parametrize("who", sorted(ROLES))
def test_each_role_sees_the_deliberation_as_it_may(client, login, who):
    world = award_world([9, 8, 7, 6, 5, 4, 3])
    minutes = services.minutes_add(edition=world.edition, user=None, held_on=__import__("datetime").date(2026, 1, 5),
                                   text="Agreed the gold.", file=SimpleUploadedFile("m.pdf", make_pdf()))
    login(_user(world, who))
    page, decides, setup, configures = ROLES[who]
    response = client.get(deliberation_url(world))
    body = response.content.decode()
    assert response.status_code == page
    assert (SECRET in body, "7.00" in body, "Agreed the gold." in body) == (page == 200,) * 3
    assert (f'action="/e/{world.edition.slug}/awards/categories/{world.category.pk}/accept/"' in body) == decides
    file_response = client.get(f"/e/{world.edition.slug}/awards/minutes/{minutes.pk}/file/")
    assert file_response.status_code == page
    response = client.get(setup_url(world))
    body = response.content.decode()
    assert response.status_code == setup
    assert ('name="settings-tie_break"' in body) == configures
    # Nothing a role may not do goes through by posting.
    before = AwardDecision.objects.count()
    posted = client.post(f"/e/{world.edition.slug}/awards/categories/{world.category.pk}/accept/")
    assert (posted.status_code, AwardDecision.objects.count() - before) == ((302, 6) if decides else (403, 0))
    posted = client.post(f"/e/{world.edition.slug}/awards/setup/categories/{world.category.pk}/tiers/", {
        f"tier-new-{world.category.pk}-level": "winner", f"tier-new-{world.category.pk}-places": "1",
        f"tier-new-{world.category.pk}-position": "4"})
    assert posted.status_code == (302 if configures else 403)


def test_anonymous_visitors_are_sent_to_log_in(client):
    world = award_world([9, 8])
    for url in (deliberation_url(world), setup_url(world)):
        response = client.get(url)
        assert (response.status_code, response["Location"].startswith("/accounts/login/")) == (302, True)


def test_the_page_shows_ties_and_uncertain_places(client, login):
    world = award_world([9, 8, 8, 8, 5, 4, 3], intervals=[(8.9, 9.1), (7.9, 8.1), (7.9, 8.1), (7.9, 8.1),
                                                            (4.9, 5.1), (3.5, 4.5), (2.9, 4.0)])
    login(world.role("chair"))
    body = client.get(deliberation_url(world)).content.decode()
    assert "3 entries tie for 2 Silver places" in body
    assert "uncertain at the end of Bronze" in body
    assert "Apply the tie-break rule" in body


def test_a_departure_without_a_reason_is_refused_beside_the_field_and_the_choice_is_kept(client, login):
    world = award_world([9, 8, 7, 6, 5, 4, 3])
    login(world.role("committee"))
    gold = world.tier("gold")
    key = f"tier-{gold.pk}-decide"
    response = client.post(f"/e/{world.edition.slug}/awards/tiers/{gold.pk}/decide/",
                           {f"{key}-application": world.entries[6].pk, f"{key}-reason": ""})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Every departure from the ranking needs a written reason." in body
    assert f'<option value="{world.entries[6].pk}" selected>' in body
    assert AwardDecision.objects.count() == 0
    response = client.post(f"/e/{world.edition.slug}/awards/tiers/{gold.pk}/decide/",
                           {f"{key}-application": world.entries[6].pk, f"{key}-reason": "Scaled city-wide."})
    assert response.status_code == 302
    assert AwardDecision.objects.get().departs is True


def test_the_committee_leaves_a_place_empty_moves_an_entry_and_gives_an_award(client, login):
    world = award_world([9, 8, 7, 6, 5, 4, 3])
    other = award_world([2, 1], edition=world.edition, name="Tech-innovative", tiers=(("winner", 1),))
    award = EditionAwardFactory(edition=world.edition, name="Special mention")
    login(world.role("chair"))
    bronze = world.tier("bronze")
    assert client.post(f"/e/{world.edition.slug}/awards/tiers/{bronze.pk}/empty/",
                       {f"tier-{bronze.pk}-empty-reason": "Not enough strong entries."}).status_code == 302
    assert client.post(f"/e/{world.edition.slug}/awards/move/", {
        "move-application": world.entries[6].pk, "move-category": other.category.pk,
        "move-reason": "A technology story."}).status_code == 302
    assert client.post(f"/e/{world.edition.slug}/awards/edition-awards/{award.pk}/give/", {
        f"award-{award.pk}-application": world.entries[5].pk,
        f"award-{award.pk}-citation": "For listening to residents."}).status_code == 302
    body = client.get(deliberation_url(world)).content.decode()
    assert "Left empty" in body and "For listening to residents." in body and "Moved here from another category" in body
    decision = AwardDecision.objects.get(award=award)
    assert client.post(f"/e/{world.edition.slug}/awards/decisions/{decision.pk}/revoke/",
                       {f"revoke-{decision.pk}-reason": ""}).status_code == 400
    assert AwardDecision.objects.filter(award=award).exists()


def test_the_minutes_form_refuses_a_wrong_file_and_keeps_the_text(client, login):
    world = award_world([9])
    login(world.role("committee"))
    response = client.post(f"/e/{world.edition.slug}/awards/minutes/", {
        "minutes-held_on": "2026-11-20", "minutes-text": "We agreed the gold.",
        "minutes-file": SimpleUploadedFile("minutes.pdf", b"just text")})
    body = response.content.decode()
    assert response.status_code == 400
    assert "is not a PDF, Word (.docx) or OpenDocument (.odt) file" in body and "We agreed the gold." in body
    assert DeliberationMinutes.objects.count() == 0


def test_a_finalised_edition_is_read_only(client, login):
    world = award_world([9, 8], state=Edition.State.FINALISED)
    login(world.role("chair"))
    body = client.get(deliberation_url(world)).content.decode()
    assert "The edition is finalised" in body and "Accept the proposal" not in body
    client.post(f"/e/{world.edition.slug}/awards/categories/{world.category.pk}/accept/")
    assert AwardDecision.objects.count() == 0


def test_the_secretariat_sets_up_tiers_and_a_duplicate_level_is_refused_with_the_input_kept(client, login):
    world = award_world([9], tiers=())
    login(world.role("secretariat"))
    prefix = f"tier-new-{world.category.pk}"
    url = f"/e/{world.edition.slug}/awards/setup/categories/{world.category.pk}/tiers/"
    assert client.post(url, {f"{prefix}-level": "gold", f"{prefix}-places": "1", f"{prefix}-position": "1"}
                       ).status_code == 302
    response = client.post(url, {f"{prefix}-level": "gold", f"{prefix}-places": "7", f"{prefix}-position": "2"})
    assert response.status_code == 400
    assert 'value="7"' in response.content.decode()
    assert list(PrizeTier.objects.values_list("level", "places")) == [("gold", 1)]


@pytest.mark.parametrize("entries", [1, 12])
def test_the_deliberation_page_costs_the_same_queries_for_one_and_many_entries(client, login, entries,
                                                                                django_assert_num_queries):
    world = award_world([10 - i * 0.5 for i in range(entries)])
    other = award_world([3, 2], edition=world.edition, name="Tech-innovative")
    EditionAwardFactory(edition=world.edition)
    services.proposal_accept(edition=world.edition, category=other.category, user=None)
    login(world.role("committee"))
    # The request's savepoint and its release; session, user, the edition with the roles; rounds and their categories;
    # categories and their tiers; decisions; moves; the moved entries' results; per category the ranking's head,
    # its length and intervals' overlaps (one aggregate), its page; awards; minutes.
    with django_assert_num_queries(19):
        response = client.get(deliberation_url(world))
    assert response.status_code == 200


@pytest.mark.parametrize("who, linked", [("committee", True), ("observer", True), ("judge", False),
                                         ("judge+committee", False)])
def test_the_workspace_links_to_the_deliberation_for_those_who_may_see_it(client, login, who, linked):
    world = award_world([9])
    login(_user(world, who))
    body = client.get(f"/e/{world.edition.slug}/").content.decode()
    assert (f'href="{deliberation_url(world)}"' in body) == linked


def test_under_the_chairs_rule_only_the_chair_is_offered_the_tie_break(client, login):
    world = award_world([9, 9, 7])
    login(world.role("committee"))
    assert "Apply the tie-break rule" not in client.get(deliberation_url(world)).content.decode()
    client.logout()
    login(world.role("chair"))
    assert "Apply the tie-break rule" in client.get(deliberation_url(world)).content.decode()

"""The judge's bidding page: who reaches it, what it shows (blind or not), saving, refusals, query count."""

import re

import pytest

from judging.models import Bid
from judging.services import judges as judge_services
from judging.services.assignment_problem import round_problem
from portal.models import AuditEntry, Edition
from submissions.models import Answer, Application
from tests.factories import (
    ApplicationFactory,
    CategoryFactory,
    EditionFactory,
    EditionRoleFactory,
    MembershipFactory,
    OrganisationFactory,
    VerifiedUserFactory,
)
from tests.factories.judging import BidFactory, JudgeProfileFactory, JudgingRoundFactory

pytestmark = pytest.mark.django_db

SECRET = "Secret Town Council"


@pytest.fixture
def world():
    edition = EditionFactory(state=Edition.State.SCREENING)
    human = CategoryFactory(edition=edition, name="Human-centric", position=1)
    tech = CategoryFactory(edition=edition, name="Tech-innovative", position=2)
    entry = ApplicationFactory(edition=edition, category=human, status=Application.Status.ELIGIBLE,
                               title="Smart streetlights", organisation=OrganisationFactory(name=SECRET, country="KR"))
    other = ApplicationFactory(edition=edition, category=tech, status=Application.Status.SUBMITTED,
                               title="Flood sensors")
    hidden = {status: ApplicationFactory(edition=edition, category=human, status=status, title=f"Hidden {status}")
              for status in (Application.Status.DRAFT, Application.Status.WITHDRAWN, Application.Status.INELIGIBLE)}
    judge = JudgeProfileFactory(edition=edition)
    return {"edition": edition, "human": human, "tech": tech, "entry": entry, "other": other, "hidden": hidden,
            "judge": judge, "url": f"/e/{edition.slug}/bids/"}


def form_data(response) -> dict:
    """What the browser would post: every select of the page with its current choice, and the hidden field."""
    html = response.content.decode()
    data = {"shown": re.search(r'name="shown" value="([^"]*)"', html).group(1)}
    for name, body in re.findall(r'<select name="((?:entry|category)_\d+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        data[name] = chosen.group(1) if chosen else ""
    return data


# --- who reaches it ----------------------------------------------------------------------------------------


def test_a_judge_sees_the_entries_open_for_bids_and_the_categories(world, client, login):
    login(world["judge"].user)
    response = client.get(world["url"])
    html = response.content.decode()
    assert response.status_code == 200
    assert "Smart streetlights" in html and "Flood sensors" in html
    assert not any(f"Hidden {status}" in html for status in world["hidden"])
    assert SECRET in html  # no blind round: the applicant is named
    names = set(re.findall(r'<select name="((?:entry|category)_\d+)"', html))
    assert names == {f"entry_{world['entry'].pk}", f"entry_{world['other'].pk}",
                     f"category_{world['human'].pk}", f"category_{world['tech'].pk}"}


def test_the_scoring_page_links_a_judge_to_their_bids(world, client, login):
    login(world["judge"].user)
    assert world["url"] in client.get(f"/e/{world['edition'].slug}/scoring/").content.decode()


@pytest.mark.parametrize("role", ["secretariat", "chair", "observer"])
def test_the_committee_does_not_bid(world, role, client, login):
    login(EditionRoleFactory(edition=world["edition"], role=role).user)
    response = client.get(world["url"])
    assert response.status_code == 403
    assert "Smart streetlights" not in response.content.decode()


def test_applicants_strangers_and_judges_of_other_editions_get_403(world, client, login):
    applicant = VerifiedUserFactory()
    MembershipFactory(organisation=world["entry"].organisation, user=applicant)
    others = [applicant, VerifiedUserFactory(), JudgeProfileFactory().user]
    for user in others:
        client.logout()
        login(user)
        response = client.get(world["url"])
        assert response.status_code == 403
        assert "Smart streetlights" not in response.content.decode()


def test_an_inactive_judge_gets_403_and_anonymous_visitors_log_in_first(world, client, login):
    assert client.get(world["url"]).status_code == 302
    world["judge"].active = False
    world["judge"].save()
    login(world["judge"].user)
    assert client.get(world["url"]).status_code == 403


def test_a_blind_edition_lists_entries_without_the_applicant(world, client, login):
    JudgingRoundFactory(edition=world["edition"], categories=[world["human"]], blind=True)
    login(world["judge"].user)
    html = client.get(world["url"]).content.decode()
    assert "Smart streetlights" in html
    assert SECRET not in html and "Korea" not in html


def test_a_blind_edition_withholds_the_applicant_in_titles_summaries_and_labels(world, client, login):
    JudgingRoundFactory(edition=world["edition"], categories=[world["human"]], blind=True)
    contact = MembershipFactory(organisation=world["entry"].organisation,
                                user=VerifiedUserFactory(name="Odalys Brennick", email="odalys@secret.example")).user
    Application.objects.filter(pk=world["entry"].pk).update(title=f"Streetlights of {SECRET}")
    summary = f"{SECRET} lights its streets. Ask {contact.name} or write to desk@elsewhere.example."
    Answer.objects.filter(application=world["entry"], question__key="summary").update(value=summary, text=summary)
    login(world["judge"].user)
    html = client.get(world["url"]).content.decode()
    assert "Streetlights of [withheld]" in html
    assert "Bid on Streetlights of [withheld]" in html  # the select's label too
    assert "[withheld] lights its streets. Ask [withheld] or write to [withheld]." in html
    for identity in (SECRET, contact.name, contact.email, "desk@elsewhere.example"):
        assert identity not in html
    # Searching for the withheld name finds nothing: the search reads the titles as the judge does.
    for search in ("streetlights+of+secret", "town"):
        searched = client.get(f"{world['url']}?q={search}").content.decode()
        assert "0 entries open for bids" in searched and "Streetlights of" not in searched
    assert "Streetlights of [withheld]" in client.get(f"{world['url']}?q=streetlights").content.decode()


@pytest.mark.parametrize("blind", [False, True])
@pytest.mark.parametrize("rows", [1, 61])
def test_pages_and_filters_take_the_same_number_of_queries_for_one_and_many_entries(world, client, login, rows, blind,
                                                                                    django_assert_num_queries):
    if blind:
        JudgingRoundFactory(edition=world["edition"], categories=[world["human"]], blind=True)
    for i in range(rows - 1):
        ApplicationFactory(edition=world["edition"], category=world["tech"], status=Application.Status.ELIGIBLE,
                           title=f"Entry {i}")
    BidFactory(judge=world["judge"], application=world["other"], level="eager")
    BidFactory(application=ApplicationFactory(edition=world["edition"], category=world["tech"], title="Bid by another",
                                              status=Application.Status.ELIGIBLE),
               judge=JudgeProfileFactory(edition=world["edition"]), level="conflict")
    login(world["judge"].user)
    one = f"{world['url']}?category={world['tech'].pk}"
    client.get(one)
    # 19: the page and its filters; + the entries' summaries (answers), once; blind: + the applicants' people, once
    with django_assert_num_queries(21 if blind else 20):
        response = client.get(one)
    assert response.status_code == 200
    # The other judge's bid is not this judge's: its entry shows with no choice made.
    assert 'value="conflict" selected' not in response.content.decode()
    assert len(re.findall(r'<select name="entry_', response.content.decode())) == min(rows + 1, 50)  # one page
    assert "Flood sensors" in client.get(f"{world['url']}?q=flood").content.decode()
    assert "Smart streetlights" not in client.get(f"{world['url']}?q=flood").content.decode()


# --- saving ----------------------------------------------------------------------------------------------


def test_saving_sets_changes_and_withdraws_bids_with_an_audit_trail(world, client, login):
    judge = world["judge"]
    BidFactory(judge=judge, application=world["other"], level="willing")
    login(judge.user)
    data = form_data(client.get(world["url"]))
    assert data[f"entry_{world['other'].pk}"] == "willing"  # the page shows the bid already placed
    data.update({f"entry_{world['entry'].pk}": "eager", f"entry_{world['other'].pk}": "",
                 f"category_{world['tech'].pk}": "not_willing"})
    response = client.post(world["url"], data, follow=True)
    assert response.redirect_chain == [(world["url"], 302)]
    assert "Saved: 3 bids changed" in response.content.decode()
    bids = {(b.application_id, b.category_id): b.level for b in Bid.objects.filter(judge=judge)}
    assert bids == {(world["entry"].pk, None): "eager", (None, world["tech"].pk): "not_willing"}
    assert sorted(AuditEntry.objects.filter(action__startswith="bid.").values_list("action", flat=True)) == [
        "bid.set", "bid.set", "bid.withdraw"]

    # Saving the same choices again changes nothing.
    again = client.post(world["url"], form_data(client.get(world["url"])), follow=True)
    assert "Saved: 0 bids changed" in again.content.decode()


def test_bids_reach_the_assigner(world, client, login):
    judging_round = JudgingRoundFactory(edition=world["edition"], categories=[world["human"]], judges_per_entry=1)
    login(world["judge"].user)
    data = form_data(client.get(world["url"]))
    before = round_problem(judging_round)
    data[f"entry_{world['entry'].pk}"] = "conflict"
    client.post(world["url"], data)
    after = round_problem(judging_round)
    row = list(after.entry_ids).index(world["entry"].pk)
    column = list(after.judge_ids).index(world["judge"].pk)
    assert bool(before.problem.allowed[row, column]) and not bool(after.problem.allowed[row, column])


def test_a_tampered_level_is_refused_and_every_other_choice_is_kept(world, client, login):
    login(world["judge"].user)
    data = form_data(client.get(world["url"]))
    data.update({f"entry_{world['entry'].pk}": "eager", f"entry_{world['other'].pk}": "desperate",
                 f"category_{world['human'].pk}": "willing"})
    response = client.post(world["url"], data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "nothing was saved" in html
    assert Bid.objects.count() == 0
    kept = form_data(response)
    assert (kept[f"entry_{world['entry'].pk}"], kept[f"category_{world['human'].pk}"]) == ("eager", "willing")


@pytest.mark.parametrize("shown", ["1,2,x", "{other_edition}", "{withdrawn}"])
def test_entries_not_open_for_bids_are_refused_with_a_message(world, shown, client, login):
    foreign = ApplicationFactory(status=Application.Status.ELIGIBLE)
    withdrawn = world["hidden"][Application.Status.WITHDRAWN]
    login(world["judge"].user)
    data = form_data(client.get(world["url"]))
    data["shown"] = shown.format(other_edition=foreign.pk, withdrawn=withdrawn.pk)
    data[f"entry_{foreign.pk}"] = data[f"entry_{withdrawn.pk}"] = "eager"
    data[f"entry_{world['entry'].pk}"] = "willing"
    response = client.post(world["url"], data)
    assert response.status_code == 400
    assert "nothing was saved" in response.content.decode() or "no longer open for bids" in response.content.decode()
    assert Bid.objects.count() == 0
    assert form_data(response)[f"entry_{world['entry'].pk}"] == "willing"


def test_bids_are_read_only_once_the_edition_is_finalised(world, client, login):
    Edition.objects.filter(pk=world["edition"].pk).update(state=Edition.State.FINALISED)
    login(world["judge"].user)
    page = client.get(world["url"])
    assert "can no longer change" in page.content.decode()
    assert "Save these bids" not in page.content.decode()
    data = form_data(page)
    data[f"entry_{world['entry'].pk}"] = "eager"
    response = client.post(world["url"], data)
    assert response.status_code == 400
    assert Bid.objects.count() == 0


def test_a_conflict_is_shown_beside_the_entry(world, client, login):
    MembershipFactory(organisation=world["entry"].organisation, user=world["judge"].user)
    login(world["judge"].user)
    html = client.get(world["url"]).content.decode()
    assert "You will not be assigned this entry: the judge is a member of the applying organisation." in html


def test_only_the_judge_bids_for_themselves():
    judge = JudgeProfileFactory()
    with pytest.raises(judge_services.ValidationError):
        judge_services.bids_save(judge=judge, user=VerifiedUserFactory(), entries={}, categories={})

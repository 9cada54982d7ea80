"""Blindness everywhere: a judge of a blind round crawls every page, fragment, download and e-mail they can reach,
and no applicant's identity appears in any body or header.

The world is built as a real call is: applicants of four organisations with distinctive names, cities, websites,
contact people and file names (and texts that repeat them) submit through the services; a blind round has its
assignments, bids, a recorded conflict, a declared conflict, a draft and a submitted review. The crawl starts at
the judge's entry points, follows every same-site link, `hx-*` and `data-*-url` address of each HTML page and every
redirect (GET only), and also requests every named URL of the portal's apps with the ids of that world. The
same crawl over a non-blind round must find the identity (a crawl that cannot see it proves nothing).
"""

from __future__ import annotations

import html
import json
import re
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import quote, urljoin, urlsplit

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_countries import countries

from judging import notifications
from judging.models import Assignment, JudgingRound
from judging.services import judges as judge_services
from judging.services.queues import queues_place
from judging.services.scoring import ReviewInput, review_submit
from portal.models import Edition
from submissions import services as submission_services
from submissions.models import Application, Attachment
from tests.factories import (
    CategoryFactory,
    CriterionFactory,
    EditionFactory,
    EditionRoleFactory,
    MembershipFactory,
    OrganisationFactory,
    RubricFactory,
    VerifiedUserFactory,
    make_pdf,
)
from tests.factories.judging import AssignmentFactory, JudgeProfileFactory, JudgingRoundFactory
from worker.outbox import outbox_relay

pytestmark = pytest.mark.django_db

# Each organisation: what would tell a judge who applied. "&" and "'" make the escaped variants matter.
ORGANISATIONS = [
    {"name": "Zorblax & Quimby Metropolitan Authority", "city": "Quorvania", "country": "NR",
     "country_name": countries.name("NR"), "website": "https://www.zorblax-metro.example/",
     "contact": "Wendeline Fairweather-Okonkwo", "email": "wendeline.f@zorblax-mail.example",
     "file": "Zorblax-Quorvania-budget.pdf", "title": "Quorvania night buses"},
    {"name": "Hollowmere District Office", "city": "Pelliston-on-Brine", "country": "TV",
     "country_name": countries.name("TV"), "website": "https://hollowmere-district.example",
     "contact": "Tamsin O'Rourke-Vasquez", "email": "tamsin.orourke@hollowmere-mail.example",
     "file": "hollowmere_flood_plan.pdf", "title": "Flood sensors for Pelliston-on-Brine"},
    {"name": "Brightwater Kestrel Institute", "city": "Umbrellweald", "country": "KR",
     "country_name": None, "website": "https://kestrel-institute.example",
     "contact": "Ottoline Pemberton-Sze", "email": "ottoline@kestrel-mail.example",
     "file": "Brightwater Kestrel Institute - evidence.pdf",
     "title": "Heat maps by Ottoline Pemberton-Sze (ottoline@kestrel-mail.example)"},
    {"name": "Vantorr Civic Lab", "city": "Glimmerholt", "country": "KR",
     "country_name": None, "website": "https://vantorr-lab.example",
     "contact": "Aurelio Quintanilla-Brook", "email": "aurelio@vantorr-mail.example",
     "file": "vantorr-glimmerholt-pilot.pdf", "title": "Glimmerholt open data desk"},
]
CATEGORY_NAMES = ["Human-centric", "Tech-innovative", "Safety and resilience"]


def identity_strings(organisation: dict) -> list[str]:
    strings = [organisation[key] for key in ("name", "city", "contact", "email", "file")]
    strings.append(urlsplit(organisation["website"]).hostname.removeprefix("www."))
    if organisation["country_name"]:
        strings.append(organisation["country_name"])
    return strings


COUNTRY_NAMES = {organisation["country_name"] for organisation in ORGANISATIONS} - {None}
# A list of every country (the organisation form's select) names nobody: countries are looked for outside them.
SELECT = re.compile(r"<select\b.*?</select>", re.S | re.I)


def variants(text: str) -> set[str]:
    """The forms a string takes in HTML, JSON, URLs and headers, lower-cased."""
    return {v.lower() for v in (text, html.escape(text), html.escape(text, quote=False),
                                text.replace("'", "&#39;"), quote(text), quote(text, safe=""),
                                json.dumps(text)[1:-1], text.replace(" ", "_"), text.replace(" ", "-"))}


# --- the world ---------------------------------------------------------------------------------------------------


@dataclass
class World:
    edition: Edition
    round: JudgingRound
    judge: object  # the crawling judge's profile
    others: list
    entries: list[Application]
    assignments: list[Assignment]
    categories: list = field(default_factory=list)


def _submit(*, organisation_data: dict, category, index: int) -> Application:
    """As the applicant does it: create, fill in (texts that name the organisation), upload a file, submit."""
    contact = VerifiedUserFactory(name=organisation_data["contact"], email=organisation_data["email"])
    organisation = OrganisationFactory(name=organisation_data["name"], city=organisation_data["city"],
                                       country=organisation_data["country"], website=organisation_data["website"])
    MembershipFactory(organisation=organisation, user=contact)
    application = submission_services.application_create(user=contact, organisation=organisation, category=category)
    name, city = organisation_data["name"], organisation_data["city"]
    data = {
        "title": organisation_data["title"], "stage": "pilot",
        "summary": f"{name} runs this in {city}. Ask {organisation_data['contact']} ({organisation_data['email']}).",
        "problem": f"Residents of {city} wait too long.", "solution": "Sensors and a schedule.",
        "impact_evidence": f"Measured by {name}.", "inclusiveness": "Everyone.", "scalability": "Other cities.",
        "resources": "Two people.", "partners": f"{name} (lead)\nA university",
        "links": f"{organisation_data['website']}project\nhttps://example.org/neutral-{index}",
    }
    submission_services.application_save_draft(application=application, user=contact, data=data)
    submission_services.attachment_add(application=application, user=contact, upload=SimpleUploadedFile(
        organisation_data["file"], make_pdf(1), content_type="application/pdf"))
    submission_services.application_submit(application=application, user=contact)
    application.refresh_from_db()
    return application


def build_world(*, blind: bool, committee_member: bool = False) -> World:
    """`committee_member`: the crawling judge also sits on the committee, which votes on the round (and has voted)."""
    edition = EditionFactory(state=Edition.State.OPEN, opens_at=timezone.now() - timedelta(days=20),
                             closes_at=timezone.now() + timedelta(days=1))
    secretariat = EditionRoleFactory(edition=edition, role="secretariat").user
    categories = [CategoryFactory(edition=edition, name=name, position=i) for i, name in enumerate(CATEGORY_NAMES)]
    entries = [_submit(organisation_data=data, category=categories[i % len(categories)], index=i)
               for i, data in enumerate(ORGANISATIONS)]
    Edition.objects.filter(pk=edition.pk).update(state=Edition.State.SCREENING)
    submission_services.applications_screen_bulk(applications=entries, user=secretariat, eligible=True)
    Edition.objects.filter(pk=edition.pk).update(state=Edition.State.JUDGING)
    edition.refresh_from_db()
    rubric = RubricFactory(edition=edition, name="Main rubric")
    criteria = [CriterionFactory(rubric=rubric, name=f"Criterion {i}", scale_min=0, scale_max=10, position=i)
                for i in range(2)]
    judging_round = JudgingRoundFactory(edition=edition, state=JudgingRound.State.OPEN, blind=blind,
                                        judges_per_entry=2, categories=categories, reminder_hours=[24 * 30],
                                        committee_vote=committee_member)
    judge = JudgeProfileFactory(edition=edition, expertise=categories, user=VerifiedUserFactory(name="Crawling Judge"))
    others = [JudgeProfileFactory(edition=edition, expertise=categories) for _ in range(2)]
    # The crawling judge: three entries to score, one to declare a conflict on, one conflict recorded beforehand.
    assignments = [AssignmentFactory(round=judging_round, judge=judge, application=entry) for entry in entries[:3]]
    conflicted_later = AssignmentFactory(round=judging_round, judge=others[0], application=entries[3])
    AssignmentFactory(round=judging_round, judge=others[1], application=entries[3])
    for entry in entries[:3]:
        AssignmentFactory(round=judging_round, judge=others[1], application=entry)
    judge_services.conflict_record(judge=judge, application=entries[3], reason="Former employer", user=secretariat)
    for entry in entries:
        judge_services.bid_set(judge=judge, level="eager", user=None, application=entry)
    judge_services.bid_set(judge=judge, level="willing", user=None, category=categories[0])
    queues_place(judging_round=judging_round, judge_ids=[judge.pk, *(other.pk for other in others)])
    review_submit(assignment=assignments[0], user=judge.user,
                  data=ReviewInput(scores={criterion.pk: 7 for criterion in criteria}), notify=False)
    # Another judge's conflict, declared on their page, sends a replacement; the crawler's own comes in the test.
    from judging.services.conflicts import assignment_declare_conflict

    assignment_declare_conflict(assignment=conflicted_later, user=others[0].user, reason="I know them")
    if committee_member:
        from judging.services.votes import ballot_save

        EditionRoleFactory(edition=edition, user=judge.user, role="committee")
        ballot_save(judging_round=judging_round, category=categories[0], voter=judge.user,
                    ranking=[[entries[0].pk], [entries[3].pk]])
    return World(edition, judging_round, judge, others, entries, assignments, categories)


# --- the crawl ---------------------------------------------------------------------------------------------------

LINK = re.compile(r'(?:href|src|action|hx-get|hx-post|hx-put|hx-patch|hx-delete|data-[a-z-]*url)\s*=\s*"([^"]*)"',
                  re.I)
NEVER = ("/accounts/logout/", "/admin/", "/static/", "/i18n/")


@dataclass
class Fetched:
    url: str
    status: int
    headers: str
    body: str


def _same_site(url: str, base: str) -> str | None:
    absolute = urljoin(base, html.unescape(url))
    parts = urlsplit(absolute)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if not path.startswith("/") or path.startswith(NEVER) else path


def _text(content: bytes) -> str:
    return content.decode("utf-8", errors="replace") + "\n" + content.decode("latin-1")


def crawl(client, starts: list[str], *, limit: int = 600) -> dict[str, Fetched]:
    """Breadth-first over GET, from `starts`: links, htmx and data-*-url addresses, redirects. Bounded by `limit`."""
    seen: dict[str, Fetched] = {}
    queue = deque(starts)
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        headers = "\n".join(f"{k}: {v}" for k, v in response.items())
        seen[url] = Fetched(url, response.status_code, headers, _text(content))
        found = []
        if response.status_code in (301, 302, 303, 307, 308):
            found.append(response["Location"])
        if "html" in response.get("Content-Type", ""):
            found += LINK.findall(content.decode("utf-8", errors="replace"))
        for link in found:
            path = _same_site(link, url)
            if path and path not in seen:
                queue.append(path)
    return seen


def _patterns(resolvers=None, namespace: str = "", converters=None):
    """(name, parameter names) of every named URL in the portal's own apps."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        found = dict(converters or {}, **getattr(entry.pattern, "converters", {}))
        if isinstance(entry, URLResolver):
            if entry.namespace in ("judging", "portal", "submissions"):
                yield from _patterns(entry.url_patterns, f"{entry.namespace}:", found)
        elif isinstance(entry, URLPattern) and entry.name and namespace:
            yield f"{namespace}{entry.name}", found


def urlconf_urls(world: World) -> list[str]:
    """Every named URL of judging, portal and submissions, with the ids of this world in its parameters."""
    assignment_ids = list(Assignment.objects.filter(round__edition=world.edition).values_list("pk", flat=True))
    entry_ids = [entry.pk for entry in world.entries]
    attachment_ids = list(Attachment.objects.filter(application__in=world.entries).values_list("pk", flat=True))
    organisation_ids = [entry.organisation_id for entry in world.entries]
    values = {
        "slug": [world.edition.slug], "round_id": [world.round.pk], "round_pk": [world.round.pk],
        "application_id": entry_ids, "category_id": [c.pk for c in world.categories], "number": [1, 2],
        "pk": sorted({*assignment_ids, *entry_ids, *attachment_ids, *organisation_ids}),
        "user_pk": [world.judge.user_id], "code": ["en"], "kind": ["certificates", "decisions"],
        "role": ["judge"], "token": ["no-such-token"],
    }
    urls = []
    for name, params in _patterns():
        combos = [{}]
        for param in params:
            options = values.get(param, [1, 2])
            combos = [dict(combo, **{param: option}) for combo in combos for option in options]
        for kwargs in combos:
            try:
                urls.append(reverse(name, kwargs=kwargs))
            except NoReverseMatch:
                pass
    return urls


def judge_starts(world: World) -> list[str]:
    return [
        "/", reverse("portal:dashboard"), reverse("portal:edition_workspace", args=[world.edition.slug]),
        reverse("judging:scoring_home", args=[world.edition.slug]),
        reverse("judging:scoring_workbench", args=[world.edition.slug, world.round.pk]),
        reverse("judging:bids", args=[world.edition.slug]),
        *(reverse("judging:scoring_review", args=[a.pk]) for a in world.assignments),
    ]


def judge_journey(world: World, client, login, django_capture_on_commit_callbacks) -> tuple[dict, list]:
    """Log in as the judge, reach the states a judge makes (a draft, a declared conflict), crawl; return the
    pages fetched and the e-mails the judges received."""
    mail.outbox.clear()
    login(world.judge.user)
    draft, conflicted = world.assignments[1], world.assignments[2]
    fetched: dict[str, Fetched] = {}
    with django_capture_on_commit_callbacks(execute=True):
        review_url = reverse("judging:scoring_review", args=[draft.pk])
        client.get(review_url)
        autosave = client.post(reverse("judging:scoring_autosave", args=[draft.pk]), {"comment": "Promising."})
        fetched["autosave"] = Fetched("autosave", autosave.status_code, "", autosave.content.decode())
    fetched.update(crawl(client, judge_starts(world) + urlconf_urls(world)))
    with django_capture_on_commit_callbacks(execute=True):
        declared = client.post(reverse("judging:scoring_conflict", args=[conflicted.pk]),
                               {"reason": "I advised them"}, follow=True)
        fetched["conflict"] = Fetched("conflict", declared.status_code, "", declared.content.decode())
    fetched.update({f"after-conflict {url}": page for url, page in crawl(client, judge_starts(world)).items()})
    # The e-mails of the round: assignments announced, reminders (scheduled and "remind now"), the receipt.
    judge_ids = [world.judge.pk, *(other.pk for other in world.others)]
    with django_capture_on_commit_callbacks(execute=True):
        notifications.round_notify_judges(round=world.round)
        notifications.reminders_send()
        notifications.round_remind_judges(round=world.round, judge_ids=judge_ids)
        review = world.assignments[0].review
        notifications.review_receipt_send(review_id=review.pk)
    outbox_relay()  # the e-mails leave through the outbox
    judge_emails = {other.user.email for other in world.others} | {world.judge.user.email}
    mails = [message for message in mail.outbox if set(message.to) & judge_emails]
    return fetched, mails


def mail_text(message) -> str:
    parts = [message.subject, message.body, "\n".join(f"{k}: {v}" for k, v in message.extra_headers.items())]
    parts += [content for content, _type in getattr(message, "alternatives", [])]
    parts += [f"{name} {content if isinstance(content, str) else ''}" for name, content, _type in message.attachments]
    return "\n".join(parts)


def leaks(texts: dict[str, str], organisations: list[dict]) -> dict[str, list[str]]:
    """Per identity string, where it was found."""
    found: dict[str, list[str]] = {}
    for organisation in organisations:
        for identity in identity_strings(organisation):
            forms = variants(identity)
            for where, text in texts.items():
                lowered = (SELECT.sub("", text) if identity in COUNTRY_NAMES else text).lower()
                if any(form in lowered for form in forms):
                    found.setdefault(identity, []).append(where)
    return found


def _texts(fetched: dict[str, Fetched], mails: list) -> dict[str, str]:
    texts = {f"{page.status} {url}": f"{page.headers}\n{page.body}" for url, page in fetched.items()}
    texts.update({f"mail to {m.to[0]}: {m.subject}": mail_text(m) for m in mails})
    return texts


# --- the tests ---------------------------------------------------------------------------------------------------


def test_a_judge_of_a_blind_round_never_sees_who_applied(client, login, django_capture_on_commit_callbacks):
    world = build_world(blind=True)
    fetched, mails = judge_journey(world, client, login, django_capture_on_commit_callbacks)

    found = leaks(_texts(fetched, mails), ORGANISATIONS)

    assert found == {}, json.dumps(found, indent=1)
    # The crawl reached the judge's pages, fragments and files, and the e-mails were sent.
    reached = {page.url for page in fetched.values() if page.status == 200}
    for name, args in [("judging:bids", [world.edition.slug]), ("judging:scoring_home", [world.edition.slug]),
                       ("judging:scoring_workbench", [world.edition.slug, world.round.pk]),
                       ("judging:scoring_review", [world.assignments[0].pk]),
                       ("judging:scoring_attachment", [world.assignments[0].pk, 1])]:
        assert reverse(name, args=args) in reached
    assert len(fetched) > 100
    own = sorted({re.sub(r":.*", "", m.subject) for m in mails if m.to == [world.judge.user.email]})
    assert own == ["Reminder", "Your entries to judge", "[Award portal] Review received"]
    assert len(mails) == 10  # each of the three judges: announced, reminded twice; and the crawler's receipt


def test_a_judge_on_the_committee_votes_on_a_blind_round_without_seeing_who_applied(
        client, login, django_capture_on_commit_callbacks):
    """Committee members are often judges too: the committee's vote on a blind round is blind for them."""
    world = build_world(blind=True, committee_member=True)
    fetched, mails = judge_journey(world, client, login, django_capture_on_commit_callbacks)

    found = leaks(_texts(fetched, mails), ORGANISATIONS)

    assert found == {}, json.dumps(found, indent=1)
    reached = {page.url for page in fetched.values() if page.status == 200}
    slug, round_id, category_id = world.edition.slug, world.round.pk, world.categories[0].pk
    assert {reverse("judging:vote_ballot", args=[slug, round_id, category_id]),
            reverse("judging:vote_result", args=[slug, round_id, category_id])} <= reached


def test_the_same_crawl_in_an_open_round_finds_who_applied(client, login, django_capture_on_commit_callbacks):
    """The control: without blindness the crawl sees the identity, on the pages and in the e-mails."""
    world = build_world(blind=False)
    fetched, mails = judge_journey(world, client, login, django_capture_on_commit_callbacks)
    texts = _texts(fetched, mails)

    found = leaks(texts, ORGANISATIONS)

    # Every identity string is seen somewhere (the contact people through the applicants' own texts), but the
    # website and file of the entry the judge has a conflict with, which they never open.
    unassigned = ORGANISATIONS[3]
    assert set(found) == {identity for organisation in ORGANISATIONS for identity in identity_strings(organisation)
                          } - {unassigned["file"], urlsplit(unassigned["website"]).hostname}
    bids = reverse("judging:bids", args=[world.edition.slug])
    assert any(f"200 {bids}" in where for where in found[ORGANISATIONS[0]["name"]])
    attachment = reverse("judging:scoring_attachment", args=[world.assignments[0].pk, 1])
    assert any(f"200 {attachment}" in where for where in found[ORGANISATIONS[0]["file"]])
    assert any(where.startswith("mail to") for where in found[ORGANISATIONS[0]["name"]])

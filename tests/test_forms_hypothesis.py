"""Property: no request to any page of the portal, with any form values, as any role, answers 500.

Every URL pattern of the portal and of the account pages is enumerated from the resolver (the admin is a superuser's
tool and is left out). For each, hypothesis draws who asks (the staff member holding every edition role, a judge,
an applicant, nobody), the path's values (ids that exist, ids that do not, ids past 64 bits), the method, and the
form's fields: the names and values the page itself offers (harvested from its HTML, so formsets and an edition's
own sections are in), each possibly replaced by a hostile value (NUL, right-to-left override, 100 000 characters,
numbers past any column, "²", dates that do not exist, duplicated fields, missing fields) or a hostile file.

The runtime is bounded by the "portal" settings profile (a few examples per page, no deadline, derandomised so a
run is repeatable; HYPOTHESIS_PROFILE=portal-deep explores more).
"""

import html
import os
import re
import traceback
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.models import Edition, EditionRole
from tests.factories import (
    EditionFactory,
    EditionRoleFactory,
    InvitationFactory,
    MembershipFactory,
    RoleInvitationFactory,
    VerifiedUserFactory,
    make_pdf,
)
from tests.factories import hostile_files as hostile
from tests.factories.awards import DeliberationMinutesFactory, EditionAwardFactory
from tests.factories.deliberation import award_world
from tests.factories.public import image_bytes
from tests.factories.scoring import make_world
from tests.factories.submissions import ApplicationFactory, AttachmentFactory

pytestmark = pytest.mark.django_db

settings.register_profile(
    "portal", max_examples=4, deadline=None, derandomize=True, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "portal-deep", max_examples=40, deadline=None, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "portal")


# --- the pages -------------------------------------------------------------------------------------------------

def _patterns(patterns=None, namespace=None, prefix=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("admin/"):
                continue
            yield from _patterns(entry.url_patterns, entry.namespace or namespace, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if entry.name is None:  # allauth's old /accounts/social/ redirects: named by their route
                yield f"route:{route}", route
                continue
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, route


ROUTES = sorted(set(_patterns()))
GROUPS = 6
PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>[^)]*\)")


def test_every_page_of_the_portal_is_in_the_property_run():
    names = {name for name, _route in ROUTES}
    # A sample of each app and of the account pages: a resolver change that hid them would shrink the run.
    assert {"submissions:application_edit", "submissions:attachment_upload", "portal:edition_roles_csv",
            "judging:awards_minutes_add", "judging:scoring_review", "judging:rubric_criterion_edit",
            "account_login", "account_signup", "set_language"} <= names
    assert len(ROUTES) > 130


# --- the world the pages act on ---------------------------------------------------------------------------------

@pytest.fixture
def world():
    """An open call with a draft and its files, a judging round with assignments, a deliberating committee with
    prize tiers and minutes; one staff member holding every edition role in all three, an organiser too."""
    staff = VerifiedUserFactory(is_organiser=True)
    open_edition = EditionFactory(state=Edition.State.OPEN)
    membership = MembershipFactory()
    draft = ApplicationFactory(edition=open_edition, organisation=membership.organisation,
                               created_by=membership.user)
    AttachmentFactory(application=draft)
    judging = make_world(judges=2, entries=2)
    deliberating = award_world([9.0, 8.0, 7.0])
    DeliberationMinutesFactory(edition=deliberating.edition)
    EditionAwardFactory(edition=deliberating.edition)
    editions = [open_edition, judging.edition, deliberating.edition]
    for edition in editions:
        for role in (EditionRole.Role.SECRETARIAT, EditionRole.Role.CHAIR, EditionRole.Role.COMMITTEE,
                     EditionRole.Role.OBSERVER):
            EditionRoleFactory(edition=edition, user=staff, role=role)
        RoleInvitationFactory(edition=edition)
    InvitationFactory(organisation=membership.organisation)
    from judging.models import AwardDecision, Criterion, DeliberationMinutes, EditionAward, JudgingRound, PrizeTier
    from portal.models import Organisation, RoleInvitation, User
    from submissions.models import Application, Attachment, Category

    def ids(*models):
        return sorted({pk for model in models for pk in model.objects.values_list("pk", flat=True)}) or [1]

    everything = ids(Application, Attachment, Organisation, RoleInvitation, judging.round.__class__,
                     *{type(a) for a in judging.assignments.values()}, type(judging.rubric),
                     type(judging.judges[0]))
    return SimpleNamespace(
        ids={"pk": everything, "round_pk": ids(JudgingRound), "round_id": ids(JudgingRound),
             "application_id": ids(Application), "category_id": ids(Category), "tier_id": ids(PrizeTier),
             "award_id": ids(EditionAward), "decision_id": ids(AwardDecision),
             "minutes_id": ids(DeliberationMinutes), "user_pk": ids(User),
             "criterion_pk": ids(Criterion), "number": [1, 2, 3]},
        users={"staff": staff, "judge": judging.judges[0].user, "applicant": membership.user, "anonymous": None},
        slugs=[edition.slug for edition in editions],
        tokens=["invitation-token-000000", *[invitation.token for invitation in
                                               RoleInvitationFactory._meta.model.objects.all()]],
    )


# --- hostile values ---------------------------------------------------------------------------------------------

HOSTILE_STRINGS = [
    "", " ", "\x00", "a\x00b", "\u202eevil", "0", "-1", "-0", "1e309", "NaN", "inf", "9" * 40, "²", "١٢٣",
    "0x10", "1,000", "2026-02-30", "9999-12-31T99:99", "0000-00-00", "1.5", "true", "on", "None", "[]", "{}",
    "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "%s%n%(x)s", "a" * 100_000, "한국어 텍스트",
    "\ud7ff\ue000\U0010ffff", "\r\n\r\nX: y", str(2**63), str(-(2**63) - 1), "9" * 5000, "1²", "#²",
    "72, 24²", "1,2,²", "-5, 0", "2026-13-45", "25:61", "1e3", "0.000001", "99999999999.99",
]
HOSTILE_TEXT = st.one_of(
    st.sampled_from(HOSTILE_STRINGS),
    st.text(max_size=40),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
)
HOSTILE_FILES = {
    "deep.pdf": hostile.pdf_deep_page_tree(300),
    "cycle.pdf": hostile.pdf_kids_cycle(),
    "bomb.docx": hostile.docx_declaring(),
    "pixels.png": hostile.png_declaring(100_000, 100_000),
    "plan.pdf": make_pdf(),
    "photo.png": image_bytes(size=(60, 40)),
    "people.csv": b"email,name,role\nx@example.org,X\x00,judge\n",
    "empty.pdf": b"",
    "minutes.odt": hostile.odt(),
}
HOSTILE_FILE = st.sampled_from(sorted(HOSTILE_FILES)).map(
    lambda name: SimpleUploadedFile(name, HOSTILE_FILES[name], content_type="application/octet-stream"))

FIELD = re.compile(r"<(input|select|textarea|button)\b([^>]*)>", re.IGNORECASE)
OPTION = re.compile(r"<option\b([^>]*)>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')


def _harvest(page: str) -> tuple[dict[str, list[str]], set[str]]:
    """The form fields a page offers: each name with the values it suggests; the names of file inputs."""
    fields: dict[str, list[str]] = {}
    files: set[str] = set()
    select = None
    for match in re.finditer(r"<(input|select|textarea|button)\b([^>]*)>|<option\b([^>]*)>", page, re.IGNORECASE):
        attributes = dict(ATTRIBUTE.findall(match.group(2) or match.group(3) or ""))
        if match.group(1) is None:  # an option of the last select
            if select is not None and "value" in attributes:
                fields[select].append(html.unescape(attributes["value"]))
            continue
        name = attributes.get("name")
        if not name:
            continue
        name = html.unescape(name)
        values = fields.setdefault(name, [])
        if attributes.get("type") == "file":
            files.add(name)
        elif "value" in attributes:
            values.append(html.unescape(attributes["value"]))
        select = name if match.group(1).lower() == "select" else None
    return fields, files


def _path(route: str, draw, world) -> str:
    def value(match):
        converter, name = match.group("converter"), match.group("name") or match.group("group")
        if converter == "int":
            known = world.ids.get(name) or world.ids["pk"]
            return str(draw(st.one_of(st.sampled_from(known), st.sampled_from(known), st.integers(1, 40),
                                      st.sampled_from([0, 2**31, 2**63, 10**25]))))
        if name == "slug":
            return draw(st.sampled_from([*world.slugs, "no-such-edition"]))
        if name == "token":
            return quote(draw(st.one_of(st.sampled_from(world.tokens), HOSTILE_TEXT.filter(bool))), safe="")
        if name == "role":
            return draw(st.sampled_from([*EditionRole.Role.values, "nobody"]))
        if name == "code":
            return draw(st.sampled_from(["en", "ko", "xx"]))
        return quote(draw(HOSTILE_TEXT.filter(bool)), safe="") or "x"

    path = PARAMETER.sub(value, route).lstrip("^").rstrip("$")
    return "/" + path


def _form_data(draw, fields: dict[str, list[str]], files: set[str]) -> dict:
    if fields and draw(st.booleans()):
        # The form as the page offers it, with one field hostile: gets past the other fields' validation to the
        # code that uses this one.
        data = {name: draw(st.sampled_from(offered)) for name, offered in fields.items()
                if offered and name != "csrfmiddlewaretoken" and name not in files}
        target = draw(st.sampled_from(sorted(fields)))
        data[target] = draw(HOSTILE_FILE) if target in files else draw(HOSTILE_TEXT)
        return data
    data = {}
    for name, offered in fields.items():
        if name == "csrfmiddlewaretoken" or not draw(st.booleans()) and not offered:
            continue
        choice = draw(st.sampled_from(["offered", "hostile", "many", "missing"]))
        if choice == "missing":
            continue
        if name in files:
            data[name] = draw(HOSTILE_FILE)
        elif choice == "offered" and offered:
            data[name] = draw(st.sampled_from(offered))
        elif choice == "many":  # the same field sent several times
            data[name] = draw(st.lists(HOSTILE_TEXT, min_size=2, max_size=3))
        else:
            data[name] = draw(HOSTILE_TEXT)
    for _ in range(draw(st.integers(0, 2))):  # fields no form has
        data[draw(st.sampled_from(["id", "pk", "action", "confirm", "then", "extra"]))] = draw(HOSTILE_TEXT)
    return data


# Who may post where (the others are drawn too, less often): an applicant's pages, a judge's, public and account
# pages; the rest is the edition staff's.
def _usual_role(route: str) -> str:
    if route.startswith(("applications/", "attachments/", "organisations/", "apply/")):
        return "applicant"
    if route.startswith(("scoring/", "e/<slug:slug>/bids/", "e/<slug:slug>/scoring/rounds/<int:round_id>/queue/")):
        return "judge"
    if route.startswith(("accounts/", "editions/", "language/", "invitations/", "roles/invitations/", "i18n/")) \
            or route == "":
        return "anonymous"
    return "staff"


def _clients(world) -> dict[str, Client]:
    clients = {}
    for role, user in world.users.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        clients[role] = client
    return clients


@pytest.mark.parametrize("group", range(GROUPS))
def test_no_page_answers_500_whatever_is_posted_and_by_whom(world, group):
    clients = _clients(world)
    harvested: dict[tuple[str, str], tuple[dict, set]] = {}
    failures = []
    for name, route in ROUTES[group::GROUPS]:
        try:
            _property(name, route, world, clients, harvested)()
        except AssertionError as error:
            failures.append(str(error))
    assert not failures, "\n\n".join(failures)


def _property(name: str, route: str, world, clients, harvested):
    @settings(settings.get_profile(PROFILE))
    @given(data=st.data())
    def check(data):
        usual = _usual_role(route)
        role = data.draw(st.sampled_from([usual, usual, usual, "staff", "judge", "applicant", "anonymous"]),
                         label="role")
        path = _path(route, data.draw, world)
        client = clients[role]
        if (role, route) not in harvested:
            harvested[(role, route)] = _harvest_page(name, client, path)
        fields, files = harvested[(role, route)]
        form = _form_data(data.draw, fields, files)
        method = data.draw(st.sampled_from(["post", "post", "get"]), label="method")
        if method == "get":
            form = {key: value for key, value in form.items() if not hasattr(value, "read")}
        response = getattr(client, method)(path, form)
        if os.environ.get("HYPOTHESIS_LOG"):
            with open(os.environ["HYPOTHESIS_LOG"], "a") as log:
                log.write(f"{name} {role} {method} {path} {response.status_code} {sorted(form)[:8]}\n")
        assert response.status_code < 500, _failure(name, method, path, form, response)

    return check


def _harvest_page(name: str, client: Client, path: str) -> tuple[dict, set]:
    """The fields of the page at `path`; for a POST-only address, of the page above it, which holds its form."""
    for _level in range(3):
        page = client.get(path)
        assert page.status_code < 500, _failure(name, "get", path, {}, page)
        if page.status_code != 405:
            break
        path = path.rstrip("/").rsplit("/", 1)[0] + "/"
    is_html = page.status_code == 200 and page.get("Content-Type", "").startswith("text/html")
    return _harvest(page.content.decode(errors="replace") if is_html else "")


def _failure(name, method, path, form, response) -> str:
    shown = {key: (value if len(str(value)) < 80 else f"{str(value)[:80]}…") for key, value in form.items()}
    trace = "".join(traceback.format_exception(*response.exc_info)) if getattr(response, "exc_info", None) else ""
    return f"{name}: {method.upper()} {path} {shown} -> {response.status_code}\n{trace[-3000:]}"

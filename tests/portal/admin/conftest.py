"""Builders for the admin tests: two editions full of data that must not leak, one row of every registered model,
the people who try the admin, every admin URL, a fingerprint of the database, and a browser's reading of a form."""

from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import URLResolver, reverse

from judging.models import CriterionScore, Review
from portal.models import AuditEntry, Edition, User
from submissions.models import Application
from tests.factories import EditionRoleFactory, MembershipFactory, VerifiedUserFactory
from tests.factories.judging import (
    AggregationRunFactory,
    AssignmentRunFactory,
    BidFactory,
    CalibrationEntryFactory,
    ConflictFactory,
    EntryResultFactory,
    JudgeResultFactory,
    ShortlistingFactory,
    StageWeightFactory,
)
from tests.factories.portal import InvitationFactory
from tests.factories.scoring import hand_world
from tests.factories.submissions import submitted_application
from tests.factories.worker import WorkerHeartbeatFactory

LEAK = "LEAKMARK"  # in every title, comment and score note of both editions: never in a non-superuser's page

# The apps whose rows the fingerprint covers: everything a person's work or access lives in, and the workers'
# heartbeats (read-only in the admin). Django's own admin log and sessions are bookkeeping.
FINGERPRINTED_APPS = ["portal", "submissions", "judging", "auth", "account", "mfa", "worker"]


def _edition_full_of_data(label: str) -> SimpleNamespace:
    """An edition in judging with reviews and criterion scores by three judges, and one row of every kind."""
    world = hand_world()
    for application in Application.objects.filter(edition=world.edition):
        Application.objects.filter(pk=application.pk).update(title=f"{LEAK} {label} entry {application.pk}")
    Review.objects.filter(assignment__round=world.round).update(committee_comment=f"{LEAK} {label} review")
    CriterionScore.objects.filter(review__assignment__round=world.round).update(comment=f"{LEAK} {label} score")
    entry = world.entries[0]
    StageWeightFactory(criterion=world.criteria[0])
    BidFactory(judge=world.judges[0], application=world.entries[1])
    ConflictFactory(judge=world.judges[1], application=world.entries[3], reason=f"{LEAK} conflict")
    CalibrationEntryFactory(round=world.round, application=entry)
    AssignmentRunFactory(round=world.round)
    AggregationRunFactory(round=world.round)
    EntryResultFactory(round=world.round, application=entry, category=world.category)
    JudgeResultFactory(round=world.round, judge=world.judges[0])
    ShortlistingFactory(round=world.round, application=entry)
    return SimpleNamespace(world=world, edition=world.edition, judge=world.judges[0].user,
                           secretariat=world.role("secretariat"),
                           applicant=MembershipFactory(organisation=entry.organisation).user)


@pytest.fixture
def admin_world(db):
    """Editions A and B full of data, the people of the lockdown test, and one row of every registered model."""
    a, b = _edition_full_of_data("A"), _edition_full_of_data("B")
    submitted = submitted_application(title=f"{LEAK} submitted in an open call")
    InvitationFactory(organisation=submitted.organisation)
    WorkerHeartbeatFactory()
    old_group = Group.objects.create(name="Secretariat")  # what the demo used to give the secretariat
    old_group.permissions.set(Permission.objects.all())
    staff_secretariat_b = EditionRoleFactory(edition=b.edition, role="secretariat", user__is_staff=True).user
    staff_secretariat_b.groups.add(old_group)
    staff_with_every_permission = VerifiedUserFactory(is_staff=True)
    staff_with_every_permission.user_permissions.set(Permission.objects.all())
    superuser = VerifiedUserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(a.judge, generate_totp_secret())
    people = {
        "anonymous": None,
        "applicant": a.applicant,
        "judge": a.judge,
        "secretariat of A": a.secretariat,
        "staff secretariat of B": staff_secretariat_b,
        "staff with every permission": staff_with_every_permission,
        "superuser": superuser,
    }
    objects = {model: model._default_manager.order_by("pk").first() for model in admin.site._registry}
    missing = sorted(model._meta.label for model, obj in objects.items() if obj is None)
    assert missing == [], "the admin world needs a row of every registered model"
    return SimpleNamespace(a=a, b=b, people=people, objects=objects, submitted=submitted)


# --- every admin URL ---------------------------------------------------------------------------------------------


def admin_url_patterns() -> set[str]:
    """Every pattern of the admin site: its name, or its regex where Django leaves it unnamed."""
    found = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            else:
                found.add(pattern.name or str(pattern.pattern))

    walk(admin.site.get_urls())
    return found


MODEL_VIEWS = ("changelist", "add", "change", "delete", "history")
OBJECT_REDIRECT = "<path:object_id>/"  # /admin/<app>/<model>/<pk>/ redirects to the change page (unnamed)
CATCH_ALL = "(?P<url>.*)$"  # anything else under /admin/ (unnamed)


def admin_urls(objects: dict) -> dict[str, list[str]]:
    """Every admin URL, grouped by the pattern it resolves to, with a real object wherever one is needed."""
    site = {name: [reverse(f"admin:{name}")] for name in ("index", "login", "logout", "password_change",
                                                           "password_change_done", "jsi18n")}
    site["autocomplete"] = [reverse("admin:autocomplete") + "?app_label=portal&model_name=editionrole&field_name=user"]
    edition = objects[Edition]
    site["view_on_site"] = [reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(Edition).pk,
                                                                 edition.pk])]
    site["app_list"] = [reverse("admin:app_list", args=[label])
                        for label in sorted({model._meta.app_label for model in objects})]
    site[CATCH_ALL] = ["/admin/no-such-page/"]
    site[OBJECT_REDIRECT] = []
    for model, obj in objects.items():
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        for view in MODEL_VIEWS:
            args = [obj.pk] if view in ("change", "delete", "history") else []
            site[f"{info}_{view}"] = [reverse(f"admin:{info}_{view}", args=args)]
        site[OBJECT_REDIRECT].append(reverse(f"admin:{info}_changelist") + f"{obj.pk}/")
    site["auth_user_password_change"] = [reverse("admin:auth_user_password_change", args=[objects[User].pk])]
    return site


# --- the database, and forms as a browser reads them ---------------------------------------------------------------


def database_fingerprint() -> dict:
    """Every row of the fingerprinted apps, as values (a user's last login aside: logging in sets it)."""
    rows = {}
    for label in FINGERPRINTED_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model is AuditEntry:
                continue
            values = list(model._default_manager.order_by("pk").values())
            for row in values:
                row.pop("last_login", None)
            rows[model._meta.label] = values
    return rows


@pytest.fixture
def fingerprint():
    return database_fingerprint


class _FormReader(HTMLParser):
    """The fields a browser sends from the admin's main form: inputs, checked boxes, selected options, text areas."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._in_form = self._select = self._textarea = None
        self._text = ""

    def _add(self, name, value):
        self.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attr = dict(attrs)
        if tag == "form" and (attr.get("id") or "").endswith("_form"):
            self._in_form = True
        if not self._in_form:
            return
        kind = attr.get("type", "text")
        if tag == "input" and attr.get("name") and kind not in ("submit", "button", "file", "image"):
            if kind not in ("checkbox", "radio") or "checked" in attr:
                self._add(attr["name"], attr.get("value", "on"))
        elif tag == "select":
            self._select = attr.get("name")
        elif tag == "option" and self._select and "selected" in attr:
            self._add(self._select, attr.get("value", ""))
        elif tag == "textarea":
            self._textarea, self._text = attr.get("name"), ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self._add(self._textarea, self._text.removeprefix("\n"))
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def form_fields(html: str) -> dict[str, list[str]]:
    reader = _FormReader()
    reader.feed(html)
    return reader.fields


@pytest.fixture
def every_admin_url(admin_world) -> dict[str, list[str]]:
    return admin_urls(admin_world.objects)


@pytest.fixture
def every_admin_pattern() -> set[str]:
    return admin_url_patterns()


@pytest.fixture
def read_form():
    return form_fields

"""Every URL pattern of the URLconf (the admin's and allauth's included), and a concrete path for each, with its
parameters filled from the matrix's data."""

import re
from dataclasses import dataclass

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Pattern:
    key: str  # namespace:name, or "route:<route>" for an unnamed pattern
    route: str
    pattern: URLPattern


def _walk(resolver, prefix: str = "", namespace: str | None = None):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        else:
            route = prefix + str(entry.pattern)
            if entry.name:
                key = f"{namespace}:{entry.name}" if namespace else entry.name
            else:
                key = f"route:{route}"
            yield Pattern(key, route, entry)


def all_patterns() -> list[Pattern]:
    patterns = list(_walk(get_resolver()))
    keys = [pattern.key for pattern in patterns]
    duplicated = {key for key in keys if keys.count(key) > 1}
    assert not duplicated, f"two URL patterns share a key: {sorted(duplicated)}"
    return patterns


def _admin_model(route: str):
    parts = route.split("/")
    if len(parts) >= 3 and parts[0] == "admin":
        try:
            return apps.get_model(parts[1], parts[2])
        except (LookupError, ValueError):
            return None
    return None


def path_for(pattern: Pattern, world) -> str:
    """The pattern's path with its parameters filled from `world`'s objects (decided per URL where a name means
    several things)."""
    o, key = world.objects, pattern.key
    edition = world.edition
    # The pattern's own parameters, then those of an including regex prefix (allauth's oidc/<provider_id>/).
    names = list(dict.fromkeys([*pattern.pattern.pattern.regex.groupindex, *re.findall(r"\(\?P<(\w+)>", pattern.route)]))
    values = {}
    for name in names:
        if name == "slug":
            values[name] = edition.slug
        elif name in ("round_pk", "round_id"):
            values[name] = o["round"].pk
        elif name == "run_pk":
            values[name] = o["assignment_run"].pk
        elif name == "run_id":
            values[name] = o["aggregation_run"].pk
        elif name == "application_id":
            values[name] = o["app_a"].pk
        elif name == "category_id":
            values[name] = o["category"].pk
        elif name == "tier_id":
            values[name] = o["tier"].pk
        elif name == "award_id":
            values[name] = o["award"].pk
        elif name == "decision_id":
            values[name] = o["decision"].pk
        elif name == "minutes_id":
            values[name] = o["minutes"].pk
        elif name == "job_id":
            values[name] = o["job"].pk
        elif name == "kind":
            values[name] = "certificates"
        elif name == "mail_id":
            values[name] = o["group_mail"].pk
        elif name == "recipient_id":
            values[name] = o["group_mail_recipient"].pk
        elif name == "template_id":
            values[name] = o["mail_template"].pk
        elif name == "criterion_pk":
            values[name] = o["criterion"].pk
        elif name == "user_pk":
            values[name] = world.users["judge_assigned"].pk
        elif name == "role":
            values[name] = "judge"
        elif name == "number":
            values[name] = 1
        elif name == "code":
            values[name] = "ko"
        elif name == "token":
            values[name] = (o["role_invitation"].token if key == "portal:role_invitation_accept"
                            else o["invitation"].token)
        elif name == "pk":
            values[name] = _pk_for(key, o)
        elif name in ("object_id", "id"):
            if name in values:
                continue
            model = _admin_model(pattern.route)
            first = model.objects.order_by("pk").first() if model else None
            values[name] = first.pk if first else 1
        elif name == "content_type_id":
            from django.contrib.contenttypes.models import ContentType

            values[name] = ContentType.objects.get_for_model(type(o["app_a"])).pk
            values["object_id"] = o["app_a"].pk
        elif name == "app_label":
            values[name] = "judging"
        elif name == "url":
            values[name] = "no-such-page/"
        elif name == "provider_id":
            values[name] = "organisation"  # no identity provider is configured in the matrix: 404 for everyone
        elif name in ("key", "uidb36"):
            values[name] = "matrix0"
        else:
            raise AssertionError(f"{key}: no value for the URL parameter {name!r}; add it to tests/matrix/urls.py")
    return "/" + _fill(pattern, values)


# The `pk` of each URL that takes one: applications read by many use A's submitted application; the applicant's
# writes use A's draft in the open call (where writing is possible at all).
_PK = {
    "submissions:application_detail": "app_a",
    "submissions:application_preview": "app_a",
    "submissions:application_image": "app_a",
    "submissions:application_withdraw": "app_a",
    "submissions:application_edit": "draft_a",
    "submissions:application_autosave": "draft_a",
    "submissions:application_submit": "draft_a",
    "submissions:application_reopen": "draft_a",
    "submissions:attachment_upload": "draft_a",
    "submissions:attachment_remove": "attachment_a",
    "submissions:attachment_download": "attachment_a",
    "submissions:organisation_invite": "org_a",
    "submissions:screening_detail": "app_a",
    "submissions:question_edit": "question",
    "submissions:question_move": "question",
    "submissions:question_remove": "question",
    "portal:organisation_detail": "org_a",
    "portal:role_invitation_resend": "role_invitation",
    "portal:edition_outbox_retry": "outbox_message",
    "portal:deletion_request_cancel": "deletion_request_a",
    "portal:deletion_request_decide": "deletion_request_a",
    "portal:webhook_detail": "webhook",
    "portal:webhook_delete": "webhook",
    "portal:webhook_secret_rotate": "webhook",
    "portal:webhook_delivery_retry": "webhook_delivery",
    "portal:role_invitation_revoke": "role_invitation",
    "judging:assignment_move": "assignment_a",
    "judging:assignment_release": "assignment_a",
    "judging:judge_edit": "judge_a",
    "judging:scoring_review": "assignment_a",
    "judging:scoring_autosave": "assignment_a",
    "judging:scoring_conflict": "assignment_a",
    "judging:scoring_attachment": "assignment_a",
    "judging:scoring_feedback": "app_a",
    "judging:rubric_detail": "rubric",
    "judging:rubric_delete": "rubric",
    "judging:rubric_preview": "rubric",
    "judging:rubric_stage_weights": "rubric",
    "judging:rubric_criterion_add": "rubric",
    "judging:rubric_criterion_edit": "rubric",
    "judging:rubric_criterion_delete": "rubric",
    "judging:rubric_criterion_move": "rubric",
}


def _pk_for(key: str, objects) -> int:
    assert key in _PK, f"{key}: which object its `pk` names is not decided; add it to _PK in tests/matrix/urls.py"
    return objects[_PK[key]].pk


def _fill(pattern: Pattern, values: dict) -> str:
    """The route with its parameters replaced (routes and regexes alike, as the resolver reads them)."""
    import re

    route = pattern.route
    if "(?P<" in route:
        route = route.replace("^", "").replace("$", "")
        route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda match: str(values[match.group(1)]), route)
        # `(?P<app_label>a|b)` contains no ')' before its end, so the substitution above consumed it whole.
        return route
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values[match.group(1)]), route)

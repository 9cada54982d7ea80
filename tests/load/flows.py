"""What an applicant, a judge, a newcomer and a member of the public do, as HTTP requests against a running portal.

Shared by `make loadtest` (locust's FastHttpSession, on geventhttpclient) and by the test that ten people can work
at once on the embedded SQLite default (a requests.Session). Both take `get`/`post` with `data`, `headers` and
`allow_redirects` and answer with `status_code`, `text`, `headers`, `url` and `request.method`; they differ in
where the cookies are kept, which `_cookie` reads. The forms are read from the pages themselves (their fields, hidden
inputs and CSRF token), so the flows follow the portal's forms instead of a copy of their field names.

Each flow takes a requests-like session and returns nothing; every response goes through `check`, which raises
`FlowError` for a server error (5xx) or an unexpected status, so a caller counts failures by catching it.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from html import unescape


class FlowError(Exception):
    pass


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)  # select and radio options by name
    buttons: dict[str, list[str]] = field(default_factory=dict)  # submit buttons' name -> values
    textareas: set[str] = field(default_factory=set)


# The tags a form is made of, and their attributes (a value quoted or bare, or none: `checked`). Django escapes `>`
# in every value it writes, so a tag ends at the first `>`. Regular expressions over these few tags read a page in
# a fraction of the time html.parser takes over every tag, and locust reads a form in a fifth of its requests.
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_TAG = re.compile(r"<(/?)(form|input|button|select|option|textarea)\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_TEXTAREA_END = re.compile(r"</textarea\s*>", re.IGNORECASE)


def _attributes(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, double, single, bare in _ATTRIBUTE.findall(text):
        found.setdefault(name.lower(), unescape(double or single or bare))
    return found


def forms_of(html: str) -> list[Form]:
    """The page's forms, read with a few regular expressions, as no browser runs here (locust and a test thread)."""
    html = _COMMENT.sub("", html)
    forms: list[Form] = []
    form: Form | None = None
    select: str | None = None
    for match in _TAG.finditer(html):
        closing, tag, attributes = match.group(1), match.group(2).lower(), _attributes(match.group(3))
        if tag == "form":
            form = None if closing else Form(action=attributes.get("action", ""),
                                             method=attributes.get("method", "get").lower())
            if form is not None:
                forms.append(form)
            continue
        if closing or form is None:
            select = None if closing and tag == "select" else select
            continue
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text").lower()
            if kind == "radio":
                form.choices.setdefault(name, []).append(attributes.get("value", ""))
                if "checked" in attributes:
                    form.fields[name] = attributes.get("value", "")
            elif kind == "checkbox":
                if "checked" in attributes:
                    form.fields[name] = attributes.get("value", "on")
            elif kind == "submit":
                form.buttons.setdefault(name, []).append(attributes.get("value", ""))
            elif kind != "file":
                form.fields[name] = attributes.get("value", "")
        elif tag == "button" and name and attributes.get("type", "submit") == "submit":
            form.buttons.setdefault(name, []).append(attributes.get("value", ""))
        elif tag == "select" and name:
            select = name
            form.choices.setdefault(name, [])
        elif tag == "option" and select:
            value = attributes.get("value", "")
            form.choices[select].append(value)
            if "selected" in attributes:
                form.fields[select] = value
        elif tag == "textarea" and name:
            end = _TEXTAREA_END.search(html, match.end())
            form.fields[name] = unescape(html[match.end():end.start() if end else len(html)])
            form.textareas.add(name)
    return forms


def post_form(html: str, *, having: str) -> Form:
    """The page's POST form that has a field or button named `having`."""
    for form in forms_of(html):
        if form.method == "post" and (having in form.fields or having in form.choices or having in form.buttons):
            return form
    raise FlowError(f"no POST form with {having!r} on the page")


def check(response, *expected: int):
    expected = expected or (200,)
    if response.status_code >= 500 or response.status_code not in expected:
        raise FlowError(f"{response.request.method} {response.url} answered {response.status_code}")
    return response


def _cookie(session, name: str) -> str:
    """A cookie's value: requests.Session keeps its cookies in `cookies`, FastHttpSession in `cookiejar`; both jars
    hold http.cookiejar.Cookie objects."""
    jar = session.cookies if hasattr(session, "cookies") else session.cookiejar
    return next((cookie.value for cookie in jar if cookie.name == name), "")


def _csrf(session) -> dict:
    return {"X-CSRFToken": _cookie(session, "csrftoken")}


def _url(base: str, path: str) -> str:
    return path if path.startswith("http") else base.rstrip("/") + path


# --- the flows ----------------------------------------------------------------------------------------------

def login(session, base: str, *, email: str, password: str) -> None:
    page = check(session.get(_url(base, "/accounts/login/")))
    form = post_form(page.text, having="login")
    form.fields.update(login=email, password=password)
    response = check(session.post(_url(base, "/accounts/login/"), data=form.fields, allow_redirects=False,
                                  headers={"Referer": _url(base, "/accounts/login/")}), 302)
    if "/accounts/login" in response.headers.get("Location", ""):
        raise FlowError(f"login of {email} refused")


def sign_up(session, base: str, *, email: str, password: str) -> None:
    page = check(session.get(_url(base, "/accounts/signup/")))
    form = post_form(page.text, having="email")
    form.fields.update(email=email, password1=password, password2=password)
    check(session.post(_url(base, "/accounts/signup/"), data=form.fields, allow_redirects=False,
                       headers={"Referer": _url(base, "/accounts/signup/")}), 302)


def edit_draft(session, base: str, *, application: int, rng: random.Random, saving=None) -> str:
    """Open the draft, let the page's script autosave a change, then save it with the button; returns the title.

    `saving(title)`, when given, is called before the first request that stores the title: a caller stopped
    mid-flow (locust at the end of a run) knows the draft may hold it."""
    edit_path = f"/applications/{application}/edit/"
    page = check(session.get(_url(base, edit_path)))
    form = post_form(page.text, having="title")
    title = f"Smart crossings {rng.randrange(10**6)}"
    form.fields["title"] = title
    for name in form.textareas - {"links"}:
        form.fields[name] = f"{form.fields[name][:200]} updated {rng.randrange(1000)}".strip()
    for name, values in form.choices.items():
        usable = [value for value in values if value]
        if usable and not form.fields.get(name):
            form.fields[name] = rng.choice(usable)
    if saving is not None:
        saving(title)
    check(session.post(_url(base, f"/applications/{application}/autosave/"), data=form.fields,
                       headers={**_csrf(session), "Referer": _url(base, edit_path)}), 200)
    check(session.post(_url(base, edit_path), data=form.fields, allow_redirects=False,
                       headers={"Referer": _url(base, edit_path)}), 302, 200)
    check(session.get(_url(base, "/applications/")))
    return title


def score(session, base: str, *, assignment: int, rng: random.Random, submit: bool) -> None:
    """Open the review, autosave a partial draft, then save (or submit) every score with the form's button."""
    path = f"/scoring/assignments/{assignment}/"
    page = check(session.get(_url(base, path)))
    form = post_form(page.text, having="action")
    for name, values in form.choices.items():
        usable = [value for value in values if value]
        if usable:
            form.fields[name] = rng.choice(usable)
    for name in list(form.fields):
        if name.startswith("comment_") or name == "committee_comment":
            form.fields[name] = f"Load test remark {rng.randrange(1000)}."
    check(session.post(_url(base, f"/scoring/assignments/{assignment}/autosave/"), data=form.fields,
                       headers={**_csrf(session), "Referer": _url(base, path)}), 200)
    data = {**form.fields, "action": "submit" if submit else "save"}
    check(session.post(_url(base, path), data=data, allow_redirects=False, headers={"Referer": _url(base, path)}),
          302, 400)


def judge_queue(session, base: str, *, edition: str) -> None:
    home = check(session.get(_url(base, f"/e/{edition}/scoring/"), allow_redirects=True))
    queue = re.search(r'href="(/e/[^"]+/scoring/rounds/\d+/queue/)"', home.text)
    if queue:
        check(session.get(_url(base, queue.group(1))))


def read_public(session, base: str, *, editions: list[str], rng: random.Random) -> None:
    check(session.get(_url(base, "/")))
    if editions:
        slug = rng.choice(editions)
        check(session.get(_url(base, f"/editions/{slug}/")), 200, 404)
        check(session.get(_url(base, f"/editions/{slug}/results/")), 200, 404)

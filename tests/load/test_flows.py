"""The load test's flows read the portal's forms as a browser would send them, and the CSRF cookie of either kind of
session they are given (locust's FastHttpSession, a requests.Session); no server runs here."""

from http.cookiejar import CookieJar
from types import SimpleNamespace

import requests

from tests.load.flows import Form, _csrf, forms_of, post_form

PAGE = """<!doctype html><html><body>
<form action="/i18n/setlang/" method="post"><input type="hidden" name="csrfmiddlewaretoken" value="t0k&amp;en">
<select name="language"><option value="en" selected>English</option><option value="ko">한국어</option></select></form>
<!-- <form method="post"><input name="commented_out" value="x"></form> -->
<form action='/applications/7/edit/' method=POST enctype="multipart/form-data">
  <input type="hidden" name="csrfmiddlewaretoken" value="t0k&amp;en">
  <input name="title" value="Crossings &quot;safe&quot; &lt;for all&gt; &#8212; pilot" maxlength=200 required>
  <input type="number" name="budget_usd" value=12000>
  <input type="file" name="attachment">
  <input type="checkbox" name="consent" checked><input type="checkbox" name="newsletter" value="yes">
  <input type="radio" name="stage" value="pilot"><input type="radio" name="stage" value="scaled" checked>
  <select name="category"><option value="">---</option><option value="3">Tech</option><option value="4">Human</option>
  </select>
  <textarea name="summary" rows="4">Line one &amp; two
&lt;b&gt;not a tag&lt;/b&gt;</textarea>
  <textarea name="links"></textarea>
  <INPUT TYPE="submit" NAME="action" VALUE="save"><button name="action" value="submit">Submit</button>
  <button type="button" name="preview" value="1">Preview</button>
</form>
<form action="/search/"><input name="q" value=""></form>
</body></html>"""


def test_forms_are_read_with_every_kind_of_field_as_a_browser_sends_them():
    language, draft, search = forms_of(PAGE)
    assert language == Form(action="/i18n/setlang/", method="post",
                            fields={"csrfmiddlewaretoken": "t0k&en", "language": "en"},
                            choices={"language": ["en", "ko"]})
    assert draft == Form(
        action="/applications/7/edit/", method="post",
        fields={"csrfmiddlewaretoken": "t0k&en", "title": 'Crossings "safe" <for all> \u2014 pilot',
                "budget_usd": "12000", "consent": "on", "stage": "scaled",
                "summary": "Line one & two\n<b>not a tag</b>", "links": ""},
        choices={"stage": ["pilot", "scaled"], "category": ["", "3", "4"]},
        buttons={"action": ["save", "submit"]},
        textareas={"summary", "links"},
    )
    assert search == Form(action="/search/", method="get", fields={"q": ""})


def test_post_form_finds_the_form_by_a_field_or_a_button():
    assert post_form(PAGE, having="title").action == "/applications/7/edit/"
    assert post_form(PAGE, having="action").action == "/applications/7/edit/"
    assert post_form(PAGE, having="language").action == "/i18n/setlang/"


def test_the_csrf_cookie_is_read_from_a_requests_session_and_from_a_cookiejar_session():
    session = requests.Session()
    session.cookies.set("csrftoken", "from-requests", domain="127.0.0.1", path="/")
    assert _csrf(session) == {"X-CSRFToken": "from-requests"}

    # locust's FastHttpSession keeps a stdlib CookieJar in `cookiejar` and has no `cookies`; importing locust here
    # would monkey-patch this whole pytest process with gevent, so an object of that shape stands in for it.
    fast = SimpleNamespace(cookiejar=CookieJar())
    assert _csrf(fast) == {"X-CSRFToken": ""}
    fast.cookiejar.set_cookie(requests.cookies.create_cookie("csrftoken", "from-fasthttp", domain="127.0.0.1"))
    assert _csrf(fast) == {"X-CSRFToken": "from-fasthttp"}

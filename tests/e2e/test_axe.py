"""The axe-core helper fails, with a readable list, on a page that has violations, and passes a clean one."""

import pytest

from tests.e2e.axe import AXE_VERSION, assert_no_axe_violations

pytestmark = pytest.mark.e2e

CLEAN = """<!doctype html><html lang="en"><head><title>Clean</title></head>
<body><header><p>Site</p></header><main><h1>Clean</h1><label for="q">Search</label><input id="q"></main></body></html>"""
BROKEN = """<!doctype html><html><head><title>Broken</title></head>
<body><main><h1>Broken</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input id="q"></main></body></html>"""


def test_a_clean_page_passes(page):
    page.set_content(CLEAN)
    assert_no_axe_violations(page)
    assert page.evaluate("window.axe.version") == AXE_VERSION


def test_violations_are_listed_by_rule_and_element(page):
    page.set_content(BROKEN)
    with pytest.raises(AssertionError) as failure:
        assert_no_axe_violations(page)
    message = str(failure.value)
    assert "- html-has-lang (serious)" in message
    assert "- image-alt (critical)" in message and "at img:" in message
    assert "- label (critical)" in message and "at #q:" in message

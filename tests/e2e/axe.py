"""Run axe-core (vendored: tests/e2e/vendor/axe.min.js, version 4.14.1) on a Playwright page.

    from tests.e2e.axe import assert_no_axe_violations
    assert_no_axe_violations(page)

The script is evaluated through Playwright, not added as a <script> tag, so the portal's strict CSP does not block it.
"""

from functools import cache
from pathlib import Path

AXE_VERSION = "4.14.1"
AXE_PATH = Path(__file__).parent / "vendor" / "axe.min.js"
# WCAG 2.2 A and AA plus axe's best practices (landmarks, one h1, headings in order).
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")


@cache
def _axe_source() -> str:
    return AXE_PATH.read_text(encoding="utf-8")


def axe_violations(page, *, tags=AXE_TAGS, disable: tuple[str, ...] = ()) -> list[dict]:
    """axe's violations for the page as it is now (each with id, impact, help, helpUrl and nodes)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
        assert page.evaluate("() => window.axe.version") == AXE_VERSION
    options = {"runOnly": {"type": "tag", "values": list(tags)}, "resultTypes": ["violations"],
               "rules": {rule: {"enabled": False} for rule in disable}}
    return page.evaluate("options => window.axe.run(document, options).then(results => results.violations)", options)


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"][:5]:
            summary = (node.get("failureSummary") or "").strip().splitlines()[-1:]
            lines.append(f"    at {' '.join(map(str, node['target']))}: {' '.join(summary).strip()}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def assert_no_axe_violations(page, *, tags=AXE_TAGS, disable: tuple[str, ...] = ()) -> None:
    """Fail with a readable list of axe-core violations on the page (its URL first)."""
    violations = axe_violations(page, tags=tags, disable=disable)
    found = f"axe-core found {len(violations)} violation(s) on {page.url}"
    assert not violations, f"{found}:\n{format_violations(violations)}"

"""Placeholders in a text the secretariat writes ("Dear {name}, ..."), filled from a dict of plain strings.

A safe formatter: a placeholder is a name between braces and is looked up in the dict it is given, nothing else —
no attribute access, no index, no format spec, no template tag — so a template cannot reach any object behind its
values. `{{` and `}}` write a brace. A name the dict does not hold is refused (UnknownPlaceholders, naming them
all), never left in the text or filled with nothing. A lone brace without its pair is plain text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# `{{` or `}}` (an escaped brace), or a name between braces (no brace or line break inside, at most 60 characters).
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}\n]{0,60})\}")


class UnknownPlaceholders(ValueError):
    """The text names placeholders the dict does not hold (in the order they first appear)."""

    def __init__(self, names: list[str]):
        super().__init__(", ".join("{" + name + "}" for name in names))
        self.names = names


def placeholders_in(text: str) -> list[str]:
    """The placeholder names a text uses, each once, in the order they first appear."""
    names: list[str] = []
    for match in _TOKEN.finditer(text or ""):
        name = match.group(1)
        if name is not None and name.strip() not in names:
            names.append(name.strip())
    return names


def unknown_placeholders(text: str, known) -> list[str]:
    """The names a text uses that are not in `known`."""
    return [name for name in placeholders_in(text) if name not in known]


def fill(text: str, values: Mapping[str, str]) -> str:
    """The text with every placeholder replaced by its value; UnknownPlaceholders when one is not in `values`."""
    unknown = unknown_placeholders(text, values)
    if unknown:
        raise UnknownPlaceholders(unknown)

    def replace(match: re.Match) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        return str(values[match.group(1).strip()])

    return _TOKEN.sub(replace, text or "")

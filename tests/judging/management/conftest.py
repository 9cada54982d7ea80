"""Builders for the management-command tests."""

import io
import json

import pytest
from django.core.management import call_command


def _run(command: str, *args: str) -> dict:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1, "one JSON line"
    return json.loads(lines[0])


@pytest.fixture
def run():
    """run(command, *args) -> the one JSON line the command prints, parsed."""
    return _run

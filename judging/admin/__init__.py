"""The judging admin, one module per area; importing them registers their model admins."""

from . import assignment, scoring  # noqa: F401

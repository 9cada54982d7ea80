# Django discovers `admin.py`; the registrations live in one module per area.
from . import admin_assignment, admin_scoring  # noqa: F401

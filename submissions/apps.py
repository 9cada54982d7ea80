from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = _("Submissions")

    def ready(self) -> None:
        # portal's dashboard and cockpit show this app's panels without importing it (portal/dashboard.py).
        from portal.dashboard import register_dashboard_panel, register_workspace_panel

        from . import panels, signals

        signals.connect()  # the screening list's countries (signals.py)

        # The public pages' cached copies (portal/public_cache.py): the categories of a call, and entries once past
        # their draft (a winner's title and category); drafts, saved all day long, never show there.
        from portal import public_cache

        from .models import Application, Category

        public_cache.watch(Category)
        public_cache.watch(Application, when=lambda application: application.status != Application.Status.DRAFT)

        register_dashboard_panel(panels.applicant_dashboard_panel, order=30)
        register_workspace_panel(panels.workspace_counts_panel, order=10)

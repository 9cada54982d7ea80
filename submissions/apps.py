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

        register_dashboard_panel(panels.applicant_dashboard_panel, order=30)
        register_workspace_panel(panels.workspace_counts_panel, order=10)

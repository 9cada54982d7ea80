from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from portal import signals  # noqa: F401 - connects the login throttle's receivers
        from portal.dashboard import register_dashboard_panel
        from portal.privacy_panel import deletion_requests_panel

        register_dashboard_panel(deletion_requests_panel, order=90)

        # The public pages' cached copies follow what they show (portal/public_cache.py): editions (names, states,
        # dates) and the organisations named among the winners.
        from portal import public_cache
        from portal.models import Edition, Organisation

        public_cache.watch(Edition)
        public_cache.watch(Organisation)

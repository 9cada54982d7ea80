from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JudgingConfig(AppConfig):
    name = "judging"
    verbose_name = _("Judging")

    def ready(self) -> None:
        # The model guard of the edition lock (judging/signals.py).
        from . import signals

        signals.connect()
        # The judge role goes with a judge profile: portal's role_grant/role_revoke hand it to judging.
        from .services import people

        people.register()

        # The public pages' cached copies (portal/public_cache.py): prize tiers, awards, award decisions and rounds
        # (the published score is the final round's). Entry results are not watched (a receiver would cost the
        # aggregation Django's fast delete): they change only before publication, which saves the edition.
        from portal import public_cache

        from .models import AwardDecision, EditionAward, JudgingRound, PrizeTier

        for model in (PrizeTier, EditionAward, AwardDecision, JudgingRound):
            public_cache.watch(model)

        # portal's dashboard and cockpit show this app's panels without importing it (portal/dashboard.py).
        from portal.dashboard import register_dashboard_panel, register_workspace_panel

        from . import panels

        register_dashboard_panel(panels.judge_dashboard_panel, order=20)
        register_workspace_panel(panels.workspace_completion_panel, order=20)

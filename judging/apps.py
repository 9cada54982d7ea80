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

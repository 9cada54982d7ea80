"""The screening list's countries (services/screening_countries.py) follow the saves that skip the status service:
an application created already submitted (the demo, imports, fixtures) and an organisation whose country may
have changed (its admin page)."""

from __future__ import annotations

from django.db.models.signals import post_save

from portal.models import Organisation

from .models import Application
from .services.screening_countries import screening_countries_after_organisation_change, screening_country_enter


def _application_saved(sender, instance: Application, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw and instance.status != Application.Status.DRAFT:
        screening_country_enter(edition_id=instance.edition_id, country=str(instance.organisation.country))


def _organisation_saved(sender, instance: Organisation, created: bool, raw: bool = False, **kwargs) -> None:
    if not created and not raw:
        screening_countries_after_organisation_change(organisation=instance)


def connect() -> None:
    post_save.connect(_application_saved, sender=Application, dispatch_uid="submissions.screening_country_enter")
    post_save.connect(_organisation_saved, sender=Organisation, dispatch_uid="submissions.screening_countries_org")

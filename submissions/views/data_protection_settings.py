"""The edition settings page's data protection part (issue 14): the consent text and the retention period.

Saved by its own button like every part of the page (submissions/views/edition_settings.py); a changed text
that someone has already accepted becomes a new version (portal.services.privacy).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from portal.models import ConsentText, Edition
from portal.service_errors import add_service_errors
from portal.services import editions as edition_services
from portal.services.privacy import consent_text_save


def consent_overview(edition: Edition) -> list[ConsentText]:
    """The edition's consent versions, newest first, each with its number of acceptances (one query)."""
    return list(ConsentText.objects.filter(edition=edition).annotate(accepted=Count("acceptances"))
                .order_by("-version"))


def save_data_protection(request, edition: Edition, page: dict) -> str | None:
    form = page["privacy"]
    if not form.is_valid():
        return None
    changed = set(form.changed_data)
    if not changed:
        return _("Nothing was changed in data protection.")
    try:
        with transaction.atomic():
            consent = None
            if changed & {"consent_text_en", "consent_text_ko"}:
                consent = consent_text_save(edition=edition, user=request.user, texts=form.consent_texts())
            if "retention_days" in changed:
                edition_services.edition_update(edition=edition, user=request.user,
                                                data={"retention_days": form.cleaned_data["retention_days"]})
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    if consent is not None and consent.version > 1:
        return _("Data protection saved. New submissions accept version %(version)s of the text; earlier "
                 "acceptances stay on record with the version they accepted.") % {"version": consent.version}
    return _("Data protection saved.")

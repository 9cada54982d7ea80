"""The certificates job: one PDF per awardee (category prizes and edition awards), zipped into the job's result.

Each certificate is written in the language of the organisation's first member (the site's default
when they chose none), signed with the chair's name, dated the day the edition was finalised in
the edition's time zone. judging.certificates draws the PDFs; this module chooses what they say.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from portal.models import Edition

from ..certificates import PRIZES, certificate_pdf, certificates_zip
from ..models import AwardDecision, AwardJob
from ..selectors import ceremony as selectors

MESSAGE_DRAWING = gettext_noop("Drawing the certificates")
MESSAGE_ZIPPING = gettext_noop("Packing the zip")


def awarded_on(edition: Edition) -> date:
    """The date a certificate carries: the day of finalisation, in the edition's zone (today before it)."""
    return timezone.localtime(edition.finalised_at or timezone.now(), edition.tz).date()


def certificate_context(*, decision: AwardDecision, edition: Edition, chair_name: str) -> dict:
    """What one certificate says. Country names come out in the active language."""
    application = decision.application
    organisation = application.organisation
    context = {
        "edition_name": edition.name,
        "organisation_name": organisation.name,
        "city": organisation.city,
        "country": str(organisation.country.name) if organisation.country else "",
        "project_title": application.title or str(application),
        "awarded_on": awarded_on(edition),
        "chair_name": chair_name,
    }
    if decision.tier_id:
        context["prize"] = decision.tier.level
        context["category_name"] = decision.category.name if decision.category_id else ""
    elif decision.award.kind in PRIZES:
        context["prize"] = decision.award.kind
    else:
        context["prize_name"] = decision.award.name
    return context


def _file_name(decision: AwardDecision) -> str:
    prize = decision.tier.level if decision.tier_id else decision.award.name
    return f"{decision.application.organisation.name}-{prize}-{decision.application_id}"


def certificates_build(*, job: AwardJob, progress: Callable[[int, str], None]) -> AwardJob:
    """Draw every awardee's certificate and store the zip as the job's result. Running it again redraws it.

    `progress(percent, message)` is told after each certificate (the job's state machine records it).
    """
    edition = job.edition
    chair = selectors.edition_chair(edition=edition)
    chair_name = chair.get_full_name() if chair else ""
    decisions = list(selectors.awardee_decisions(edition=edition))
    members = selectors.members_by_organisation(
        organisation_ids={d.application.organisation_id for d in decisions})
    items = []
    for number, decision in enumerate(decisions, start=1):
        first = members.get(decision.application.organisation_id, [])
        language = (first[0].language if first else "") or settings.LANGUAGE_CODE
        with translation.override(language):
            context = certificate_context(decision=decision, edition=edition, chair_name=chair_name)
            items.append((_file_name(decision), certificate_pdf(context=context)))
        progress(number * 90 // len(decisions), MESSAGE_DRAWING)
    progress(95, MESSAGE_ZIPPING)
    archive = certificates_zip(items=items)
    job.result.save(f"{edition.slug}-certificates.zip", ContentFile(archive), save=False)
    AwardJob.objects.filter(pk=job.pk).update(result=job.result.name)
    return job

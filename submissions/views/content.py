"""An application's content as the applicant and the judges read it: the submitted snapshot or the live draft,
arranged for "submissions/_snapshot_content.html"."""

from django.urls import reverse
from django_countries import countries

from portal.models import Edition, Organisation

from .. import selectors
from ..models import Application
from ..services.applications import snapshot_answers


def content_values(application: Application) -> dict:
    """The draft's fixed fields and its answers by question key, as the edit form takes them."""
    return {**{field: getattr(application, field) for field in Application.CONTENT_FIELDS},
            **selectors.application_answer_values(application=application)}


def presented(data: dict, *, edition: Edition, category=None) -> dict:
    """Submitted (or draft) content arranged as the judges read it."""
    organisation = data.get("organisation") or {}
    stage = data.get("stage") or ""
    kind = organisation.get("kind") or ""
    band = organisation.get("population_band") or ""
    links = [line.strip() for line in (data.get("links") or "").splitlines() if line.strip()]
    # The shape judging's `entry_for_judge` gives too: both render "submissions/_snapshot_content.html".
    return {
        "title": data.get("title") or "",
        "category": (data.get("category") or {}).get("name", ""),
        "organisation": {
            "name": organisation.get("name", ""),
            "country": countries.name(organisation.get("country", "")) or organisation.get("country", ""),
            "city": organisation.get("city", ""),
        },
        "kind": Organisation.Kind(kind).label if kind in Organisation.Kind.values else kind,
        "population_band": (
            Organisation.PopulationBand(band).label if band in Organisation.PopulationBand.values else band
        ),
        "stage": Application.Stage(stage).label if stage in Application.Stage.values else "",
        "budget_usd": data.get("budget_usd"),
        "sections": selectors.answers_as_read(data, edition=edition, category=category),
        # Only web addresses become links: an applicant's "javascript:" stays text.
        "links": [{"text": link, "is_web": link.lower().startswith(("https://", "http://"))} for link in links],
        "attachments": [
            {**attachment,
             "url": reverse("submissions:attachment_download", args=[attachment["id"]]) if attachment.get("id") else ""}
            for attachment in data.get("attachments") or []
        ],
    }


def draft_content(application: Application) -> dict:
    organisation = application.organisation
    data = content_values(application)
    data["answers"] = snapshot_answers(application)
    data["category"] = {"name": application.category.name}
    data["organisation"] = {
        "name": organisation.name, "kind": organisation.kind, "country": organisation.country.code,
        "city": organisation.city, "population_band": organisation.population_band,
    }
    data["attachments"] = [
        {"id": a.pk, "name": a.original_name, "content_type": a.content_type, "size": a.size, "pages": a.pages}
        for a in selectors.application_attachments(application=application)
    ]
    return presented(data, edition=application.edition, category=application.category)

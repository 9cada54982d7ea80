"""Model objects to the API's schemas. Both languages of every programme-written text, whatever the request's."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from . import schemas


def _absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL + path


def text(obj, field: str) -> schemas.Text:
    """A translated field's two languages (modeltranslation's `<field>_en` / `<field>_ko`); the plain field
    when a language is empty."""
    plain = getattr(obj, field) or ""
    return schemas.Text(en=getattr(obj, f"{field}_en", None) or plain, ko=getattr(obj, f"{field}_ko", None) or plain)


def label(choice) -> schemas.Text:
    """A choice's label in both languages (gettext, not data)."""
    values = {}
    for language in ("en", "ko"):
        with translation.override(language):
            values[language] = str(choice.label)
    return schemas.Text(**values)


def edition_summary(edition) -> schemas.EditionSummary:
    return schemas.EditionSummary(
        slug=edition.slug, name=text(edition, "name"), programme=text(edition, "programme"),
        published_at=edition.published_at,
        results_url=_absolute(reverse("judging:public_results", args=[edition.slug])),
        api_url=_absolute(reverse("api:get_results", kwargs={"slug": edition.slug})),
    )


def _tier(tier) -> schemas.Tier:
    level = type(tier).Level(tier.level)
    return schemas.Tier(level=tier.level, label=label(level), places=tier.places, position=tier.position)


def edition_detail(edition, categories) -> schemas.Edition:
    summary = edition_summary(edition)
    return schemas.Edition(
        **summary.model_dump(), description=text(edition, "description"), time_zone=edition.time_zone,
        scores_published=edition.publish_scores,
        categories=[
            schemas.Category(slug=category.slug, name=text(category, "name"),
                             tiers=[_tier(tier) for tier in category.prize_tiers.all()])
            for category in categories
        ],
    )


def winner(decision, scores: dict, edition) -> schemas.Winner:
    application = decision.application
    organisation = application.organisation
    return schemas.Winner(
        application_id=application.pk, title=application.title,
        organisation=schemas.Organisation(
            name=organisation.name, city=organisation.city, country=organisation.country.code,
        ),
        category=application.category.slug if application.category_id else None,
        citation=decision.citation, score=scores.get(application.pk),
        url=_absolute(reverse("judging:public_winner", args=[edition.slug, application.pk])),
    )


def results(edition, prizes, awards, scores) -> schemas.Results:
    categories = []
    for category in prizes:
        tiers = []
        for places in category.tiers:
            tier = _tier(places.tier)
            tiers.append(schemas.TierWinners(
                level=tier.level, label=tier.label, places=tier.places,
                winners=[winner(decision, scores, edition) for decision in places.decisions],
            ))
        categories.append(schemas.CategoryResults(slug=category.category.slug, name=text(category.category, "name"),
                                                  tiers=tiers))
    return schemas.Results(
        edition=edition_summary(edition), categories=categories,
        awards=[
            schemas.Award(kind=item.award.kind, name=text(item.award, "name"),
                          description=text(item.award, "description"),
                          recipients=[winner(decision, scores, edition) for decision in item.decisions])
            for item in awards
        ],
    )

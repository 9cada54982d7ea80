"""The shapes the API answers with (documented in its OpenAPI schema). Texts a programme writes in two
languages come as {"en": …, "ko": …}; nothing here names a judge, a score of a non-winner or a review."""

from datetime import datetime

from ninja import Schema


class Text(Schema):
    en: str
    ko: str


class Tier(Schema):
    level: str
    label: Text
    places: int
    position: int


class Category(Schema):
    slug: str
    name: Text
    tiers: list[Tier]


class EditionSummary(Schema):
    slug: str
    name: Text
    programme: Text
    published_at: datetime
    results_url: str
    api_url: str


class Edition(EditionSummary):
    description: Text
    time_zone: str
    scores_published: bool
    categories: list[Category]


class Organisation(Schema):
    name: str
    city: str
    country: str


class Winner(Schema):
    application_id: int
    title: str
    organisation: Organisation
    category: str | None
    citation: str
    score: float | None
    url: str


class TierWinners(Schema):
    level: str
    label: Text
    places: int
    winners: list[Winner]


class CategoryResults(Schema):
    slug: str
    name: Text
    tiers: list[TierWinners]


class Award(Schema):
    kind: str
    name: Text
    description: Text
    recipients: list[Winner]


class Results(Schema):
    edition: EditionSummary
    categories: list[CategoryResults]
    awards: list[Award]


class Message(Schema):
    detail: str

"""A published edition as the public sees it: Seoul-shaped prizes, edition awards, images; and entries that
must never show (a non-awarded entry with an image and consent, an ineligible entry, a draft)."""

import io
import itertools
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from judging.models import AwardDecision, EditionAward, JudgingRound, PrizeTier
from portal.models import Edition, Organisation
from submissions.models import Application, Category

from .awards import AwardDecisionFactory, EditionAwardFactory, PrizeTierFactory
from .ceremony import lock_edition
from .judging import EntryResultFactory, JudgingRoundFactory
from .portal import EditionFactory, OrganisationFactory
from .scoring import submitted_entry
from .submissions import CategoryFactory

CITIES = [("Seoul", "KR"), ("Bogotá", "CO"), ("Kigali", "RW"), ("Amman", "JO"), ("Jakarta", "ID"),
          ("Barcelona", "ES"), ("Da Nang", "VN"), ("Nairobi", "KE"), ("Tashkent", "UZ"), ("Ulaanbaatar", "MN"),
          ("Curitiba", "BR"), ("Tallinn", "EE"), ("Busan", "KR"), ("Dubai", "AE"), ("Medellín", "CO")]
PROJECTS = ["Safe routes for every child", "Open data for bus riders", "Heat shelters on demand",
            "One-stop digital permits", "Flood sensors along the river", "Participatory budget app",
            "Smart water meters for small towns", "Air quality on every corner", "Digital twin of the old town",
            "Care calls for older residents", "Shared e-bikes for outer districts", "AI triage of pothole reports",
            "Community Wi-Fi in markets", "Zero-paper city hall", "Street lights that listen"]
_SERIAL = itertools.count(2)
COLOURS = ["#1f6f8b", "#99a8b2", "#e6d5b8", "#c06c84", "#355c7d", "#f67280", "#6c5b7b", "#2a9d8f"]


def image_bytes(*, colour: str = "#1f6f8b", size=(1200, 800), kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, kind)
    return out.getvalue()


def image_upload(name: str = "project.png", **kwargs) -> SimpleUploadedFile:
    kind = {"png": "PNG", "jpg": "JPEG", "webp": "WEBP"}[name.rsplit(".", 1)[-1]]
    return SimpleUploadedFile(name, image_bytes(kind=kind, **kwargs), content_type="application/octet-stream")


@dataclass
class PublishedEdition:
    edition: Edition
    categories: list[Category]
    winners: list[Application] = field(default_factory=list)
    awardees: list[Application] = field(default_factory=list)  # edition-level awards only
    hidden: list[Application] = field(default_factory=list)  # never public
    decisions: list[AwardDecision] = field(default_factory=list)
    round: JudgingRound | None = None


def _entry(edition, category, n: int, *, image: bool, **fields) -> Application:
    city, country = CITIES[n % len(CITIES)]
    name = f"{city} Metropolitan Government"
    if Organisation.objects.filter(name=name, country=country).exists():
        name = f"{name} ({next(_SERIAL)})"
    organisation = OrganisationFactory(name=name, city=city, country=country)
    title = PROJECTS[n % len(PROJECTS)] + (f" in {city}" if n >= len(PROJECTS) else "")
    application = submitted_entry(edition=edition, category=category, organisation=organisation, title=title,
                                  summary=f"{PROJECTS[n % len(PROJECTS)]}: a programme of {city} that reached "
                                          f"{(n + 2) * 12000} residents in its first year.", **fields)
    if image:
        application.public_image.save("image.png", SimpleUploadedFile("i.png", image_bytes(
            colour=COLOURS[n % len(COLOURS)])), save=False)
        application.public_image_consent = True
        application.save()
    return application


def published_edition(*, categories: int = 2, tiers=((PrizeTier.Level.GOLD, 1), (PrizeTier.Level.SILVER, 2),
                                                       (PrizeTier.Level.BRONZE, 3)),
                      leadership: int = 2, mentions: int = 2, images: bool = True, **edition_fields) -> PublishedEdition:
    """Seoul-shaped by default: per category 1 gold, 2 silver, 3 bronze; leadership awards; special mentions."""
    now = timezone.now()
    edition_fields.setdefault("name", "Seoul Smart City Prize 2026")
    edition_fields.setdefault("programme", "Seoul Smart City Prize")
    edition_fields.setdefault("description", "Cities, companies and institutes that make cities better places "
                                             "to live with technology are invited to apply.")
    # Built while the committee deliberates, then published: a finalised edition refuses new rows (judging.signals).
    edition = EditionFactory(state=Edition.State.DELIBERATION, published_at=now - timedelta(days=1),
                             opens_at=now - timedelta(days=120), closes_at=now - timedelta(days=60),
                             **edition_fields)
    names = [("Human-centric", "human-centric"), ("Tech-innovative", "tech-innovative"),
             ("Safety and resilience", "safety-and-resilience")]
    made = PublishedEdition(edition, [
        CategoryFactory(edition=edition, name=name, slug=slug, position=i,
                        description=f"Projects judged as {name.lower()} solutions.")
        for i, (name, slug) in enumerate(names[:categories])
    ])
    made.round = JudgingRoundFactory(edition=edition, state=JudgingRound.State.SCORED, categories=made.categories)
    n = 0
    for category in made.categories:
        rank = 1
        for position, (level, places) in enumerate(tiers, start=1):
            tier = PrizeTierFactory(category=category, level=level, places=places, position=position)
            for _ in range(places):
                entry = _entry(edition, category, n, image=images and n % 2 == 0)
                made.winners.append(entry)
                made.decisions.append(AwardDecisionFactory(tier=tier, application=entry, edition=edition,
                                                           proposed_rank=rank))
                EntryResultFactory(round=made.round, application=entry, category=category, rank=rank,
                                   corrected=9.5 - rank * 0.25)
                rank += 1
                n += 1
        loser = _entry(edition, category, n, image=True)  # an image and consent, but no prize: never public
        EntryResultFactory(round=made.round, application=loser, category=category, rank=rank, corrected=3.25)
        made.hidden.append(loser)
        n += 1
    made.hidden.append(_entry(edition, made.categories[0], n, image=True, status=Application.Status.INELIGIBLE))
    made.hidden.append(_entry(edition, made.categories[0], n + 1, image=True, status=Application.Status.DRAFT))
    for kind, count, label in ((EditionAward.Kind.LEADERSHIP, leadership, "Leadership award"),
                               (EditionAward.Kind.SPECIAL_MENTION, mentions, "Special mention")):
        if not count:
            continue
        award = EditionAwardFactory(edition=edition, kind=kind, name=label,
                                    description="Given by the committee without a ranking.")
        for i in range(count):
            entry = _entry(edition, made.categories[-1], n + 2 + i + (10 if kind == "leadership" else 0),
                           image=images)
            made.awardees.append(entry)
            made.decisions.append(AwardDecisionFactory(
                award=award, tier=None, category=None, application=entry, edition=edition, proposed_rank=None,
                citation=f"For {entry.title.lower()}, which the committee found exemplary."))
    lock_edition(edition, Edition.State.PUBLISHED)
    return made

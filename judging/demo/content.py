"""Plausible, made-up demo content: organisations in many countries and their applications.

Deterministic: organisation j and entry i are the same on every run whatever count is
asked for, so `seed_demo --entries N` can grow an edition later without duplicating
anything. The places are real; the organisations, projects and people are invented.
"""

import io
import random
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.text import slugify
from pypdf import PdfWriter

from portal.models import Organisation

Kind = Organisation.Kind
Band = Organisation.PopulationBand

# (country, city, population band, local name or "")
PLACES = [
    ("KR", "Seoul", Band.OVER_5M, "서울특별시"),
    ("KR", "Busan", Band.FROM_1M, "부산광역시"),
    ("KR", "Suwon", Band.FROM_1M, "수원시"),
    ("KR", "Gangneung", Band.FROM_100K, "강릉시"),
    ("KR", "Yeongwol", Band.UNDER_100K, "영월군"),
    ("JP", "Yokohama", Band.FROM_1M, ""),
    ("JP", "Kakogawa", Band.FROM_100K, ""),
    ("CN", "Shenzhen", Band.OVER_5M, ""),
    ("TW", "Taipei", Band.FROM_1M, ""),
    ("SG", "Singapore", Band.OVER_5M, ""),
    ("ID", "Jakarta", Band.OVER_5M, ""),
    ("ID", "Makassar", Band.FROM_1M, ""),
    ("PH", "Quezon City", Band.FROM_1M, ""),
    ("VN", "Da Nang", Band.FROM_1M, ""),
    ("TH", "Phuket", Band.FROM_100K, ""),
    ("MY", "Kuala Lumpur", Band.FROM_1M, ""),
    ("IN", "Pune", Band.OVER_5M, ""),
    ("IN", "Surat", Band.OVER_5M, ""),
    ("BD", "Dhaka", Band.OVER_5M, ""),
    ("NP", "Pokhara", Band.FROM_100K, ""),
    ("LK", "Galle", Band.UNDER_100K, ""),
    ("BT", "Paro", Band.UNDER_100K, ""),
    ("MN", "Ulaanbaatar", Band.FROM_1M, ""),
    ("KZ", "Almaty", Band.FROM_1M, ""),
    ("UZ", "Tashkent", Band.FROM_1M, ""),
    ("AE", "Dubai", Band.FROM_1M, ""),
    ("SA", "Riyadh", Band.OVER_5M, ""),
    ("JO", "Amman", Band.FROM_1M, ""),
    ("TR", "Istanbul", Band.OVER_5M, ""),
    ("GE", "Tbilisi", Band.FROM_1M, ""),
    ("EG", "Cairo", Band.OVER_5M, ""),
    ("MA", "Casablanca", Band.FROM_1M, ""),
    ("SN", "Dakar", Band.FROM_1M, ""),
    ("GH", "Accra", Band.FROM_1M, ""),
    ("NG", "Lagos", Band.OVER_5M, ""),
    ("ET", "Addis Ababa", Band.FROM_1M, ""),
    ("KE", "Nairobi", Band.FROM_1M, ""),
    ("KE", "Kisumu", Band.FROM_100K, ""),
    ("RW", "Kigali", Band.FROM_1M, ""),
    ("TZ", "Dar es Salaam", Band.OVER_5M, ""),
    ("ZA", "Cape Town", Band.FROM_1M, ""),
    ("ES", "Barcelona", Band.FROM_1M, ""),
    ("ES", "Santander", Band.FROM_100K, ""),
    ("PT", "Fundão", Band.UNDER_100K, ""),
    ("FR", "Lyon", Band.FROM_100K, ""),
    ("DE", "Heidelberg", Band.FROM_100K, ""),
    ("NL", "Eindhoven", Band.FROM_100K, ""),
    ("DK", "Aarhus", Band.FROM_100K, ""),
    ("FI", "Espoo", Band.FROM_100K, ""),
    ("EE", "Tartu", Band.UNDER_100K, ""),
    ("IS", "Ísafjörður", Band.UNDER_100K, ""),
    ("IE", "Dún Laoghaire", Band.UNDER_100K, ""),
    ("GB", "Bristol", Band.FROM_100K, ""),
    ("UA", "Lviv", Band.FROM_100K, ""),
    ("CA", "Montréal", Band.FROM_1M, ""),
    ("US", "Boston", Band.FROM_100K, ""),
    ("MX", "Mexico City", Band.OVER_5M, ""),
    ("CO", "Medellín", Band.FROM_1M, ""),
    ("BR", "Curitiba", Band.FROM_1M, ""),
    ("CL", "Santiago", Band.OVER_5M, ""),
    ("AR", "Rosario", Band.FROM_1M, ""),
    ("AU", "Sydney", Band.OVER_5M, ""),
    ("NZ", "Wellington", Band.FROM_100K, ""),
    ("FJ", "Suva", Band.UNDER_100K, ""),
]

# Weighted as the Seoul prize's entrants were: mostly cities, then companies and institutes.
KIND_WEIGHTS = [(Kind.CITY, 40), (Kind.COMPANY, 25), (Kind.INSTITUTE, 20), (Kind.NGO, 15)]

NAME_PATTERNS = {
    Kind.CITY: ["{local}", "{city} Metropolitan Government", "City of {city}", "{city} City Council",
                "{city} Smart City Office", "{city} Urban Innovation Department"],
    Kind.INSTITUTE: ["{city} Institute for Urban Research", "{city} University Centre for Smart Cities",
                     "{city} Polytechnic Living Lab", "{city} Resilience Institute", "{city} Data Science Institute"],
    Kind.NGO: ["{city} Civic Lab", "Friends of {city} Commons", "{city} Citizens' Mobility Network",
               "{city} Neighbourhood Alliance", "Open Data {city}"],
}
COMPANY_PARTS = (
    ["Urban", "Civic", "Metro", "Blue", "Open", "Green", "Bright", "Next", "Safe", "Clear"],
    ["Pulse", "Grid", "Flow", "Sense", "Works", "Link", "Scape", "Mind", "Wave", "Bridge"],
    ["Technologies", "Labs", "Systems", "Analytics", "Mobility", "Solutions"],
)

THEMES = [
    # human-centric
    ["Accessible transit for older residents", "Participatory budgeting platform",
     "Digital inclusion hubs in public libraries", "Community health kiosks", "Multilingual public service assistant",
     "Affordable housing matching service", "Child-friendly street redesign", "Care network for people living alone",
     "Barrier-free wayfinding for wheelchair users", "Neighbourhood planning with open data"],
    # tech-innovative
    ["Digital twin of the city centre", "Adaptive traffic signals", "Smart water leak detection",
     "Connected street lighting", "Charging plan for an electric bus fleet", "Open urban data platform",
     "Drone inspection of bridges", "Air quality sensor network", "Predictive maintenance for metro escalators",
     "Route planning for waste collection"],
    # safety and resilience
    ["Flood early-warning system", "Heatwave shelter network", "Registry of earthquake-ready buildings",
     "Wildfire smoke alerts", "Landslide monitoring with low-cost sensors", "Emergency volunteers app",
     "Storm-water capacity mapping", "Backup power for hospitals", "Coastal erosion observatory",
     "Safe routes to school"],
]
# Korean titles for some themes, used for about half the Korean organisations' entries.
KOREAN_TITLES = {
    "Accessible transit for older residents": "어르신을 위한 이동 지원 서비스",
    "Participatory budgeting platform": "시민 참여 예산 플랫폼",
    "Digital inclusion hubs in public libraries": "공공도서관 디지털 포용 센터",
    "Care network for people living alone": "1인 가구 돌봄 네트워크",
    "Digital twin of the city centre": "도심 디지털 트윈",
    "Adaptive traffic signals": "지능형 교통 신호 제어",
    "Smart water leak detection": "스마트 상수도 누수 감지",
    "Air quality sensor network": "대기질 센서 네트워크",
    "Flood early-warning system": "침수 조기 경보 시스템",
    "Heatwave shelter network": "폭염 쉼터 네트워크",
    "Safe routes to school": "안전한 통학로 만들기",
}
STAGES = ["concept", "pilot", "implemented", "scaled"]
# How the summary names a project at each stage ("runs a scaled of ..." read badly).
STAGE_PHRASES = {"concept": "concept study", "pilot": "pilot", "implemented": "city-wide service",
                 "scaled": "scaled-up programme"}
BUDGET_RANGE = {"concept": (20_000, 150_000), "pilot": (100_000, 900_000),
                "implemented": (500_000, 5_000_000), "scaled": (2_000_000, 40_000_000)}
PARTNER_POOL = ["the national ministry of the interior", "a local university", "residents' associations",
                "the regional transport authority", "two start-ups", "the World Bank", "UN-Habitat",
                "a telecoms operator", "the city's hospitals", "schools in three districts"]


@dataclass(frozen=True)
class DemoOrganisation:
    index: int
    name: str
    kind: str
    country: str
    city: str
    population_band: str
    website: str

    @property
    def contact_email(self) -> str:
        return f"contact{self.index:04d}@orgs.demo.example"

    @property
    def contact_name(self) -> str:
        return f"Contact at {self.name}"[:200]


@dataclass(frozen=True)
class DemoEntry:
    index: int
    organisation_index: int
    category_position: int
    data: dict
    attachments: list[tuple[str, int]] = field(default_factory=list)  # (file name, pages)


def organisation_index_for_entry(index: int) -> int:
    """Seven organisations for every ten entries: some enter two categories (never twice the same one)."""
    return (7 * index) // 10


def organisations_needed(entries: int) -> int:
    return organisation_index_for_entry(entries - 1) + 1 if entries > 0 else 0


def demo_organisations(count: int) -> list[DemoOrganisation]:
    """The first `count` demo organisations; the same prefix whatever the count (names are unique per country)."""
    return list(_organisations(count))


def _organisations(count: int):
    taken: set[tuple[str, str]] = set()
    for index in range(count):
        rng = random.Random(f"demo-organisation-{index}")
        while True:
            country, city, band, local = rng.choice(PLACES)
            kind = rng.choices([kind for kind, _ in KIND_WEIGHTS], weights=[w for _, w in KIND_WEIGHTS])[0]
            if kind == Kind.COMPANY:
                name = " ".join(rng.choice(part) for part in COMPANY_PARTS)
            else:
                pattern = rng.choice(NAME_PATTERNS[kind])
                if pattern == "{local}" and not local:
                    pattern = NAME_PATTERNS[kind][1]
                name = pattern.format(city=city, local=local)
            if (name, country) not in taken:
                break
        taken.add((name, country))
        yield DemoOrganisation(
            index=index, name=name, kind=kind, country=country, city=city,
            population_band=band if kind == Kind.CITY else Band.NOT_APPLICABLE,
            website=f"https://{slugify(name) or 'org-' + str(index)}.demo.example",
        )


def demo_entries(count: int, *, organisations: list[DemoOrganisation], categories: int = 3) -> list[DemoEntry]:
    """Entries 0..count-1, each for organisation_index_for_entry(i), in a category that organisation has not entered."""
    entries = []
    for index in range(count):
        organisation_index = organisation_index_for_entry(index)
        second = index > 0 and organisation_index_for_entry(index - 1) == organisation_index
        category_position = (organisation_index + int(second)) % categories
        entries.append(_entry(index, organisations[organisation_index], category_position))
    return entries


def _entry(index: int, organisation: DemoOrganisation, category_position: int) -> DemoEntry:
    rng = random.Random(f"demo-entry-{index}")
    themes = THEMES[category_position % len(THEMES)]
    theme = rng.choice(themes)
    place = organisation.city
    if organisation.country == "KR" and theme in KOREAN_TITLES and rng.random() < 0.6:
        title = f"{KOREAN_TITLES[theme]} ({place})"
    else:
        title = f"{theme} in {place}"
    stage = rng.choice(STAGES)
    low, high = BUDGET_RANGE[stage]
    budget = rng.randrange(low, high, 1000)
    partners = ", ".join(rng.sample(PARTNER_POOL, 3))
    people = rng.randrange(2_000, 900_000, 500)
    lowered = theme[0].lower() + theme[1:]
    data = {
        "title": title[:200],
        "summary": (
            f"{organisation.name} runs a {STAGE_PHRASES[stage]} of {lowered} in {place}. "
            f"It reaches about {people:,} residents and is designed to be copied by cities of any size."
        ),
        "problem": (
            f"Residents of {place} told us in surveys and public hearings that services did not reach "
            f"everyone who needed them. Data were scattered across departments, and decisions came late."
        ),
        "solution": (
            f"We built {lowered} together with residents. The service combines open data, simple tools "
            f"that work on any phone, and staff trained to help people who are not online."
        ),
        "impact_evidence": (
            f"In the first year, response times fell by {rng.randrange(10, 60)}% and satisfaction rose "
            f"by {rng.randrange(5, 40)} points. An independent evaluation is attached."
        ),
        "inclusiveness": (
            "Older people, people with disabilities and migrants helped design the service; every screen "
            "is available in the main local languages and by phone."
        ),
        "scalability": (
            f"The software is open source and the method is documented; {rng.randrange(2, 12)} other "
            f"cities have asked to adopt it."
        ),
        "stage": stage,
        "budget_usd": budget,
        "resources": (
            f"A team of {rng.randrange(3, 40)} people and a budget of US${budget:,}, shared between the "
            f"city and its partners."
        ),
        "partners": f"With {partners}.",
        "links": f"{organisation.website}/projects/{index}",
    }
    stem = slugify(title)[:40].strip("-") or f"project-{index}"
    attachments = [(f"{stem}-brief.pdf", 1 + index % 3)]
    if index % 4 == 0:
        attachments.append(("budget-annex.pdf", 1))
    return DemoEntry(index=index, organisation_index=organisation.index, category_position=category_position,
                     data=data, attachments=attachments)


@lru_cache(maxsize=8)
def demo_pdf(pages: int = 1) -> bytes:
    """A small, real PDF of blank A4 pages (pypdf reads it back and counts the pages)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Demo attachment", "/Producer": "award portal seed_demo"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()

import datetime
import io
import zipfile

import pytest
from django.utils import translation
from pypdf import PdfReader

from judging.certificates import PRIZES, certificate_pdf, certificates_zip

ENGLISH = {
    "edition_name": "Seoul Smart City Prize 2026",
    "prize": "gold",
    "category_name": "Smart Mobility",
    "organisation_name": "City of Busan",
    "city": "Busan",
    "country": "South Korea",
    "project_title": "Demand-responsive buses for the hillside neighbourhoods",
    "awarded_on": datetime.date(2026, 12, 2),
    "chair_name": "Kim Min-jun",
}
KOREAN = ENGLISH | {
    "edition_name": "2026 서울 스마트도시상",
    "category_name": "스마트 모빌리티",
    "organisation_name": "부산광역시",
    "city": "부산",
    "country": "대한민국",
    "project_title": "산복도로 마을을 위한 수요응답형 버스",
    "chair_name": "김민준",
}
LABELS = {  # prize: (English, Korean)
    "gold": ("Gold prize", "금상"),
    "silver": ("Silver prize", "은상"),
    "bronze": ("Bronze prize", "동상"),
    "winner": ("Winner", "수상"),
    "leadership": ("Leadership award", "리더십상"),
    "special_mention": ("Special mention", "특별상"),
}


def read_pdf(pdf: bytes) -> tuple[int, str, str]:
    """Page count, the text of the first page with whitespace runs made single spaces, and the title."""
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(reader.pages[0].extract_text().split())
    return len(reader.pages), text, reader.metadata.title


def absent(text: str, phrases: list[str]) -> list[str]:
    return [phrase for phrase in phrases if phrase not in text]


def test_prizes_are_the_labelled_ones():
    assert PRIZES == tuple(LABELS)


@pytest.mark.parametrize("prize", list(LABELS))
def test_an_english_certificate_is_one_page_naming_the_prize_category_organisation_and_edition(prize):
    with translation.override("en"):
        pages, text, title = read_pdf(certificate_pdf(context=ENGLISH | {"prize": prize}))

    assert pages == 1
    assert title == "Certificate of award · Seoul Smart City Prize 2026"
    # The edition's name is set in capitals by the style sheet.
    assert absent(text, [
        "SEOUL SMART CITY PRIZE 2026",
        "Certificate of award",
        LABELS[prize][0],
        "Category: Smart Mobility",
        "presented to",
        "City of Busan",
        "Busan, South Korea",
        "for the project “Demand-responsive buses for the hillside neighbourhoods”",
        "2 December 2026",
        "Kim Min-jun",
        "Chair of the jury",
    ]) == []
    assert absent(text, [english for other, (english, _korean) in LABELS.items() if other != prize]) == [
        english for other, (english, _korean) in LABELS.items() if other != prize
    ]


@pytest.mark.parametrize("prize", list(LABELS))
def test_a_korean_certificate_is_in_korean(prize):
    with translation.override("ko"):
        pages, text, title = read_pdf(certificate_pdf(context=KOREAN | {"prize": prize}))

    assert pages == 1
    assert title == "상장 · 2026 서울 스마트도시상"
    assert absent(text, [
        "2026 서울 스마트도시상",
        "상장",
        LABELS[prize][1],
        "스마트 모빌리티 부문",
        "부산광역시",
        "대한민국 부산",
        "“산복도로 마을을 위한 수요응답형 버스” 프로젝트",
        "2026년 12월 2일",
        "김민준",
        "심사위원장",
    ]) == []
    assert absent(text, ["Certificate", LABELS[prize][0], "Category", "Chair"]) == [
        "Certificate", LABELS[prize][0], "Category", "Chair"
    ]


def test_the_language_is_the_one_active_when_called():
    with translation.override("ko"):
        korean = read_pdf(certificate_pdf(context=ENGLISH))[1]
    with translation.override("en"):
        english = read_pdf(certificate_pdf(context=ENGLISH))[1]
    assert absent(korean, ["금상", "Gold prize"]) == ["Gold prize"]
    assert absent(english, ["금상", "Gold prize"]) == ["금상"]


def test_an_award_the_edition_names_without_a_category():
    context = {key: value for key, value in ENGLISH.items() if key not in ("prize", "category_name")}
    with translation.override("en"):
        pages, text, _title = read_pdf(certificate_pdf(context=context | {"prize_name": "Smart Governance Award"}))
    assert pages == 1
    assert absent(text, ["Smart Governance Award", "City of Busan", "Category"]) == ["Category"]


def test_very_long_names_still_fit_on_one_page():
    context = ENGLISH | {
        "edition_name": "World Smart City Awards 2026 " * 3,
        "organisation_name": "Metropolitan Transport Authority of the Greater Capital Region " * 3,
        "project_title": "Demand-responsive buses for the hillside neighbourhoods " * 8,
    }
    with translation.override("en"):
        assert read_pdf(certificate_pdf(context=context))[0] == 1


@pytest.mark.parametrize(
    "change, message",
    [
        ({"chair_name": ""}, "needs chair_name"),
        ({"prize": None}, "needs prize or prize_name"),
        ({"prize": "platinum"}, "Unknown prize 'platinum'"),
        ({"awarded_on": "2026-12-02"}, "awarded_on must be a date"),
    ],
)
def test_an_incomplete_context_is_refused(change, message):
    with pytest.raises(ValueError, match=message):
        certificate_pdf(context=ENGLISH | change)


def test_the_zip_holds_each_pdf_under_a_safe_ascii_name():
    with translation.override("en"):
        gold = certificate_pdf(context=ENGLISH)
        silver = certificate_pdf(context=ENGLISH | {"prize": "silver", "organisation_name": "Suwon"})
    items = [
        ("Busan — Gold prize.pdf", gold),
        ("부산광역시", silver),
        ("../../etc/passwd", gold),
        ("Busan — Gold prize", silver),
    ]

    archive = zipfile.ZipFile(io.BytesIO(certificates_zip(items=items)))

    assert archive.namelist() == ["busan-gold-prize.pdf", "certificate-2.pdf", "etcpasswd.pdf", "busan-gold-prize-2.pdf"]
    assert [archive.read(name) for name in archive.namelist()] == [gold, silver, gold, silver]
    assert [read_pdf(archive.read(name))[0] for name in archive.namelist()] == [1, 1, 1, 1]
    assert archive.testzip() is None


def test_the_same_certificates_give_the_same_zip():
    items = [("a", b"%PDF-1.7 one"), ("b", b"%PDF-1.7 two")]
    assert certificates_zip(items=items) == certificates_zip(items=items)
    assert zipfile.ZipFile(io.BytesIO(certificates_zip(items=[]))).namelist() == []

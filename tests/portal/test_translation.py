"""Texts a programme writes are read in the reader's language, with the other language as the fallback; dates
read as each language writes them."""

import datetime

import pytest
from django.utils import timezone, translation

from portal.formatting import local_time
from portal.models import Edition
from submissions.models import Category
from tests.factories import CategoryFactory, EditionFactory


@pytest.mark.django_db
def test_a_category_is_read_in_the_readers_language_and_falls_back_to_the_other():
    both = CategoryFactory(name_en="Human-centric", name_ko="인간 중심")
    english_only = CategoryFactory(edition=both.edition, name_en="Safety", name_ko="")
    korean_only = CategoryFactory(edition=both.edition, name_en="", name_ko="기술 혁신")
    for language, expected in {"en": ["Human-centric", "Safety", "기술 혁신"],
                               "ko": ["인간 중심", "Safety", "기술 혁신"]}.items():
        with translation.override(language):
            found = {category.pk: category.name for category in Category.objects.filter(edition=both.edition)}
            assert [found[both.pk], found[english_only.pk], found[korean_only.pk]] == expected


@pytest.mark.django_db
def test_the_public_edition_page_names_the_edition_in_the_readers_language(client):
    edition = EditionFactory(name_en="Seoul Smart City Prize", name_ko="서울스마트도시상", state=Edition.State.OPEN)
    english = client.get(f"/editions/{edition.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    korean = client.get(f"/editions/{edition.slug}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert ("Seoul Smart City Prize" in english, "서울스마트도시상" in english) == (True, False)
    assert ("서울스마트도시상" in korean, "Seoul Smart City Prize" in korean) == (True, False)


@pytest.mark.django_db
def test_korean_dates_read_as_korean_dates():
    edition = EditionFactory(time_zone="Asia/Seoul")
    moment = datetime.datetime(2026, 5, 3, 9, 0, tzinfo=datetime.UTC)
    with translation.override("en"):
        assert local_time(moment, edition=edition) == "3 May 2026, 18:00"
    with translation.override("ko"):
        assert local_time(moment, edition=edition) == "2026년 5월 3일 18:00"
        assert timezone.localtime(moment).year == 2026

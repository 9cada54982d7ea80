"""The countries of an edition's screening list, kept as a few rows (`ScreeningCountry`) as applications enter and
leave the list, so that the list's country filter never reads every application of the edition.

An application enters the list when it leaves the draft status (and when it is created already submitted, as the
demo and imports do) and leaves it when it is reopened as a draft. Both run in the transaction of the change
and lock the (edition, country) row first: a country's last application leaving while another from the same
country enters waits for the other, and so it re-counts what was committed.
"""

from __future__ import annotations

from django.db import transaction

from portal.models import Edition, Organisation
from submissions.models import Application, ScreeningCountry


def _listed(*, edition_id: int, country: str):
    return Application.objects.filter(edition_id=edition_id, organisation__country=country).exclude(
        status=Application.Status.DRAFT)


def screening_country_enter(*, edition_id: int, country: str) -> None:
    """An application from `country` entered the edition's list: the country is listed (once)."""
    if not country:
        return
    with transaction.atomic():  # a save outside a transaction (autocommit: a script, the shell) still locks
        held = ScreeningCountry.objects.select_for_update().filter(edition_id=edition_id, country=country)
        if held.values_list("pk", flat=True).first() is None:
            ScreeningCountry.objects.bulk_create([ScreeningCountry(edition_id=edition_id, country=country)],
                                                 ignore_conflicts=True)


def screening_country_leave(*, edition_id: int, country: str) -> None:
    """An application from `country` left the edition's list: the country goes when it was the last one."""
    with transaction.atomic():
        held = ScreeningCountry.objects.select_for_update().filter(edition_id=edition_id, country=country)
        if held.values_list("pk", flat=True).first() is not None and not _listed(
                edition_id=edition_id, country=country).exists():
            held.delete()


def screening_countries_rebuild(*, edition: Edition) -> None:
    """Count the edition's countries again from its applications: after a bulk insert that sent no signal (the
    benchmarks), or an organisation's country changed."""
    codes = set(
        Application.objects.filter(edition=edition).exclude(status=Application.Status.DRAFT).order_by()
        .values_list("organisation__country", flat=True).distinct())
    kept = set(ScreeningCountry.objects.filter(edition=edition).values_list("country", flat=True))
    ScreeningCountry.objects.filter(edition=edition, country__in=kept - codes).delete()
    ScreeningCountry.objects.bulk_create([ScreeningCountry(edition=edition, country=code)
                                          for code in sorted(codes - kept) if code], ignore_conflicts=True)


def screening_countries_after_organisation_change(*, organisation: Organisation) -> None:
    """An organisation was saved (its country may have changed): the lists of its submitted applications'
    editions are counted again."""
    edition_ids = (Application.objects.filter(organisation=organisation).exclude(status=Application.Status.DRAFT)
                   .order_by().values_list("edition_id", flat=True).distinct())
    for edition in Edition.objects.filter(pk__in=list(edition_ids)):
        screening_countries_rebuild(edition=edition)

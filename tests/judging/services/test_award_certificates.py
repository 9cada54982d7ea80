"""The certificates job: one valid PDF per awardee naming the right prize, in the organisation's language."""

import io
import zipfile

import pytest
from pypdf import PdfReader

from judging.models import AwardJob
from judging.services.ceremony_jobs import award_job_start
from portal.models import Edition
from tests.factories.ceremony import ceremony_edition

pytestmark = pytest.mark.django_db


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_one_certificate_per_awardee_naming_the_right_prize(django_capture_on_commit_callbacks):
    world = ceremony_edition(state=Edition.State.FINALISED)
    with django_capture_on_commit_callbacks(execute=True):
        job = award_job_start(edition=world.edition, kind=AwardJob.Kind.CERTIFICATES, user=world.chair)
    job.refresh_from_db()
    assert (job.state, job.progress, job.error) == (AwardJob.State.SUCCEEDED, 100, "")
    with job.result.open("rb") as stored, zipfile.ZipFile(stored) as archive:
        names = archive.namelist()
        texts = {name: _pdf_text(archive.read(name)) for name in names}
    # Gold, silver and the special mention; the silver place left empty has no certificate.
    assert len(names) == 3
    gold = next(text for name, text in texts.items() if "gold" in name)
    silver = next(text for name, text in texts.items() if "silver" in name)
    mention = next(text for name, text in texts.items() if "special-mention" in name)
    # The gold and silver organisations' first members read Korean: their certificates are in Korean.
    assert "금상" in gold and "Human-centric 부문" in gold and "Hillside buses" in gold and "Kim Min-jun" in gold
    assert "2026년 11월 21일" in gold
    assert "은상" in silver and "Flood sensors" in silver
    assert "Special mention" in mention and "Open budget" in mention and "Gold" not in mention
    # Finalised on 20 November at 16:30 UTC: 21 November in Seoul.
    assert "21 November 2026" in mention
    for text in texts.values():
        assert "SEOUL SMART CITY PRIZE 2026" in text  # the template sets the edition in capitals


def test_running_the_job_again_does_nothing(django_capture_on_commit_callbacks):
    from judging.tasks.awards import award_job_run

    world = ceremony_edition(state=Edition.State.FINALISED)
    with django_capture_on_commit_callbacks(execute=True):
        job = award_job_start(edition=world.edition, kind=AwardJob.Kind.CERTIFICATES, user=world.chair)
    job.refresh_from_db()
    result = job.result.name
    assert award_job_run(run_id=job.pk) == AwardJob.State.SUCCEEDED
    job.refresh_from_db()
    assert job.result.name == result


def test_a_failure_while_drawing_fails_the_job_with_its_error(django_capture_on_commit_callbacks, monkeypatch):
    from judging.services import award_certificates

    def broken(*, context):
        raise ValueError("A certificate needs chair_name.")

    monkeypatch.setattr(award_certificates, "certificate_pdf", broken)
    world = ceremony_edition(state=Edition.State.FINALISED)
    with django_capture_on_commit_callbacks(execute=True):
        job = award_job_start(edition=world.edition, kind=AwardJob.Kind.CERTIFICATES, user=world.chair)
    job.refresh_from_db()
    assert job.state == AwardJob.State.FAILED
    assert job.error == "ValueError: A certificate needs chair_name."

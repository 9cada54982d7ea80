"""The demo applications: each one created, filled in, given its files and submitted as its applicant would.

Every write goes through submissions.services (and portal.services for the organisations),
so the rows, the status history and the audit trail are those of a real call. The first N
entries are always the same (content.py), so a larger `--entries` only adds the rest.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.models import Edition, User
from submissions import services as submission_services
from submissions.models import Application, ApplicationSnapshot, Category

from . import content, people


def seed_applications(edition: Edition, *, categories: list[tuple[str, str, str]], entries: int, password: str,
                      warn: Callable[[str], None]) -> int:
    """Add the demo entries this edition lacks (of `categories`, given as slugs first); return how many were added.

    Applicants can submit only while the call is open: otherwise nothing is added and `warn` says why.
    """
    in_demo = list(
        edition.categories.filter(slug__in=[slug for slug, *_rest in categories]).order_by("position")
    )
    if not entries or not in_demo:
        return 0
    organisations = content.demo_organisations(content.organisations_needed(entries))
    plan = content.demo_entries(entries, organisations=organisations, categories=len(in_demo))
    present = set(
        Application.objects.filter(edition=edition, category__in=in_demo)
        .values_list("organisation__name", "organisation__country", "category_id")
    )
    missing = [
        entry for entry in plan
        if (organisations[entry.organisation_index].name, organisations[entry.organisation_index].country,
            in_demo[entry.category_position].pk) not in present
    ]
    if not missing:
        return 0
    if not edition.is_accepting():
        warn(
            f"The demo call is {edition.get_state_display().lower()} or past its dates: "
            f"{len(missing)} demo applications were not added (they are submitted only while the call is open)."
        )
        return 0
    return _submit(categories=in_demo, organisations=organisations, entries=missing, password=password)


def _submit(*, categories: list[Category], organisations: list[content.DemoOrganisation],
            entries: list[content.DemoEntry], password: str) -> int:
    """One applicant's clicks per entry: create, save the draft, upload the files, submit."""
    planned = [organisations[index] for index in sorted({entry.organisation_index for entry in entries})]
    contacts = people.contacts(planned, password=password)
    organisation_of = people.organisations(planned, contacts=contacts)
    submitted_ids = []
    for entry in entries:
        contact: User = contacts[entry.organisation_index]
        application = submission_services.application_create(
            user=contact, organisation=organisation_of[entry.organisation_index],
            category=categories[entry.category_position],
        )
        application = submission_services.application_save_draft(application=application, user=contact,
                                                                 data=entry.data)
        for name, pages in entry.attachments:
            submission_services.attachment_add(application=application, user=contact, upload=_demo_upload(name, pages))
        submitted_ids.append(submission_services.application_submit(application=application, user=contact).pk)
    # The contacts' addresses are made up and receive no mail: the confirmations are marked done, so the
    # tasks the submissions queued (they run after the commit) send nothing.
    ApplicationSnapshot.objects.filter(pk__in=submitted_ids).update(confirmation_sent_at=timezone.now())
    return len(submitted_ids)


def screen_all_eligible(edition: Edition, *, user: User) -> int:
    """The Secretariat finds every submitted entry eligible, in one bulk decision."""
    submitted = Application.objects.filter(edition=edition, status=Application.Status.SUBMITTED).order_by("pk")
    return submission_services.applications_screen_bulk(applications=list(submitted), user=user, eligible=True)


def _demo_upload(name: str, pages: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.demo_pdf(pages), content_type="application/pdf")

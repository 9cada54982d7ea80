"""Create (or bring up to date) the demo edition, one demo user for every role, and submitted applications.

Idempotent: a second run adds nothing. `--entries N` asks for N demo applications; the
first N are always the same (submissions/demo.py), so a larger N only adds the rest.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from portal.models import AuditEntry, Edition, EditionRole, Membership, Organisation, User
from portal.services import membership_add, organisation_create, role_grant, snapshot
from submissions import demo, services
from submissions.attachments import check_upload
from submissions.models import Application, ApplicationSnapshot, Attachment, Category, StatusChange

DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105 - printed on purpose: the demo has no secrets
DEMO_SLUG = "seoul-demo"
DEMO_CATEGORIES = [
    ("human-centric", "Human-centric", "Projects that put residents' needs first: inclusion, participation, wellbeing."),
    ("tech-innovative", "Tech-innovative", "New technology applied to city problems, from data platforms to AI."),
    ("safety-resilience", "Safety and resilience", "Preparing for, withstanding and recovering from shocks."),
]
DEMO_USERS = [
    ("secretariat@demo.example", "Demo Secretariat", EditionRole.Role.SECRETARIAT),
    ("chair@demo.example", "Demo Chair", EditionRole.Role.CHAIR),
    ("observer@demo.example", "Demo Observer", EditionRole.Role.OBSERVER),
    ("judge1@demo.example", "Demo Judge One", EditionRole.Role.JUDGE),
    ("judge2@demo.example", "Demo Judge Two", EditionRole.Role.JUDGE),
    ("judge3@demo.example", "Demo Judge Three", EditionRole.Role.JUDGE),
    ("applicant@demo.example", "Demo Applicant", None),
]
DEFAULT_ENTRIES = 280  # the Seoul Smart City Prize's second edition had about 280
DEFAULT_JUDGED_ENTRIES = 60
DEFAULT_JUDGES = 12
SECRETARIAT_GROUP = "Secretariat"
SECRETARIAT_APPS = ("portal", "submissions", "judging")


def _demo_password_hash() -> str:
    # One hash with a fixed salt for every demo account: comparing hashes replaces a slow check_password per
    # user (the password is public anyway), and a changed password is still put back.
    return make_password(DEMO_PASSWORD, salt="seeddemo2026")


def _demo_user(email: str, name: str, *, password: str) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"name": name, "password": password})
    if user.password != password:
        user.password = password
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _secretariat_group() -> Group:
    group, _ = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
    permissions = Permission.objects.filter(content_type__app_label__in=SECRETARIAT_APPS).exclude(
        codename__in=["add_auditentry", "change_auditentry", "delete_auditentry"]
    )
    group.permissions.set(permissions)
    return group


class Command(BaseCommand):
    help = (
        "Create the demo edition “Seoul Smart City Prize (demo)”, its categories, demo users for every role "
        "and submitted applications from organisations in many countries."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--entries", type=int, default=DEFAULT_ENTRIES,
            help=f"How many submitted demo applications the edition should hold (default {DEFAULT_ENTRIES}).",
        )
        parser.add_argument(
            "--judged-entries", type=int, default=DEFAULT_JUDGED_ENTRIES,
            help="How many entries the judged demo edition (World Smart City Awards) holds "
                 f"(default {DEFAULT_JUDGED_ENTRIES}; 0 skips that edition).",
        )
        parser.add_argument("--judges", type=int, default=DEFAULT_JUDGES,
                            help=f"Judges of the judged demo edition besides the three demo judges (default {DEFAULT_JUDGES}).")
        parser.add_argument(
            "--through-services", action="store_true",
            help="Submit each demo application through the services one by one (slow; the reference the fast "
                 "bulk writer is tested against).",
        )

    def handle(self, *args, **options) -> None:
        self._seed(options)
        # Printed after the commit, so the e-mails the seeding sends (printed in `make run`) come before the logins.
        self.stdout.write("Demo users (password for all: %s):" % DEMO_PASSWORD)
        for email, _name, role in DEMO_USERS:
            self.stdout.write(f"  {email:28} {role or 'applicant'}")

    @transaction.atomic
    def _seed(self, options) -> None:
        now = timezone.now().replace(microsecond=0)
        edition, _ = Edition.objects.get_or_create(
            slug=DEMO_SLUG,
            defaults={
                "name": "Seoul Smart City Prize (demo)",
                "programme": "Seoul Smart City Prize",
                "description": "A demo edition: two main categories with 1 gold, 2 silver and 3 bronze each.",
                "time_zone": "Asia/Seoul",
                "opens_at": now - timedelta(days=30),
                "closes_at": now + timedelta(days=30),
                "state": Edition.State.OPEN,
            },
        )
        for position, (slug, name, description) in enumerate(DEMO_CATEGORIES):
            Category.objects.update_or_create(
                edition=edition, slug=slug,
                defaults={"name": name, "description": description, "position": position},
            )

        group = _secretariat_group()
        password = _demo_password_hash()
        users = {}
        for email, name, role in DEMO_USERS:
            user = _demo_user(email, name, password=password)
            users[email] = user
            if role is not None:
                role_grant(edition=edition, user=user, role=role)
            if role == EditionRole.Role.SECRETARIAT:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
                user.groups.add(group)

        organisation = Organisation.objects.filter(name="Demo City", country="KR").first()
        if organisation is None:
            organisation = Organisation.objects.create(
                name="Demo City", kind=Organisation.Kind.CITY, country="KR", city="Seoul",
                population_band=Organisation.PopulationBand.OVER_5M,
            )
        membership_add(organisation=organisation, user=users["applicant@demo.example"], role=Membership.Role.OWNER)

        added = self._seed_applications(
            edition, entries=max(options["entries"], 0), password=password, through_services=options["through_services"]
        )

        self.stdout.write(self.style.SUCCESS(f"Demo edition ready: {edition.name} ({edition.categories.count()} categories)"))
        submitted = Application.objects.filter(edition=edition).exclude(status=Application.Status.DRAFT)
        self.stdout.write(
            f"Demo applications: {submitted.count()} submitted, from organisations in "
            f"{submitted.order_by().values('organisation__country').distinct().count()} countries ({added} added now)."
        )
        if options["judged_entries"] > 0:
            from judging.demo_edition import seed_judged_edition

            judged = seed_judged_edition(
                add_applications=lambda judged_edition, count: self._seed_applications(
                    judged_edition, entries=count, password=password, through_services=False
                ),
                categories=DEMO_CATEGORIES, entries=options["judged_entries"], judges=max(options["judges"], 0), staff=users,
            )
            self.stdout.write(self.style.SUCCESS(
                f"Judged demo edition ready: {judged.name} ({judged.get_state_display().lower()}, "
                f"{judged.applications.count()} entries, results computed)"
            ))

    def _seed_applications(self, edition: Edition, *, entries: int, password: str, through_services: bool) -> int:
        """Add the demo entries this edition lacks; return how many were added."""
        categories = list(
            edition.categories.filter(slug__in=[slug for slug, _n, _d in DEMO_CATEGORIES]).order_by("position")
        )
        if not entries or not categories:
            return 0
        organisations = demo.demo_organisations(demo.organisations_needed(entries))
        plan = demo.demo_entries(entries, organisations=organisations, categories=len(categories))
        present = set(
            Application.objects.filter(edition=edition, category__in=categories)
            .values_list("organisation__name", "organisation__country", "category_id")
        )
        missing = [
            entry for entry in plan
            if (organisations[entry.organisation_index].name, organisations[entry.organisation_index].country,
                categories[entry.category_position].pk) not in present
        ]
        if not missing:
            return 0
        if not edition.is_accepting():
            self.stderr.write(self.style.WARNING(
                f"The demo call is {edition.get_state_display().lower()} or past its dates: "
                f"{len(missing)} demo applications were not added (they are submitted only while the call is open)."
            ))
            return 0
        write = _submit_through_services if through_services else _submit_in_bulk
        return write(edition=edition, categories=categories, organisations=organisations, entries=missing,
                     password=password)


def _contacts(planned: list[demo.DemoOrganisation], *, password: str) -> dict[int, User]:
    """Each organisation's contact person (an owner who logs in with the demo password), by organisation index."""
    existing = {user.email: user for user in User.objects.filter(email__in=[o.contact_email for o in planned])}
    new = [User(email=o.contact_email, name=o.contact_name, password=password)
           for o in planned if o.contact_email not in existing]
    User.objects.bulk_create(new)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in new]
    )
    existing.update({user.email: user for user in new})
    return {o.index: existing[o.contact_email] for o in planned}


def _planned_organisations(entries, organisations) -> list[demo.DemoOrganisation]:
    indexes = sorted({entry.organisation_index for entry in entries})
    return [organisations[index] for index in indexes]


def _submit_through_services(*, edition, categories, organisations, entries, password) -> int:
    """One applicant's clicks per entry: create, save the draft, upload, submit. The reference for the bulk writer."""
    planned = _planned_organisations(entries, organisations)
    contacts = _contacts(planned, password=password)
    existing = _existing_organisations(planned)
    organisation_of = {}
    for entry in planned:
        contact = contacts[entry.index]
        organisation = existing.get((entry.name, entry.country))
        if organisation is None:
            organisation_of[entry.index] = organisation_create(
                user=contact, name=entry.name, kind=entry.kind, country=entry.country, city=entry.city,
                population_band=entry.population_band, website=entry.website,
            )
        else:
            membership_add(organisation=organisation, user=contact, role=Membership.Role.OWNER)
            organisation_of[entry.index] = organisation
    submitted_ids = []
    for entry in entries:
        contact = contacts[entry.organisation_index]
        application = services.application_create(
            user=contact, organisation=organisation_of[entry.organisation_index],
            category=categories[entry.category_position],
        )
        application = services.application_save_draft(application=application, user=contact, data=entry.data)
        for name, pages in entry.attachments:
            services.attachment_add(application=application, user=contact, upload=_demo_upload(name, pages))
        submitted_ids.append(services.application_submit(application=application, user=contact).pk)
    # Demo addresses receive no mail: mark the confirmations done, so the queued tasks send nothing.
    ApplicationSnapshot.objects.filter(pk__in=submitted_ids).update(confirmation_sent_at=timezone.now())
    return len(submitted_ids)


def _submit_in_bulk(*, edition, categories, organisations, entries, password) -> int:
    """The same rows as `_submit_through_services` (tests compare them), written with a few bulk inserts.

    Organisations, memberships, applications in their submitted state, files, snapshots,
    status history and audit entries, as the services write them; nothing is e-mailed.
    """
    now = timezone.now()
    planned = _planned_organisations(entries, organisations)
    contacts = _contacts(planned, password=password)
    existing = _existing_organisations(planned)
    audit = []

    def audit_entry(*, actor, action, target, before=None, after=None, edition_id=None):
        # As portal.services.audit_log writes it.
        audit.append(AuditEntry(
            actor=actor, action=action, edition_id=edition_id, before=before, after=after,
            target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk),
            target_repr=str(target)[:300],
        ))

    organisation_of = {}
    new_organisations = []
    for planned_organisation in planned:
        organisation = existing.get((planned_organisation.name, planned_organisation.country))
        if organisation is not None:
            membership_add(organisation=organisation, user=contacts[planned_organisation.index],
                           role=Membership.Role.OWNER)
        else:
            organisation = Organisation(
                name=planned_organisation.name, kind=planned_organisation.kind, country=planned_organisation.country,
                city=planned_organisation.city, population_band=planned_organisation.population_band,
                website=planned_organisation.website,
            )
            organisation.full_clean()
            new_organisations.append((planned_organisation.index, organisation))
        organisation_of[planned_organisation.index] = organisation
    Organisation.objects.bulk_create([organisation for _index, organisation in new_organisations])
    Membership.objects.bulk_create([
        Membership(organisation=organisation, user=contacts[index], role=Membership.Role.OWNER)
        for index, organisation in new_organisations
    ])
    for index, organisation in new_organisations:
        audit_entry(actor=contacts[index], action="organisation.create", target=organisation,
                    after=snapshot(organisation))

    applications = []
    for entry in entries:
        contact = contacts[entry.organisation_index]
        application = Application(
            edition=edition, category=categories[entry.category_position],
            organisation=organisation_of[entry.organisation_index], created_by=contact,
            status=Application.Status.SUBMITTED, submitted_at=now,
            **{field: entry.data[field] for field in Application.CONTENT_FIELDS if field in entry.data},
        )
        application.full_clean(exclude=["edition", "category", "organisation", "created_by"])
        applications.append(application)
    Application.objects.bulk_create(applications)

    attachments = []
    for entry, application in zip(entries, applications, strict=True):
        contact = contacts[entry.organisation_index]
        application.attachment_audit = []
        for name, pages in entry.attachments:
            upload = _demo_upload(name, pages)
            checked = check_upload(upload)
            attachment = Attachment(
                application=application, original_name=name, content_type=checked.content_type, size=checked.size,
                pages=checked.pages, uploaded_by=contact,
            )
            attachment.file.save(f"upload{checked.extension}", upload, save=False)
            attachments.append(attachment)
            application.attachment_audit.append(attachment)
    Attachment.objects.bulk_create(attachments)

    snapshots, changes = [], []
    for entry, application in zip(entries, applications, strict=True):
        contact = contacts[entry.organisation_index]
        snapshots.append(ApplicationSnapshot(
            application=application, number=1, data=services.application_snapshot_data(application),
            submitted_by=contact, confirmation_sent_at=now,
        ))
        changes += [
            StatusChange(application=application, from_status="", to_status=Application.Status.DRAFT, by=contact),
            StatusChange(application=application, from_status=Application.Status.DRAFT,
                         to_status=Application.Status.SUBMITTED, by=contact),
        ]
        # In the order the services write them: creation, files, submission.
        untitled = Application(pk=application.pk)  # as it was named when created, before the draft had a title
        audit.append(AuditEntry(
            actor=contact, action="application.create", edition_id=edition.pk,
            target_type=ContentType.objects.get_for_model(Application), target_id=str(application.pk),
            target_repr=str(untitled)[:300],
            after={"category": application.category.slug, "organisation": application.organisation.name},
        ))
        for attachment in application.attachment_audit:
            audit_entry(actor=contact, action="attachment.add", target=attachment, edition_id=edition.pk,
                        after={"name": attachment.original_name, "size": attachment.size,
                               "type": attachment.content_type})
        audit_entry(actor=contact, action="application.submitted", target=application, edition_id=edition.pk,
                    before={"status": Application.Status.DRAFT}, after={"status": Application.Status.SUBMITTED})
    ApplicationSnapshot.objects.bulk_create(snapshots)
    StatusChange.objects.bulk_create(changes)
    AuditEntry.objects.bulk_create(audit)
    return len(applications)


def _existing_organisations(planned) -> dict[tuple[str, str], Organisation]:
    names = [o.name for o in planned]
    return {
        (organisation.name, organisation.country.code): organisation
        for organisation in Organisation.objects.filter(name__in=names)
    }


def _demo_upload(name: str, pages: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, demo.demo_pdf(pages), content_type="application/pdf")

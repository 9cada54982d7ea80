"""An edition's writes: its settings, and its state through one transition table and one writer."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.bilingual import with_languages
from portal.concurrency import EditedMeanwhile, changed_meanwhile_message, row_version
from portal.models import Edition, EditionRole, User

from .audit import audit_log, snapshot
from .roles import role_grant

EDITION_TRANSITIONS = {
    Edition.State.DRAFT: {Edition.State.OPEN},
    Edition.State.OPEN: {Edition.State.CLOSED},
    Edition.State.CLOSED: {Edition.State.SCREENING, Edition.State.OPEN},
    Edition.State.SCREENING: {Edition.State.JUDGING},
    Edition.State.JUDGING: {Edition.State.DELIBERATION},
    # Back to judging when a further round opens after the last one closed (a final round planned late).
    Edition.State.DELIBERATION: {Edition.State.FINALISED, Edition.State.JUDGING},
    Edition.State.FINALISED: {Edition.State.PUBLISHED},
    Edition.State.PUBLISHED: set(),
}


def edition_locked_row(edition: Edition) -> Edition:
    """The edition as stored, its row locked (FOR UPDATE) until the transaction ends."""
    return Edition.objects.select_for_update().get(pk=edition.pk)


def _ensure_can_move(edition: Edition, to: str) -> None:
    if to not in EDITION_TRANSITIONS[edition.state]:
        raise ValidationError(
            _("An edition that is “%(state)s” cannot move to “%(to)s”.")
            % {"state": edition.get_state_display(), "to": Edition.State(to).label},
            code="transition",
        )


def edition_move(edition: Edition, to: str, *, user: User | None, **stamps) -> Edition:
    """The one writer of `Edition.state` (and of the time stamps that go with it: `stamps`): locks the row,
    checks the table, saves, audits. Call it in a transaction."""
    edition = edition_locked_row(edition)
    _ensure_can_move(edition, to)
    before = {"state": edition.state, **{name: _plain(getattr(edition, name)) for name in stamps}}
    edition.state = to
    for name, value in stamps.items():
        setattr(edition, name, value)
    edition.save(update_fields=["state", *stamps])
    audit_log(actor=user, action=f"edition.{to}", target=edition, edition=edition,
              before=before, after={"state": to, **{name: _plain(value) for name, value in stamps.items()}})
    return edition


def _plain(value):
    """A stamp as the audit trail stores it."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return getattr(value, "pk", value)


def edition_open_refusal(edition: Edition) -> str | None:
    """Why the call cannot open now, or None: it needs a category, and a closing time still ahead."""
    if not edition.categories.exists():
        return _("Add at least one category before opening the call.")
    if edition.closes_at <= timezone.now():
        return _("The closing time has already passed: nobody could submit. Move the closing time first.")
    return None


@transaction.atomic
def edition_open(*, edition: Edition, user: User | None) -> Edition:
    refusal = edition_open_refusal(edition)
    if refusal is not None:
        raise ValidationError(refusal, code="cannot_open")
    return edition_move(edition, Edition.State.OPEN, user=user)


@transaction.atomic
def edition_close(*, edition: Edition, user: User | None) -> Edition:
    return edition_move(edition, Edition.State.CLOSED, user=user)


@transaction.atomic
def edition_start_screening(*, edition: Edition, user: User | None) -> Edition:
    return edition_move(edition, Edition.State.SCREENING, user=user)


@transaction.atomic
def edition_update(*, edition: Edition, user: User, data: dict, loaded_version: str | None = None) -> Edition:
    """Change an edition's settings (not its state).

    `loaded_version` is `edition_details_version` of the settings page as loaded (None: no check): when the
    details were saved since (another tab, a colleague), a change is refused with EditedMeanwhile.
    """
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    if (loaded_version is not None and loaded_version != edition_details_version(edition)
            and any(getattr(edition, field) != value for field, value in data.items())):
        raise EditedMeanwhile(changed_meanwhile_message(), current_version=edition_details_version(edition))
    before = snapshot(edition)
    for field, value in data.items():
        if field in ("state", "id", "pk"):
            continue
        setattr(edition, field, value)
    edition.full_clean()
    edition.save()
    audit_log(actor=user, action="edition.update", target=edition, edition=edition, before=before, after=snapshot(edition))
    return edition


# What the settings page's "details" part edits; its version is a digest of these as stored.
EDITION_DETAIL_FIELDS = (*with_languages("name", "programme", "description"), "time_zone", "opens_at", "closes_at")


def edition_details_version(edition: Edition) -> str:
    return row_version(edition, EDITION_DETAIL_FIELDS)


@transaction.atomic
def edition_start_judging(*, edition: Edition, user: User | None) -> Edition:
    return edition_move(edition, Edition.State.JUDGING, user=user)


# What an organiser sets when creating an edition (the rest of its settings: on the settings pages afterwards).
EDITION_CREATE_FIELDS = (
    *with_languages("name"), "slug", *with_languages("programme", "description"), "time_zone", "opens_at",
    "closes_at",
    "conflict_same_country", "tie_break", "tie_break_criterion", "publish_scores", "publish_dataset",
)


@transaction.atomic
def edition_create(*, user: User, data: dict) -> Edition:
    """A new edition, in state draft, made by an organiser (`portal.create_edition`), who becomes its secretariat.

    `data` holds any of EDITION_CREATE_FIELDS. Audited: the creation, then the role grant.
    """
    if not user.has_perm("portal.create_edition"):
        raise ValidationError(_("Only organisers create editions. Ask an organiser of this portal to make you one."),
                              code="not_organiser")
    edition = Edition(state=Edition.State.DRAFT, **{name: data[name] for name in EDITION_CREATE_FIELDS if name in data})
    edition.name = (edition.name or "").strip()
    # A taken slug in our own words (full_clean's is "Edition with this Slug already exists."), said together
    # with every other problem.
    errors = {}
    if edition.slug and Edition.objects.filter(slug=edition.slug).exists():
        errors["slug"] = [_("Another edition already uses the address “%(slug)s”; choose another.")
                          % {"slug": edition.slug}]
    try:
        edition.full_clean(exclude=list(errors))
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    edition.save()
    audit_log(actor=user, action="edition.create", target=edition, edition=edition, after=snapshot(edition))
    role_grant(edition=edition, user=user, role=EditionRole.Role.SECRETARIAT, actor=user)
    return edition

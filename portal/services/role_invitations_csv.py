"""Many invitations from one CSV file: read it into rows with their errors (the preview), then invite the good
rows when the secretariat confirms. Python's csv module reads the file: nothing here needs more than that."""

import csv
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import Edition, EditionRole, RoleInvitation, User

from .role_invitations import invitation_refusal, role_invite

COLUMNS = ("email", "name", "role", "language")
MAX_ROWS = 500
MAX_BYTES = 512 * 1024


@dataclass
class CsvRow:
    line: int
    email: str
    name: str
    role: str  # the role's value ("judge"), or what the file said when unknown
    language: str
    errors: list[str] = field(default_factory=list)
    has_account: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def role_label(self) -> str:
        return str(EditionRole.Role(self.role).label) if self.role in EditionRole.Role.values else self.role


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The file is larger than %(kb)s KB; split it into smaller files.")
                              % {"kb": MAX_BYTES // 1024}, code="too_large")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8”."),
                              code="encoding") from None


def _role_value(text: str) -> str | None:
    wanted = text.strip().casefold()
    for value, label in EditionRole.Role.choices:
        if wanted in {value, str(label).casefold()}:
            return value
    return None


def _language_value(text: str) -> str | None:
    wanted = text.strip().casefold()
    if not wanted:
        return settings.LANGUAGE_CODE
    for code, label in settings.LANGUAGES:
        if wanted in {code, str(label).casefold()}:
            return code
    return None


def invitation_csv_parse(*, edition: Edition, data: bytes) -> list[CsvRow]:
    """The file's rows with what is wrong with each (nothing is written). A file that cannot be read at all
    raises a ValidationError that says why."""
    reader = csv.DictReader(io.StringIO(_decode(data)), strict=True)
    try:
        header = [name.strip().lower() for name in (reader.fieldnames or [])]
    except csv.Error:
        header = []
    missing = [name for name in ("email", "role") if name not in header]
    if missing:
        raise ValidationError(
            _("The first line must name the columns: email, name, role, language (missing: %(missing)s).")
            % {"missing": ", ".join(missing)}, code="header")
    reader.fieldnames = header
    rows: list[CsvRow] = []
    seen: set[tuple[str, str]] = set()
    try:
        for record in reader:
            if len(rows) >= MAX_ROWS:
                raise ValidationError(_("The file has more than %(n)s rows; split it.") % {"n": MAX_ROWS},
                                      code="too_many")
            values = {name: (record.get(name) or "").strip() for name in COLUMNS}
            if not any(values.values()):
                continue
            rows.append(_check_row(edition, reader.line_num, values, seen))
    except csv.Error as error:
        raise ValidationError(_("The file could not be read as CSV (line %(line)s): %(error)s")
                              % {"line": reader.line_num, "error": error}, code="csv") from None
    if not rows:
        raise ValidationError(_("The file has no rows under its first line."), code="empty")
    _mark_accounts(rows)
    return rows


def _check_row(edition: Edition, line: int, values: dict, seen: set) -> CsvRow:
    email = values["email"].lower()
    role = _role_value(values["role"])
    language = _language_value(values["language"])
    row = CsvRow(line=line, email=email, name=values["name"], role=role or values["role"],
                 language=language or values["language"])
    if any("\x00" in value for value in values.values()):  # no database stores a NUL in text; say so here
        row.errors.append(_("This line contains a NUL character; save the file again as “CSV UTF-8”."))
        return row
    try:
        validate_email(email)
    except ValidationError:
        row.errors.append(_("“%(email)s” is not an e-mail address.") % {"email": values["email"]})
    for name, value in (("email", email), ("name", values["name"])):
        model_field = RoleInvitation._meta.get_field(name)
        if len(value) > model_field.max_length:  # what full_clean would refuse at confirmation, said in the preview
            row.errors.append(_("The %(field)s is longer than %(limit)s characters.")
                              % {"field": model_field.verbose_name, "limit": model_field.max_length})
    if role is None:
        row.errors.append(_("Unknown role “%(role)s”: use one of %(roles)s.")
                          % {"role": values["role"], "roles": ", ".join(EditionRole.Role.values)})
    if language is None:
        row.errors.append(_("Unknown language “%(language)s”: use one of %(languages)s.")
                          % {"language": values["language"], "languages": ", ".join(c for c, _n in settings.LANGUAGES)})
    if row.errors:
        return row
    if (email, role) in seen:
        row.errors.append(_("The same address and role appear earlier in the file."))
        return row
    seen.add((email, role))
    refusal = invitation_refusal(edition=edition, email=email, role=role)
    if refusal is not None:
        row.errors.extend(refusal.messages)
    return row


def _mark_accounts(rows: list[CsvRow]) -> None:
    known = set(User.objects.filter(email__in=[row.email for row in rows]).values_list("email", flat=True))
    for row in rows:
        row.has_account = row.email in known


@transaction.atomic
def role_invite_many(*, edition: Edition, data: bytes, actor: User, message: str = "") -> list[RoleInvitation]:
    """Read the file again (it may have been changed since the preview) and invite every row without an error."""
    return [
        role_invite(edition=edition, email=row.email, role=row.role, actor=actor, name=row.name,
                    language=row.language, message=message)
        for row in invitation_csv_parse(edition=edition, data=data) if row.ok
    ]

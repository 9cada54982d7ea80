"""The words of a mail to a group: which placeholders a text may use, and one recipient's subject and body in their
language, filled by the safe formatter (judging.algorithms.placeholders: names looked up in a dict of strings).

Judges never get an applicant's placeholders ({organisation}, {application_title}, {category}): a mail to judges
names no applicant, whatever the round's blindness, so a blind round stays blind.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.formatting import local_time
from portal.models import Edition
from portal.services.notifications import absolute_url, recipient_language

from ..algorithms.placeholders import UnknownPlaceholders, fill, unknown_placeholders
from ..models import GroupMail, JudgingRound
from ..selectors.group_mail import GroupMember

Audience = GroupMail.Audience

# Every placeholder, with what it writes (shown beside the template's form).
PLACEHOLDERS = {
    "name": gettext_lazy("the recipient's name"),
    "edition": gettext_lazy("the edition's name, in the recipient's language"),
    "deadline": gettext_lazy("applicants: the call's closing time; judges: the chosen round's scoring deadline"),
    "link": gettext_lazy("applicants: their application's page; judges: their entries to score"),
    "round": gettext_lazy("the chosen round's name (empty without one)"),
    "organisation": gettext_lazy("applicants only: the applying organisation"),
    "application_title": gettext_lazy("applicants only: the application's title"),
    "category": gettext_lazy("applicants only: the application's category"),
}
APPLICANT_ONLY = ("organisation", "application_title", "category")
ALLOWED = {
    Audience.APPLICANTS: tuple(PLACEHOLDERS),
    Audience.JUDGES: tuple(name for name in PLACEHOLDERS if name not in APPLICANT_ONLY),
}
TEXT_FIELDS = ("subject_en", "subject_ko", "body_en", "body_ko")


def _braced(names) -> str:
    return ", ".join("{" + name + "}" for name in names)


def text_errors(texts: dict[str, str], *, audience: str | None = None) -> dict[str, list[str]]:
    """Per text field, why its placeholders cannot be filled: unknown ones, or (for judges) an applicant's."""
    errors: dict[str, list[str]] = {}
    for field_name in TEXT_FIELDS:
        text = texts.get(field_name) or ""
        unknown = unknown_placeholders(text, PLACEHOLDERS)
        if unknown:
            errors.setdefault(field_name, []).append(
                _("Unknown placeholder: %(names)s. The placeholders are %(known)s; write {{ and }} for a brace.")
                % {"names": _braced(unknown), "known": _braced(PLACEHOLDERS)})
        if audience == Audience.JUDGES:
            applicant_only = [name for name in unknown_placeholders(text, ALLOWED[Audience.JUDGES])
                              if name not in unknown]
            if applicant_only:
                errors.setdefault(field_name, []).append(
                    _("%(names)s name an applicant: a mail to judges never does. Use another template.")
                    % {"names": _braced(applicant_only)})
    return errors


def ensure_texts(texts: dict[str, str], *, audience: str | None = None) -> None:
    errors = text_errors(texts, audience=audience)
    if errors:
        raise ValidationError(errors)


def _values(member: GroupMember, *, edition: Edition, audience: str, judging_round: JudgingRound | None) -> dict:
    """The placeholders' values for one recipient, in the active language."""
    user = member.user
    values = {"name": user.name or user.email, "edition": edition.name,
              "round": judging_round.name if judging_round else ""}
    if audience == Audience.APPLICANTS and member.application is not None:
        application = member.application
        values.update(
            organisation=application.organisation.name,
            application_title=application.title or str(application),
            category=application.category.name,
            deadline=local_time(edition.closes_at, edition=edition, with_zone=True),
            link=absolute_url(reverse("submissions:application_detail", args=[application.pk])),
        )
    else:
        values.update(
            deadline=local_time(judging_round.deadline, edition=edition, with_zone=True) if judging_round else "",
            link=absolute_url(reverse("judging:scoring_home", args=[edition.slug])),
        )
    return values


def render_for(member: GroupMember, *, texts, edition: Edition, audience: str,
               judging_round: JudgingRound | None) -> tuple[str, str, str]:
    """(language, subject, body) of one recipient's e-mail: `texts` (a GroupMail or a MailTemplate) in their
    language, else the other one, its placeholders filled in that language. ValidationError for a placeholder the
    audience may not use."""
    language = recipient_language(member.user)
    if language not in ("en", "ko"):
        language = "en"
    other = "ko" if language == "en" else "en"
    subject = getattr(texts, f"subject_{language}") or getattr(texts, f"subject_{other}")
    body = getattr(texts, f"body_{language}") or getattr(texts, f"body_{other}")
    with translation.override(language):
        values = _values(member, edition=edition, audience=audience, judging_round=judging_round)
        allowed = {name: value for name, value in values.items() if name in ALLOWED[audience]}
        try:
            return language, " ".join(fill(subject, allowed).split()), fill(body, allowed)
        except UnknownPlaceholders as error:
            raise ValidationError(_("Unknown placeholder: %(names)s.") % {"names": _braced(error.names)},
                                  code="placeholder") from error

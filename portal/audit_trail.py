"""The audit trail as the observer reads it: a human label per action, kinds to filter by, a summary of a change.

The services record actions as dotted names ("review.submit", "round.open"); this module says them in
words, in the reader's language. An action nobody named yet is shown as recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from .formatting import local_time
from .models import AuditEntry, Edition, EditionRole

# Kinds the trail can be filtered by: each is one or more action prefixes (the part before the first dot).
KINDS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "application": (_("Applications"), ("application", "attachment")),
    "assignment": (_("Assignments"), ("assignment", "bid")),
    "review": (_("Reviews and scores"), ("review", "score", "calibration")),
    "round": (_("Rounds and results"), ("round", "aggregation", "shortlist")),
    "award": (_("Prizes and decisions"), ("award", "prize", "decision", "deliberation", "minutes", "ballot",
                                          "vote", "tier")),
    "role": (_("Roles and judges"), ("role", "role_invitation", "account", "judge", "conflict", "membership",
                                     "organisation")),
    "edition": (_("Edition and its settings"), ("edition", "category", "form_section", "question", "rubric", "criterion",
                                                "stage_weight")),
    "mail": (_("E-mails to groups and the outbox"), ("group_mail", "outbox")),
}

ACTION_LABELS: dict[str, Any] = {
    "application.create": _("Application started"),
    "application.submitted": _("Application submitted"),
    "application.eligible": _("Application found eligible"),
    "application.ineligible": _("Application found ineligible"),
    "application.withdrawn": _("Application withdrawn"),
    "application.draft": _("Application reopened as a draft"),
    "attachment.add": _("Attachment added"),
    "attachment.remove": _("Attachment removed"),
    "assignment.add": _("Assignment added by hand"),
    "assignment.move": _("Assignment moved to another judge"),
    "assignment.replace": _("Judge replaced after a conflict"),
    "assignment.replacement_unavailable": _("No judge available to replace"),
    "assignment.release": _("Assignment released"),
    "assignment.in_progress": _("Review started"),
    "assignment.submitted": _("Review handed in"),
    "assignment.conflict_declared": _("Conflict of interest declared"),
    "bid.set": _("Judge's bid set"),
    "bid.withdraw": _("Judge's bid withdrawn"),
    "review.draft": _("Review draft saved"),
    "review.submit": _("Review submitted"),
    "review.update": _("Submitted review changed"),
    "calibration.mark": _("Entry marked for calibration"),
    "calibration.unmark": _("Calibration mark removed"),
    "round.create": _("Round created"),
    "round.update": _("Round settings changed"),
    "round.scoring_settings": _("Scoring settings changed"),
    "round.assign_requested": _("Assigner started"),
    "round.assign": _("Assignment computed"),
    "round.assigning": _("Round being assigned"),
    "round.open": _("Round opened"),
    "round.closed": _("Round closed"),
    "round.scored": _("Round results final"),
    "aggregation.request": _("Results recomputed"),
    "shortlist.add": _("Entry shortlisted"),
    "shortlist.remove": _("Entry taken off the shortlist"),
    "shortlist.top": _("Shortlist filled from the top of the ranking"),
    "award.decide": _("Prize decided"),
    "award.job_started": _("Ceremony job started"),
    "award.job_retried": _("Ceremony job retried"),
    "prize.award": _("Prize decided"),
    "ballot.submit": _("Ballot cast"),
    "role.grant": _("Role given"),
    "role.revoke": _("Role revoked"),
    "role_invitation.create": _("Invited to a role"),
    "role_invitation.resend": _("Invitation sent again"),
    "role_invitation.revoke": _("Invitation withdrawn"),
    "role_invitation.accept": _("Invitation accepted"),
    "account.create": _("Account created from an invitation"),
    "judge.create": _("Judge added"),
    "judge.update": _("Judge's profile changed"),
    "conflict.record": _("Conflict recorded"),
    "conflict.remove": _("Conflict removed"),
    "membership.add": _("Member added to an organisation"),
    "organisation.create": _("Organisation created"),
    "organisation.invite": _("Colleague invited"),
    "edition.update": _("Edition settings changed"),
    "edition.open": _("Call opened"),
    "edition.closed": _("Call closed"),
    "edition.screening": _("Screening started"),
    "edition.judging": _("Judging started"),
    "edition.deliberation": _("Deliberation started"),
    "edition.finalised": _("Decisions finalised by the chair"),
    "edition.published": _("Results published"),
    "category.create": _("Category added"),
    "category.update": _("Category changed"),
    "category.delete": _("Category deleted"),
    "form_section.create": _("Form section added"),
    "form_section.update": _("Form section changed"),
    "form_section.delete": _("Form section deleted"),
    "question.create": _("Form question added"),
    "question.update": _("Form question changed"),
    "question.version": _("Form question changed (new version)"),
    "question.move": _("Form question moved"),
    "question.delete": _("Form question removed"),
    "question.copy": _("Form copied from an earlier edition"),
    "rubric.save": _("Rubric saved"),
    "rubric.delete": _("Rubric deleted"),
    "rubric.freeze": _("Rubric frozen"),
    "criterion.save": _("Criterion saved"),
    "rubric.copy": _("Rubric copied from another rubric"),
    "criterion.delete": _("Criterion deleted"),
    "criterion.move": _("Criterion moved in the rubric's order"),
    "stage_weight.save": _("Stage weights saved"),
    "stage_weight.delete": _("Stage weights deleted"),
    "outbox.retry": _("Task or e-mail sent again from the outbox"),
    "group_mail.sent": _("Mail sent to a group"),
    "group_mail.retried": _("Mail to a group tried again"),
    "group_mail.template_created": _("Mail template created"),
    "group_mail.template_changed": _("Mail template changed"),
    "group_mail.template_deleted": _("Mail template deleted"),
}

# The same in every language, to the second, sortable by eye.
TIME_FORMAT = "Y-m-d H:i:s"
# Values longer than this are cut, with an ellipsis: the trail is read as a list, the admin keeps the whole.
VALUE_CHARS = 60
# At most this many changed fields are listed per entry; the rest are counted.
FIELDS_SHOWN = 6


# Recorded field names said in the reader's language (in English as recorded, without underscores); a field nobody
# named yet is shown that way in every language.
FIELD_LABELS: dict[str, Any] = {
    "active": _("active"),
    "added": _("added"),
    "affiliations": _("affiliations"),
    "affinity": _("affinity"),
    "aggregation_method": _("aggregation method"),
    "allowed_kinds": _("allowed kinds"),
    "applicant_comment": _("applicant comment"),
    "application": _("application"),
    "assignments": _("assignments"),
    "award": _("award"),
    "blind": _("blind"),
    "bound": _("bound"),
    "capacity": _("capacity"),
    "categories": _("categories"),
    "category": _("category"),
    "citation": _("citation"),
    "city": _("city"),
    "closes_at": _("closes at"),
    "comments": _("comments"),
    "committee_comment": _("committee comment"),
    "committee_vote": _("committee vote"),
    "confidence": _("confidence"),
    "conflict_same_country": _("conflict same country"),
    "connected_panels": _("connected panels"),
    "country": _("country"),
    "criterion": _("criterion"),
    "deadline": _("deadline"),
    "departs": _("departs"),
    "description": _("description"),
    "description_en": _("description (English)"),
    "description_ko": _("description (Korean)"),
    "edition": _("edition"),
    "expertise": _("expertise"),
    "explanation_to_applicants": _("explanation to applicants"),
    "file": _("file"),
    "finalised_at": _("finalised at"),
    "finalised_by": _("finalised by"),
    "frozen_at": _("frozen at"),
    "guidance": _("guidance"),
    "guidance_en": _("guidance (English)"),
    "guidance_ko": _("guidance (Korean)"),
    "held_on": _("held on"),
    "judge": _("judge"),
    "judge_email": _("judge email"),
    "judges_per_entry": _("judges per entry"),
    "kept": _("kept"),
    "kind": _("kind"),
    "level": _("level"),
    "levels": _("levels"),
    "max_entries_per_organisation": _("max entries per organisation"),
    "max_recipients": _("max recipients"),
    "name": _("name"),
    "name_en": _("name (English)"),
    "name_ko": _("name (Korean)"),
    "objective": _("objective"),
    "on": _("on"),
    "opens_at": _("opens at"),
    "organisation": _("organisation"),
    "per_category": _("per category"),
    "places": _("places"),
    "population_band": _("population band"),
    "position": _("position"),
    "previous_round": _("previous round"),
    "programme": _("programme"),
    "programme_en": _("programme (English)"),
    "programme_ko": _("programme (Korean)"),
    "proposed_rank": _("proposed rank"),
    "publish_dataset": _("publish dataset"),
    "publish_scores": _("publish scores"),
    "published_at": _("published at"),
    "ranked": _("ranked"),
    "reason": _("reason"),
    "recused": _("recused"),
    "reminder_hours": _("reminder hours"),
    "removed": _("removed"),
    "retention_days": _("retention days"),
    "role": _("role"),
    "round": _("round"),
    "rubric": _("rubric"),
    "run": _("run"),
    "scale_max": _("scale max"),
    "scale_min": _("scale min"),
    "scores": _("scores"),
    "size": _("size"),
    "slug": _("web address"),
    "source": _("source"),
    "stage": _("stage"),
    "state": _("state"),
    "status": _("status"),
    "tie_break": _("tie break"),
    "tie_break_criterion": _("tie break criterion"),
    "tier": _("tier"),
    "ties_beyond": _("ties beyond"),
    "time_zone": _("time zone"),
    "type": _("type"),
    "user": _("user"),
    "website": _("website"),
    "weight": _("weight"),
    "weighted_total": _("weighted total"),
}


def field_label(key: str) -> str:
    return str(FIELD_LABELS[key]) if key in FIELD_LABELS else key.replace("_", " ")


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def kind_prefixes(kind: str) -> tuple[str, ...]:
    return KINDS[kind][1] if kind in KINDS else ()


def _short(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(text.split())
    return text if len(text) <= VALUE_CHARS else f"{text[:VALUE_CHARS - 1]}…"


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str
    created: bool  # nothing before: only the new value is shown


def changes(before: Any, after: Any) -> tuple[list[Change], int]:
    """The fields whose value differs between before and after, shortened; and how many more were left out."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        if before == after or (before is None and after is None):
            return [], 0
        return [Change("", _short(before), _short(after), before is None)], 0
    found = []
    for key in list(before) + [k for k in after if k not in before]:
        if before.get(key) != after.get(key):
            found.append(Change(field_label(key), _short(before.get(key)), _short(after.get(key)),
                                key not in before))
    return found[:FIELDS_SHOWN], max(0, len(found) - FIELDS_SHOWN)


# Recorded values shown by their label in the reader's language (a role is recorded as "judge", read as "Judge").
VALUE_LABELS: dict[str, dict[str, Any]] = {"role": dict(EditionRole.Role.choices)}


def _labelled(values: Any) -> Any:
    if not isinstance(values, dict):
        return values
    return {key: str(VALUE_LABELS[key][value]) if value in VALUE_LABELS.get(key, ()) else value
            for key, value in values.items()}


def _all_changes(before: Any, after: Any) -> tuple[list[Change], int]:
    before, after = _labelled(before), _labelled(after)
    # An entry with only `after` (a creation) or only `before` (a deletion) lists its values.
    if before is None and isinstance(after, dict):
        return changes({}, after)
    if after is None and isinstance(before, dict):
        return [Change(field_label(k), _short(v), "—", False) for k, v in before.items()][:FIELDS_SHOWN], \
            max(0, len(before) - FIELDS_SHOWN)
    return changes(before, after)


@dataclass(frozen=True)
class TrailRow:
    entry: AuditEntry
    when: str
    who_name: str
    who_email: str
    what: str
    changes: list[Change]
    more: int


def trail_rows(entries, *, edition: Edition) -> list[TrailRow]:
    """One readable row per entry: local time in the edition's zone, who, what, and the changed fields."""
    rows = []
    for entry in entries:
        actor = entry.actor
        found, more = _all_changes(entry.before, entry.after)
        rows.append(TrailRow(
            entry=entry, when=local_time(entry.created_at, edition=edition, fmt=TIME_FORMAT),
            who_name=(actor.name if actor else "") or "", who_email=actor.email if actor else "",
            what=action_label(entry.action), changes=found, more=more,
        ))
    return rows

"""Answers to an edition's questions as values: which question shows (its condition), how a value is stored as
JSON and read back for display, and the answer items a snapshot freezes. No database access here: callers pass
the questions and answers their selectors read.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries

from .models import Question

Kind = Question.Kind


def is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value is False


def answer_values(answers, questions: list[Question]) -> dict:
    """{key: value} of an application's answers to the current `questions`.

    An answer to the current version wins; an answer to an older version of the same key is carried (the form
    shows it, and the next save or the submission writes it against the current version).
    """
    current = {question.pk for question in questions}
    keys = {question.key for question in questions}
    values: dict = {}
    ranked = sorted(answers, key=lambda answer: (answer.question_id in current, answer.question.version))
    for answer in ranked:
        if answer.question.key in keys:
            values[answer.question.key] = answer.value
    return values


def condition_met(question: Question, values: dict) -> bool:
    """Whether `question`'s own condition holds for `values` (not whether the question it depends on shows)."""
    value = values.get(question.condition_key)
    if is_empty(value):
        return False
    expected = question.condition_value.strip().casefold()
    if isinstance(value, list):
        items = [str(item).strip().casefold() for item in value]
        if question.condition_operator == Question.Operator.CONTAINS:
            return expected in items
        return items == [expected]
    text = "yes" if value is True else str(value).strip().casefold()
    if question.condition_operator == Question.Operator.CONTAINS:
        return expected in text
    return text == expected or (value is True and expected in ("true", "1", "yes", "예"))


def visible_questions(questions: list[Question], values: dict) -> list[Question]:
    """The questions shown for `values`: without a condition, or whose condition holds and whose question shows."""
    by_key = {question.key: question for question in questions}
    shown: dict[str, bool] = {}

    def shows(question: Question, depth: int = 0) -> bool:
        if question.key in shown:
            return shown[question.key]
        result = True
        if question.has_condition:
            parent = by_key.get(question.condition_key)
            result = (parent is not None and depth < len(questions) and shows(parent, depth + 1)
                      and condition_met(question, values))
        shown[question.key] = result
        return result

    return [question for question in questions if shows(question)]


def to_json(question: Question, value):
    """A cleaned form value as stored: Decimal and dates as text, empty as None."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        value = value.replace("\r\n", "\n")
    if question.kind == Kind.CONSENT:
        return True if value else None
    return None if is_empty(value) else value


def snapshot_item(question: Question, value) -> dict:
    """One answer as a snapshot freezes it: the wording in both languages, so it reads the same for good."""
    item = {
        "key": question.key, "question": question.pk, "version": question.version, "kind": question.kind,
        "label_en": question.label_en or question.label, "label_ko": question.label_ko or "",
        "identifies_applicant": question.identifies_applicant, "value": value,
    }
    if question.kind in Question.CHOICE_KINDS:
        item["choices_en"] = question.choice_list("en")
        item["choices_ko"] = question.choice_list("ko")
    if question.kind == Kind.MONEY:
        item["currency"] = question.currency
    if question.kind == Kind.HEADING:
        item.pop("value")
    return item


def snapshot_items(data: dict, *, questions: list[Question]) -> list[dict]:
    """The answer items of a snapshot's `data`. A snapshot from before the form builder holds the eight sections
    as top-level texts: they are read against the edition's questions of the same keys."""
    if "answers" in data:
        return data["answers"]
    return [snapshot_item(question, data.get(question.key) or None) for question in questions
            if question.kind in (Kind.LONG_TEXT, Kind.SHORT_TEXT, Kind.HEADING)]


def item_label(item: dict) -> str:
    korean = (get_language() or "en").startswith("ko")
    return (item.get("label_ko") if korean else item.get("label_en")) or item.get("label_en") or item.get("key", "")


def display_value(item: dict) -> str:
    """An answer's value as text in the reader's language ("" when unanswered)."""
    value = item.get("value")
    if is_empty(value):
        return ""
    kind = item.get("kind")
    if kind in Question.CHOICE_KINDS:
        stored, shown = item.get("choices_en") or [], item.get("choices_ko") or []
        korean = (get_language() or "en").startswith("ko")

        def label(choice: str) -> str:
            if korean and choice in stored and stored.index(choice) < len(shown):
                return shown[stored.index(choice)]
            return choice
        return ", ".join(label(str(choice)) for choice in (value if isinstance(value, list) else [value]))
    if kind == Kind.COUNTRY:
        return str(countries.name(value) or value)
    if kind == Kind.CONSENT:
        return _("Yes")
    if kind == Kind.DATE:
        try:
            return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
        except (TypeError, ValueError):
            return str(value)
    if kind in Question.NUMBER_KINDS:
        try:
            number = formats.number_format(Decimal(str(value)), use_l10n=True, force_grouping=True)
        except (InvalidOperation, ValueError):
            number = str(value)
        return f"{item.get('currency', '')} {number}".strip() if kind == Kind.MONEY else number
    if kind == Kind.FILE:
        return str(value.get("name", "")) if isinstance(value, dict) else str(value)
    return str(value)


def search_text(items: list[dict]) -> str:
    """The answers as one text to search in (values only, as stored)."""
    parts = []
    for item in items:
        value = item.get("value")
        if is_empty(value):
            continue
        if isinstance(value, list):
            parts.extend(str(part) for part in value)
        elif isinstance(value, dict):
            parts.append(str(value.get("name", "")))
        else:
            parts.append(str(value))
    return "\n".join(parts)

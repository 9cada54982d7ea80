"""An edition's application form (the secretariat's builder) and the answers to it (an applicant's draft).

A question with answers is frozen: `question_save` on it retires it and creates the next version, so the
answers keep pointing at the wording they were given to. Moving a question changes only its place, on every
version. Removing an answered question retires it; an unanswered one is deleted.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.bilingual import with_languages
from portal.models import Edition, User
from portal.services.audit import audit_log, snapshot
from submissions.answers import is_empty, search_text, to_json, visible_questions
from submissions.models import Answer, Application, Category, Question
from submissions.selectors import application_questions, default_questions

# What the builder edits; the rest (version, retirement) is the service's.
QUESTION_FIELDS = (
    "category", "key", "kind", *with_languages("label", "help_text", "choices"), "required", "max_chars",
    "min_value", "max_value", "currency", "file_types", "max_file_mb", "identifies_applicant",
    "condition_key", "condition_operator", "condition_value",
)


def _forget_cache(edition: Edition) -> None:
    edition.__dict__.pop("current_questions", None)


def _current(edition: Edition):
    return Question.objects.filter(edition=edition, retired_at__isnull=True)


@transaction.atomic
def form_questions_ensure(*, edition: Edition) -> list[Question]:
    """Save the default form for an edition that has no questions yet (its first write needs real rows)."""
    Edition.objects.select_for_update().filter(pk=edition.pk).first()  # two first saves at once write one form
    if not Question.objects.filter(edition=edition).exists():
        for question in default_questions(edition=edition):
            question.label = question.label_en
            question.save()
    _forget_cache(edition)
    return list(_current(edition).order_by("position", "id"))


@transaction.atomic
def form_copy(*, source: Edition, target: Edition, categories: dict, user: User) -> list[Question]:
    """The current questions of `source` as the first versions of `target`'s form (which has none yet), on the
    copied categories (`categories`: source category id to its copy). One audit entry."""
    copies = []
    for question in Question.objects.filter(edition=source, retired_at__isnull=True).order_by("position", "id"):
        copy = Question(edition=target, version=1, position=question.position,
                        category=categories.get(question.category_id) if question.category_id else None)
        for field in QUESTION_FIELDS:
            if field != "category":
                setattr(copy, field, getattr(question, field))
        copy.file_types = list(question.file_types or [])
        copy.full_clean(exclude=["edition", "category"])
        copy.save()
        copies.append(copy)
    if copies:
        audit_log(actor=user, action="question.copy", target=target, edition=target,
                  after={"from": source.pk, "questions": [copy.key for copy in copies]})
    return copies


def _lock_question(edition: Edition, question: Question) -> Question:
    found = Question.objects.select_for_update().filter(pk=question.pk, edition=edition).first()
    if found is None:
        raise ValidationError(_("This question belongs to another edition."), code="other_edition")
    if found.retired_at is not None:
        raise ValidationError(_("This question was changed or removed meanwhile; reload the page."), code="retired")
    return found


def _check(question: Question, *, edition: Edition, replacing: Question | None = None) -> None:
    if question.category_id and not Category.objects.filter(pk=question.category_id, edition=edition).exists():
        raise ValidationError({"category": _("Choose a category of this edition.")})
    others = _current(edition).exclude(pk__in=[pk for pk in (question.pk, replacing and replacing.pk) if pk])
    if others.filter(key=question.key).exists():
        raise ValidationError({"key": _("Another question of this form already uses the key “%(key)s”.")
                                      % {"key": question.key}})
    if question.condition_key:
        parent = others.filter(key=question.condition_key).first()
        if parent is None:
            raise ValidationError({"condition_key": _("Choose a question of this form.")})
        if parent.position >= question.position and question.position is not None:
            raise ValidationError({"condition_key": _("A question can depend only on a question before it.")})
    question.full_clean(exclude=["edition", "category"])


@transaction.atomic
def question_save(*, edition: Edition, user: User, data: dict, question: Question | None = None) -> Question:
    """Add a question at the end (question=None) or change one. A change to an answered question makes a new
    version and retires the old one; its position and key stay."""
    if question is None or question.pk is None:
        form_questions_ensure(edition=edition)
        last = _current(edition).order_by("-position").values_list("position", flat=True).first()
        question = Question(edition=edition, position=(last + 1) if last is not None else 0)
        before = None
    else:
        question = _lock_question(edition, question)
        before = snapshot(question)
    previous = question if question.pk and question.answers.exists() else None
    if previous is not None:
        question = Question.objects.get(pk=previous.pk)
        question.pk = question.id = None
        question._state.adding = True
        question.version = previous.version + 1
    for field in QUESTION_FIELDS:
        if field in data:
            setattr(question, field, data[field])
    if previous is not None:
        question.key = previous.key  # a version keeps its question's key, whatever was posted
    if question.kind not in Question.CHOICE_KINDS:
        for name in with_languages("choices"):
            setattr(question, name, "")
    _check(question, edition=edition, replacing=previous)
    if before is not None and previous is None and snapshot(question) == before:
        return question
    if previous is not None:
        if {field: getattr(question, field) for field in QUESTION_FIELDS} == {
                field: getattr(previous, field) for field in QUESTION_FIELDS}:
            return previous
        previous.retired_at = timezone.now()
        previous.save(update_fields=["retired_at"])
    try:
        with transaction.atomic():
            question.save()
    except IntegrityError as error:
        raise ValidationError({"key": _("Another question of this form already uses the key “%(key)s”.")
                                      % {"key": question.key}}) from error
    action = "question.version" if previous else ("question.update" if before else "question.create")
    audit_log(actor=user, action=action, target=question, edition=edition, before=before, after=snapshot(question))
    _forget_cache(edition)
    return question


@transaction.atomic
def question_move(*, edition: Edition, user: User, question: Question, offset: int) -> None:
    """Move a question up (offset -1) or down (+1) the form; a question may not move above the one it depends on."""
    question = _lock_question(edition, question)
    ordered = list(_current(edition).select_for_update().order_by("position", "id"))
    index = next(i for i, item in enumerate(ordered) if item.pk == question.pk)
    target = index + offset
    if not 0 <= target < len(ordered):
        return
    ordered[index], ordered[target] = ordered[target], ordered[index]
    seen = set()
    for item in ordered:
        if item.condition_key and item.condition_key not in seen:
            raise ValidationError(_("“%(label)s” depends on an earlier question and cannot come before it.")
                                  % {"label": item.label}, code="order")
        seen.add(item.key)
    for position, item in enumerate(ordered):
        if item.position != position:
            # Every version of the key moves: an old version is read in the form's current order too.
            Question.objects.filter(edition=edition, key=item.key).update(position=position)
    audit_log(actor=user, action="question.move", target=question, edition=edition,
              before={"position": index}, after={"position": target})
    _forget_cache(edition)


@transaction.atomic
def question_delete(*, edition: Edition, user: User, question: Question) -> None:
    """Remove a question from the form: retired if answered (the answers stay with it), else deleted."""
    question = _lock_question(edition, question)
    dependants = _current(edition).filter(condition_key=question.key).exclude(pk=question.pk)
    if dependants.exists():
        raise ValidationError(_("“%(label)s” is the condition of “%(other)s”: change that question first.")
                              % {"label": question.label, "other": dependants.first().label}, code="in_use")
    audit_log(actor=user, action="question.delete", target=question, edition=edition, before=snapshot(question))
    if question.answers.exists() or Question.objects.filter(edition=edition, key=question.key).count() > 1:
        question.retired_at = timezone.now()
        question.save(update_fields=["retired_at"])
    else:
        question.delete()
    _forget_cache(edition)


# --- answers -------------------------------------------------------------------------------------------

def answers_write(*, application: Application, values: dict, stored: dict) -> bool:
    """Write the answers `values` ({key: cleaned value}) that differ from `stored` (the current ones), and drop
    the answers of questions that no longer show. The caller holds the application's lock. Returns whether
    anything changed."""
    questions = [question for question in application_questions(application=application) if question.answerable]
    if questions and questions[0].pk is None:
        form_questions_ensure(edition=application.edition)
        questions = [question for question in application_questions(application=application) if question.answerable]
    by_key = {question.key: question for question in questions}
    merged = dict(stored)
    for key, value in values.items():
        if key in by_key:
            merged[key] = to_json(by_key[key], value)
    shown = {question.key for question in visible_questions(questions, merged)}
    current = {answer.question_id: answer for answer in Answer.objects.filter(
        application=application, question__in=[question.pk for question in questions])}
    # One statement per kind of write (insert, update, delete) however many answers change: an autosave of a long
    # form costs the same few queries as one of a short form.
    created, updated, dropped = [], [], []
    carried_dropped = False
    now = timezone.now()
    for question in questions:
        value = merged.get(question.key) if question.key in shown else None
        answer = current.get(question.pk)
        if is_empty(value):
            if answer is not None:
                dropped.append(answer.pk)
            elif question.key in stored and not is_empty(stored[question.key]):
                carried_dropped = True  # a carried answer of an older version is no longer given
            continue
        if answer is None:
            created.append(Answer(application=application, question=question, value=value,
                                  text=search_text([{"value": value}])))
        elif answer.value != value:
            answer.value, answer.text, answer.updated_at = value, search_text([{"value": value}]), now
            updated.append(answer)
    if dropped:
        Answer.objects.filter(pk__in=dropped).delete()
    if created:
        Answer.objects.bulk_create(created)
    if updated:
        Answer.objects.bulk_update(updated, ["value", "text", "updated_at"])
    return bool(created or updated or dropped or carried_dropped)


def answers_differ(*, application: Application, values: dict, stored: dict) -> bool:
    """Whether `values` would change the stored answers (without writing)."""
    questions = {question.key: question for question in application_questions(application=application)}
    return any(key in questions and to_json(questions[key], value) != stored.get(key)
               for key, value in values.items())

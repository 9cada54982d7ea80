"""The secretariat's form builder: an edition's questions, added, changed (a new version once answered), moved
with buttons, removed. Every write goes through submissions.services.questions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import edition_permission_required
from portal.models import Edition
from portal.service_errors import add_service_errors

from .. import selectors
from ..forms.builder import QuestionForm
from ..models import Question
from ..services import questions as question_services

PERMISSION = "submissions.configure_edition"


def _questions(edition: Edition) -> list[Question]:
    """The current questions with their category and how many answers each version holds: one query."""
    return list(
        Question.objects.filter(edition=edition, retired_at__isnull=True)
        .select_related("category")
        .annotate(answer_count=Count("answers"))
        .order_by("position", "id")
    )


def _question(edition: Edition, pk: int) -> Question:
    question = Question.objects.filter(edition=edition, pk=pk, retired_at__isnull=True).first()
    if question is None:
        raise Http404(_("No such question in this edition's form."))
    return question


@edition_permission_required(PERMISSION)
def form_builder(request, edition):
    questions = _questions(edition)
    by_key = {question.key: question for question in questions}
    for question in questions:
        question.condition_on = by_key.get(question.condition_key)
    return render(request, "submissions/secretariat/form_builder.html", {
        "edition": edition, "questions": questions, "is_default": not questions,
    })


@edition_permission_required(PERMISSION)
@require_POST
def form_builder_start(request, edition):
    """Save the default form so that it can be changed question by question."""
    question_services.form_questions_ensure(edition=edition)
    return redirect("submissions:form_builder", slug=edition.slug)


def _edit(request, edition: Edition, question: Question | None):
    current = selectors.form_questions(edition=edition) if question is None else _questions(edition)
    earlier = [item for item in current if question is None or item.position < question.position]
    form = QuestionForm(request.POST or None, instance=question, edition=edition, earlier=earlier)
    if request.method == "POST" and form.is_valid():
        try:
            saved = question_services.question_save(edition=edition, user=request.user, data=form.service_data(),
                                                    question=question)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if question is not None and saved.pk != question.pk:
                messages.success(request, _("“%(label)s” already had answers, so the change is its version %(version)s; "
                                            "the earlier answers keep the earlier wording.")
                                 % {"label": saved.label, "version": saved.version})
            else:
                messages.success(request, _("“%(label)s” saved.") % {"label": saved.label})
            return redirect(f"{_builder_url(edition)}#question-{saved.pk}")
    answered = question is not None and question.answers.exists()
    return render(request, "submissions/secretariat/question_edit.html", {
        "edition": edition, "form": form, "question": question, "answered": answered,
        "next_version": question.version + 1 if question else None,
    })


def _builder_url(edition: Edition) -> str:
    return reverse("submissions:form_builder", kwargs={"slug": edition.slug})


@edition_permission_required(PERMISSION)
def question_add(request, edition):
    return _edit(request, edition, None)


@edition_permission_required(PERMISSION)
def question_edit(request, edition, pk: int):
    return _edit(request, edition, _question(edition, pk))


@edition_permission_required(PERMISSION)
@require_POST
def question_move(request, edition, pk: int):
    question = _question(edition, pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        question_services.question_move(edition=edition, user=request.user, question=question, offset=offset)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{_builder_url(edition)}#question-{question.pk}")


@edition_permission_required(PERMISSION)
@require_POST
def question_remove(request, edition, pk: int):
    question = _question(edition, pk)
    try:
        question_services.question_delete(edition=edition, user=request.user, question=question)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(label)s” removed from the form.") % {"label": question.label})
    return redirect(_builder_url(edition))

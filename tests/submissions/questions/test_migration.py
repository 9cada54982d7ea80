"""Migration 0010: the eight fixed sections become each edition's questions, and applications keep their texts."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import ApplicationFactory, CategoryFactory

BEFORE = [("submissions", "0010_form_questions")]
AFTER = [("submissions", "0011_default_form_questions")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_editions_get_their_sections_as_questions_and_applications_keep_their_answers():
    configured = ApplicationFactory(title="Configured edition's entry")
    default = ApplicationFactory(title="Default edition's entry")
    CategoryFactory()  # an edition without applications gets the default form too
    try:
        old = _migrate(BEFORE)
        Application = old.get_model("submissions", "Application")
        Application.objects.filter(pk=configured.pk).update(summary="Our summary", partners="")
        Application.objects.filter(pk=default.pk).update(summary="Default summary", problem="Flooding",
                                                         partners="  ")
        old.get_model("submissions", "FormSection").objects.create(
            edition_id=configured.edition_id, field="summary", title="In short", title_en="In short",
            title_ko="요약하면", guidance_en="Two sentences.", max_chars=500, required=True, position=0)
        old.get_model("submissions", "FormSection").objects.create(
            edition_id=configured.edition_id, field="partners", max_chars=900, required=False, position=1)

        new = _migrate(AFTER)
        Question = new.get_model("submissions", "Question")
        Answer = new.get_model("submissions", "Answer")
        configured_form = list(Question.objects.filter(edition_id=configured.edition_id).order_by("position")
                               .values_list("key", "label_en", "label_ko", "help_text_en", "max_chars", "required"))
        assert configured_form == [("summary", "In short", "요약하면", "Two sentences.", 500, True),
                                   ("partners", "Partners", "협력 기관", "", 900, False)]
        default_form = list(Question.objects.filter(edition_id=default.edition_id).order_by("position")
                            .values_list("key", "label_ko", "max_chars", "required"))
        assert default_form[0] == ("summary", "요약", 600, True) and len(default_form) == 8
        assert default_form[-1] == ("partners", "협력 기관", 1500, False)
        assert Question.objects.values("edition_id").distinct().count() == 3
        answers = dict(Answer.objects.filter(application_id=default.pk).values_list("question__key", "value"))
        # Every non-empty text of the application, and nothing for the empty (or blank) ones.
        assert answers["summary"] == "Default summary" and answers["problem"] == "Flooding"
        assert "partners" not in answers
        assert list(Answer.objects.filter(application_id=configured.pk).values_list("question__key", "text")) == [
            ("summary", "Our summary")]

        # Back again: the questions go, the texts are still in the application's columns.
        old = _migrate(BEFORE)
        assert not old.get_model("submissions", "Question").objects.exists()
        assert old.get_model("submissions", "Application").objects.get(pk=default.pk).problem == "Flooding"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

"""The eight fixed sections become each edition's questions, and every application keeps its answers to them.

For each edition: its configured sections (title, guidance, limit, required, order, both languages), or the
default eight when it configured none, become long-text questions keyed by the section's field name; each
application's non-empty text in those fields becomes an answer. Submitted snapshots are left as they are
(immutable): they hold the same keys, which is how they are read. The application's text columns are kept.
"""

from django.db import migrations
from django.utils import translation

ANSWER_BATCH = 500


def create_default_questions(apps, schema_editor):
    from submissions.form_template import DEFAULT_QUESTIONS

    Edition = apps.get_model("portal", "Edition")
    FormSection = apps.get_model("submissions", "FormSection")
    Question = apps.get_model("submissions", "Question")
    Answer = apps.get_model("submissions", "Answer")
    Application = apps.get_model("submissions", "Application")
    defaults = {key: (label, limit, required) for key, label, limit, required in DEFAULT_QUESTIONS}

    def default_label(key, language):
        with translation.override(language):
            return str(defaults[key][0])

    for edition in Edition.objects.order_by("pk"):
        if Question.objects.filter(edition=edition).exists():
            continue  # already has a form (run twice, or built by hand): leave it
        sections = list(FormSection.objects.filter(edition=edition).order_by("position", "id"))
        questions = []
        if sections:
            for position, section in enumerate(sections):
                label_en = section.title_en or section.title or default_label(section.field, "en")
                label_ko = section.title_ko or default_label(section.field, "ko")
                questions.append(Question(
                    edition=edition, key=section.field, kind="long_text", position=position,
                    label=label_en, label_en=label_en, label_ko=label_ko,
                    help_text=section.guidance_en or section.guidance or "",
                    help_text_en=section.guidance_en or section.guidance or "", help_text_ko=section.guidance_ko or "",
                    max_chars=section.max_chars, required=section.required,
                ))
        else:
            for position, (key, _label, limit, required) in enumerate(DEFAULT_QUESTIONS):
                questions.append(Question(
                    edition=edition, key=key, kind="long_text", position=position, max_chars=limit, required=required,
                    label=default_label(key, "en"), label_en=default_label(key, "en"),
                    label_ko=default_label(key, "ko"),
                ))
        for question in questions:
            question.save()
        answers = []
        for application in Application.objects.filter(edition=edition).order_by("pk").iterator():
            for question in questions:
                text = getattr(application, question.key, "") or ""
                if text.strip():
                    answers.append(Answer(application=application, question=question, value=text, text=text))
            if len(answers) >= ANSWER_BATCH:
                Answer.objects.bulk_create(answers)
                answers = []
        Answer.objects.bulk_create(answers)


def remove_questions(apps, schema_editor):
    # Back to the fixed sections: the application's columns still hold the texts the migration copied.
    apps.get_model("submissions", "Answer").objects.all().delete()
    apps.get_model("submissions", "Question").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("submissions", "0010_form_questions"),
    ]

    operations = [
        migrations.RunPython(create_default_questions, remove_questions),
    ]

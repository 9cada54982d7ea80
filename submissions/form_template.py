"""The default application form: the eight long-text sections every edition asked before the form builder.

Plain data (no model import), so the data migration that turned the fixed sections into questions uses it too.
An edition without questions of its own reads these (unsaved); its first write saves them
(`submissions.services.questions.form_questions_ensure`).
"""

from django.utils.translation import gettext_lazy as _

# (key, label as a translatable text (its Korean is in the catalogue), character limit, required to submit)
DEFAULT_QUESTIONS = (
    ("summary", _("Summary"), 600, True),
    ("problem", _("Problem"), 3000, True),
    ("solution", _("Solution"), 4000, True),
    ("impact_evidence", _("Evidence of impact"), 3000, True),
    ("inclusiveness", _("Inclusiveness"), 2000, True),
    ("scalability", _("Scalability"), 2000, True),
    ("resources", _("Budget and resources"), 2000, True),
    ("partners", _("Partners"), 1500, False),
)
DEFAULT_KEYS = tuple(key for key, *_rest in DEFAULT_QUESTIONS)

"""`manage.py check_load` after `make loadtest`: a draft must hold its applicant's last saved title, or the title of
a save that the end of the run interrupted (sent, its answer never read)."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.factories import ApplicationFactory


def _check(tmp_path, **summary) -> None:
    path = tmp_path / "summary.json"
    path.write_text(json.dumps({"timings": [], "flow_errors": [], **summary}))
    call_command("check_load", str(path), stdout=io.StringIO())


@pytest.mark.django_db
def test_a_draft_may_hold_the_title_whose_save_the_end_of_the_run_interrupted(tmp_path):
    saved, interrupted = ApplicationFactory(title="Saved last"), ApplicationFactory(title="Being saved")
    _check(tmp_path, last_titles={str(saved.pk): "Saved last", str(interrupted.pk): "Saved before"},
           saving_titles={str(interrupted.pk): "Being saved"})
    _check(tmp_path, last_titles={str(interrupted.pk): "Being saved"}, saving_titles={str(interrupted.pk): "Other"})


@pytest.mark.django_db
def test_a_draft_holding_neither_title_is_a_lost_write(tmp_path):
    application = ApplicationFactory(title="Something else")
    with pytest.raises(CommandError, match=f"draft {application.pk}: 'Something else', last saved 'Saved last'"):
        _check(tmp_path, last_titles={str(application.pk): "Saved last"},
               saving_titles={str(application.pk): "Being saved"})
    with pytest.raises(CommandError, match=f"draft {application.pk}"):
        _check(tmp_path, last_titles={str(application.pk): "Saved last"})

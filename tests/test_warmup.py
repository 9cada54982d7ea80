"""The start-up warm-up (config/warmup.py, called from wsgi.py) loads what it names without an error: a name that
no longer resolves would only be logged, and the first requests would quietly pay for it again."""

import logging

from config.warmup import TEMPLATES, warm_up


def test_the_warm_up_loads_every_template_it_names_without_logging_an_error(caplog):
    with caplog.at_level(logging.ERROR, logger="config.warmup"):
        warm_up()
    assert not caplog.records, [record.getMessage() for record in caplog.records]
    assert "base.html" in TEMPLATES

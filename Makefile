# The two commands a new user runs: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3.12
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test loadtest worker beat setup messages makemessages migrate clean bench

## run: set up, migrate SQLite, load the demo edition and serve http://127.0.0.1:8000 (tasks in-process)
run: setup
	@scripts/ensure-system-packages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --through published
	@echo "Serving http://$(HOST):$(PORT)/ (the demo users above log in with the password shown). Ctrl-C stops."
	$(PY) manage.py runserver $(HOST):$(PORT)

## test: set up and run every test; says loudly what it skipped
test: setup
	@scripts/ensure-system-packages
	$(PY) -m pytest $(PYTEST_ARGS)

## loadtest: 50 people at once against gunicorn and PostgreSQL (locust on loopback, 60 s); prints the figures
loadtest: setup
	$(PY) scripts/loadtest

## worker: a Celery worker (needs REDIS_URL; DATABASE_URL for PostgreSQL)
worker: setup
	$(PY) -m celery -A config worker --loglevel=INFO

## beat: the Celery beat scheduler (reminders, heartbeats)
beat: setup
	$(PY) -m celery -A config beat --loglevel=INFO

setup: $(STAMP) messages

$(STAMP): requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	@mkdir -p var
	@touch $(STAMP)

## messages: compile the committed translations (pure Python: no gettext needed)
messages: $(MO_FILES)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(STAMP)
	$(VENV)/bin/pybabel compile --use-fuzzy -D django -d locale -l $* >/dev/null

## makemessages: refresh the message files after changing strings (needs gettext)
makemessages: $(STAMP)
	$(PY) manage.py makemessages -l ko -l en --ignore=.venv --ignore=var --ignore=tests

clean:
	rm -rf $(VENV) var

# Secretariat — run · test · bench · lint · messages
# `make run` and `make test` set everything up themselves (make setup is idempotent).

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: setup run test test-sqlite test-postgres lint messages bench clean

setup:
	@bin/setup

run: setup
	@bin/run $(PORT)

test: setup
	@bin/test

test-sqlite: setup
	$(VENV)/bin/pytest -q

test-postgres: setup
	DATABASE_URL=$(POSTGRES_URL) $(VENV)/bin/pytest -q

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check secretariat/core/rules.py secretariat/env.py

messages: setup
	$(PY) manage.py makemessages -l fr --no-obsolete --ignore '.venv/*' --ignore 'node_modules/*'
	$(PY) manage.py compilemessages -l fr --ignore '.venv/*'

bench: setup
	$(PY) bench/run.py
	$(PY) bench/agenda.py --practitioners 20 --appointments 100000 --patients 5000 --repeat 20
	$(PY) bench/reminders.py --appointments 2000
	$(PY) bench/reception.py --practitioners 30 --waiting 200 --repeat 50

clean:
	rm -rf $(VENV) node_modules secretariat/static/vendor var/static

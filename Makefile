# The two commands of the README: `make demo` and `make test`. Needs Python 3.11+ only.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# Python keeps its bytecode cache: the install compiles nothing up front (pip --no-compile below),
# and an environment that turned the cache off (PYTHONDONTWRITEBYTECODE=1) would compile every
# module again in each process the tests start (a backup, a restore, a worker: a second each).
export PYTHONDONTWRITEBYTECODE :=

.PHONY: demo test install lint audit lock messages check-python clean-db bench bench-scale

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "genhusning needs Python 3.11 or newer; this is " + sys.version.split()[0])'

$(STAMP): pyproject.toml requirements-dev.lock | check-python
	@echo "Creating the virtual environment in $(VENV) ..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "Installing genhusning and its pinned dependencies (the first time takes a minute or two) ..."
	@# --no-compile: Python compiles a module when it is first imported; compiling every module
	@# of every package up front (mypy's, playwright's...) took a third of the install's time.
	$(BIN)/python -m pip install --quiet --no-compile -c requirements-dev.lock -e '.[dev]'
	touch $(STAMP)
	@echo "Installed."

install: $(STAMP)

# The demo's server runs without DEBUG, so a wrong address shows the Danish 404 page and not
# Django's debug page; --insecure serves the static files without DEBUG, and the session cookie
# is sent over plain http://. tests/test_error_pages.py starts this very command.
DEMO_SERVER = SECURE_COOKIES=0 $(BIN)/python manage.py runserver --insecure $(HOST):$(PORT)

## Start the app with demo data on http://$(HOST):$(PORT) (embedded PostgreSQL unless DATABASE_URL is set).
demo: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 HOST=$(HOST) PORT=$(PORT) $(BIN)/python manage.py load_demo_data
	HOST=$(HOST) PORT=$(PORT) $(DEMO_SERVER)

## Run the whole test suite, in one process per core (pytest-xdist; README: how make test runs).
TEST_PROCESSES ?= auto
test: install
	$(BIN)/python -m pytest --numprocesses $(TEST_PROCESSES) --dist loadgroup --durations 20

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

## Check the pinned dependencies for known vulnerabilities (pip-audit; ruff's S rules are in lint).
audit: install
	$(BIN)/python .ci/audit_dependencies.py

## Time the caseload with 500 and 5,000 cases (prints the numbers).
bench: install
	$(BIN)/python -m pytest bench -q -s -p no:randomly

## The scale bench (bench/README.md): fill gh_scale50k once (a few minutes), then time the pages
## under gunicorn and the jobs. Not part of `make test`. SCALE_ARGS="--load-seconds 10" shortens it.
bench-scale: install
	SECRET_KEY=$${SECRET_KEY:-scale-bench} $(BIN)/python -m bench.scale.generate
	SECRET_KEY=$${SECRET_KEY:-scale-bench} $(BIN)/python -m bench.scale.run $(SCALE_ARGS)

## Rebuild the Danish and English message catalogues (needs GNU gettext).
messages: install
	$(BIN)/python manage.py makemessages --locale da --locale en --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'build/*' --ignore 'tests/*' --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

## Pin the installed versions: requirements.lock for production (Dockerfile), -dev for the rest.
lock: install
	$(BIN)/python -m pip freeze --exclude-editable > requirements-dev.lock
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet -c requirements-dev.lock .
	.lock-venv/bin/python -m pip freeze --exclude genhusning > requirements.lock
	rm -rf .lock-venv build

# The embedded PostgreSQL's data folder (genhusning/settings.py reads the same variable).
EMBEDDED_DATABASE_DIR ?= .pgdata

## Stop the embedded PostgreSQL (a `make demo` still running) and delete its data folder.
## A server that will not stop leaves the folder in place.
clean-db:
	@if [ -f $(EMBEDDED_DATABASE_DIR)/postmaster.pid ]; then \
		$(BIN)/python -m genhusning.embedded_postgres stop $(EMBEDDED_DATABASE_DIR); fi
	rm -rf $(EMBEDDED_DATABASE_DIR)

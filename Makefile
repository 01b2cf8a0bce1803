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

# Debian's Chromium (real-browser tests), nginx (replica test) and postgresql (the poll store's tests
# start their own cluster from /usr/lib/postgresql/<ver>/bin), installed only when missing.
# Never Playwright's own browser download: it cannot work offline; the tests use Debian's chromium.
.PHONY: chromium
chromium:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; fi

run: setup
	$(PY) -m lossviz.ui.launch --server.port $(PORT)

# Lint (incl. the streamlit boundary), unit, claim and AppTest layers in parallel, the doctests of lossviz,
# then the real-browser layer on its own (it starts servers).
test: dev-setup
	$(PY) -m ruff check .
	$(PY) -m pytest tests/unit tests/app tests/claims -n 2 -q
	$(PY) -m pytest --doctest-modules lossviz -q -p no:cacheprovider
	$(PY) -m pytest tests/e2e -q

bench: dev-setup
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache

# Two entry points: `make demo` builds and serves the demo site, `make test` runs the tests.
# Each makes a virtual environment in .venv/ with $(PYTHON) and installs what it needs into it,
# so it works where the system Python is externally managed (Debian's). PYTHON=python3.12 make test
# makes the environment with another interpreter (delete .venv/ first to change it).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --quiet --disable-pip-version-check

.PHONY: venv install install-test install-dev browser demo test lint bench

# Debian's Python leaves venv's pip out unless python3-venv is installed: install it once, as for chromium.
$(PY):
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || { \
	  command -v apt-get >/dev/null 2>&1 || { echo "$(PYTHON) cannot make virtual environments (no ensurepip)" >&2; exit 1; }; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; fi; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

venv: $(PY)

# Each install is redone only when what it reads changed.
$(VENV)/.installed: $(PY) pyproject.toml setup.py
	$(PIP) install -e .
	@touch $@

$(VENV)/.installed-test: $(PY) pyproject.toml setup.py
	$(PIP) install -e '.[test]'
	@touch $@

$(VENV)/.installed-dev: $(PY) pyproject.toml setup.py
	$(PIP) install -e '.[test,dev]'
	@touch $@

# GOV.UK Frontend for the site, and the browser test tools, at the versions in package-lock.json.
node_modules/.package-lock.json: package-lock.json
	npm ci --no-fund --no-audit --loglevel=error

install: $(VENV)/.installed node_modules/.package-lock.json

install-test: $(VENV)/.installed-test node_modules/.package-lock.json

install-dev: $(VENV)/.installed-dev node_modules/.package-lock.json

# Browser tests drive Debian's Chromium; no browser is ever downloaded.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; fi; }

demo: install
	$(PY) -m localgov serve --host 127.0.0.1 --port 8000

test: install-test browser
	$(PY) -m pytest -q

lint: install-dev
	$(PY) -m ruff check --select B,E,F,I,UP,W localgov tests bench
	$(PY) -m mypy --strict localgov tests

bench: install
	$(PY) bench/national.py

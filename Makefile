# Two entry points: `make demo` builds and serves the demo site, `make test` runs the tests.
# Each installs what it needs first.
PYTHON ?= python3

.PHONY: install install-test browser demo test bench

install:
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e .
	npm ci --no-fund --no-audit --loglevel=error

install-test:
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	npm ci --no-fund --no-audit --loglevel=error

# Browser tests drive Debian's Chromium; no browser is ever downloaded.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; fi; }

demo: install
	$(PYTHON) -m localgov serve --host 127.0.0.1 --port 8000

test: install-test browser
	$(PYTHON) -m pytest -q

bench: install
	$(PYTHON) bench/national.py

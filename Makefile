# mediamon: `make run` and `make test` do all the set-up on a fresh machine with Python 3.11.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export UV_CACHE_DIR ?= $(HOME)/.cache/uv

.PHONY: run test test-fast bench bench-10k bench-quality bench-search lock clean-venv

# The stamp is newer than the lock files when nothing changed: set-up is then a no-op.
$(STAMP): requirements.lock requirements-bootstrap.txt pyproject.toml
	@if [ ! -x $(VPY) ] || ! $(VPY) -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null; then \
		echo "creating $(VENV) with $(PYTHON)"; rm -rf $(VENV); $(PYTHON) -m venv $(VENV); fi
	@$(VPY) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "mediamon needs Python 3.11")'
	@$(VPY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-bootstrap.txt
	@$(VENV)/bin/uv pip sync --quiet --compile-bytecode --python $(VPY) --require-hashes requirements.lock
	@$(VENV)/bin/uv pip install --quiet --python $(VPY) --no-deps --no-build-isolation -e .
	@touch $(STAMP)

run: $(STAMP)
	@$(VENV)/bin/mediamon run

# Two pytest workers (pytest-xdist; one file's tests stay on one worker, for its module fixtures):
# most slow tests wait on subprocesses, servers and signals, so two overlap well on 2 cores.
TEST_WORKERS ?= 2

# pytest exits 5 when it collects no tests (e.g. `make test` with a -k that matches nothing): not a failure.
test: $(STAMP)
	@# The report tests render the page in headless Chromium (Debian's package; needs root to install).
	@command -v chromium >/dev/null 2>&1 || { echo "installing chromium for the report tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
		|| echo "could not install chromium (apt-get install -y chromium as root): the report tests will fail"; }
	@$(VPY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile --durations=15; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests (exit 5 treated as success)"; exit 0; fi; exit $$rc

test-fast: $(STAMP)
	@$(VPY) -m pytest -q -m "not slow"

bench: $(STAMP)
	@$(VPY) -m bench.run_all

# Memory as input grows: the pipeline on 1,000 and 10,000 documents (dev pages under distinct URLs).
bench-10k: $(STAMP)
	@$(VPY) -m bench.run_all --docs 10000

# Re-tag rate (watchlist + topics on stored bodies) and `mediamon search` latency on 100,000 articles.
bench-search: $(STAMP)
	@$(VPY) -m bench.bench_search

bench-quality: $(STAMP)
	@$(VPY) -m bench.quality

# Re-resolve the pinned dependencies after editing requirements.in (needs uv).
lock:
	uv pip compile --quiet --python-version 3.11 --generate-hashes requirements.in -o requirements.lock

clean-venv:
	rm -rf $(VENV)

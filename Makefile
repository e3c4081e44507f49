# 乐清市普惠托育服务平台 — the two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON_SYS ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# pytest-xdist workers for the suite, the security matrix and the fuzz run: the two cores of the
# machines CI runs on. Each worker has its own test database and Redis database (tests/settings.py).
TEST_WORKERS ?= 2

.PHONY: run test e2e security fuzz backup-check lint format messages system-deps browser-deps services screenshots bench clean

# Virtualenv with the pinned runtime and dev requirements; redone when they change.
$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON_SYS) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

# Debian packages the project needs, installed only when missing: gettext (translations),
# Pango and CJK fonts (WeasyPrint PDFs with real Chinese glyphs), poppler-utils (pdftotext in tests).
system-deps:
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	test -d /usr/share/fonts/opentype/noto || missing="$$missing fonts-noto-cjk"; \
	ldconfig -p | grep -q libpangoft2 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

messages: $(STAMP) system-deps
	@DJANGO_DEBUG=1 $(PY) manage.py compilemessages -v 0 --ignore=.venv

# PostgreSQL and Redis run on this kind of machine; start them if they have stopped.
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || \
	  (command -v pg_ctlcluster >/dev/null && pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start) || true
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || \
	  (command -v redis-server >/dev/null && redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no) || true

# Debian's Chromium, its Chinese interface (chromium-l10n: a file input says 选择文件) and CJK
# fonts for screenshots and browser tests (no browser download).
browser-deps:
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	test -f /usr/lib/chromium/locales/zh-CN.pak || missing="$$missing chromium-l10n"; \
	test -d /usr/share/fonts/opentype/noto || missing="$$missing fonts-noto-cjk"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# Every page at phone and desktop width (docs/screenshots/pages/, gallery docs/pages.md) and the
# README's screenshots, from a portal started as `make run` starts it (about 5 minutes).
screenshots: $(STAMP) messages browser-deps
	$(PY) scripts/screenshots.py

run: $(STAMP) messages
	$(PY) scripts/run.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# ruff, migrations in step with the models, and the whole suite (the browser journeys included),
# always on PostgreSQL, in $(TEST_WORKERS) processes (a test file stays in one worker).
test: $(STAMP) messages system-deps browser-deps services lint
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -m "not security_slow and not fuzz" -n $(TEST_WORKERS) --dist loadfile

# Only the end-to-end journeys (tests/e2e, docs/journeys.md; also part of `make test`):
# Debian's headless Chromium against a live server on PostgreSQL, with a real Celery worker for
# the evaluation report. They save docs/screenshots/e2e/*.png.
e2e: $(STAMP) messages browser-deps services
	$(VENV)/bin/pytest -m e2e

# The full authorization matrix (every URL x persona x method, ~6 minutes), which CI runs after
# `make test` (.ci/run). See docs/security.md.
security: $(STAMP) messages services
	$(VENV)/bin/pytest tests/security -m security_slow -n $(TEST_WORKERS) --dist load

# The API fuzzed from its OpenAPI schema (schemathesis, bounded and derandomized examples), also
# run by CI after `make test`. See docs/security.md.
fuzz: $(STAMP) messages services
	$(VENV)/bin/pytest tests/fuzz -m fuzz -n $(TEST_WORKERS) --dist load

# Dump the database, restore it into a scratch database and compare (docs/backup.md);
# BACKUP=path keeps the dump.
backup-check: $(STAMP) services
	$(PY) manage.py backup_check $(if $(BACKUP),--output $(BACKUP))

# Benchmarks (bench/run.py; not part of `make test`): its own databases ($BENCH_DB, default
# lequing_tuoyu_bench, plus _pgbench and _migrated), created and dropped by the script; results
# in bench/results/latest.{md,json}. Default scales city,province (5-15 min on 2 cores).
# BENCH_ARGS="--scales city --seconds 10" narrows a run; BENCH_ARGS="--scales city,national
# --indicators-only --results-name national" measures the 40,000-institution sample.
bench: $(STAMP) system-deps services
	@command -v pgbench >/dev/null || \
	  ((apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-contrib)
	$(PY) -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

# Hoso — the two commands: `make run` (the product on the embedded default) and
# `make test` (the whole suite on SQLite and on PostgreSQL, browser tests included).
# Both bootstrap everything they need on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/hoso
PYTEST_WORKERS ?= 2

.PHONY: run test test-sqlite test-postgres lint check system-deps venv messages openapi clean

run: system-deps venv
	$(BIN)/hoso serve --init

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Debian packages the product and tests need (Chromium for the browser tests,
# gettext for the catalogs, poppler for PDF checks, Tesseract with Vietnamese,
# Ghostscript and unpaper for OCR); installed only when missing.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	command -v tesseract >/dev/null || missing="$$missing tesseract-ocr tesseract-ocr-eng"; \
	[ -f /usr/share/tesseract-ocr/5/tessdata/vie.traineddata ] || missing="$$missing tesseract-ocr-vie"; \
	command -v gs >/dev/null || missing="$$missing ghostscript"; \
	command -v unpaper >/dev/null || missing="$$missing unpaper"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

lint: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

check: venv
	$(BIN)/hoso makemigrations --check --dry-run
	$(BIN)/hoso compilemessages --ignore '.venv' -v 0
	$(BIN)/hoso check

test: system-deps venv lint check test-sqlite test-postgres

test-sqlite: venv
	HOSO_DATA_DIR=var/test HOSO_DATABASE_URL= $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -q

test-postgres: venv
	HOSO_DATA_DIR=var/test HOSO_DATABASE_URL=$(PG_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -q

messages: venv
	cd src/hoso && ../../$(BIN)/hoso makemessages -l vi -l en -l bn --no-obsolete
	$(BIN)/hoso compilemessages --ignore '.venv'

openapi: venv
	$(BIN)/hoso openapi > docs/openapi.json

clean:
	rm -rf $(VENV) var/test-*

# Hoso — the two commands: `make run` (the product on the embedded default) and
# `make test` (the whole suite on SQLite and on PostgreSQL, browser tests included).
# Both bootstrap everything they need on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/hoso
PYTEST_WORKERS ?= 2

.PHONY: runtime-deps run test test-sqlite test-postgres lint check system-deps venv messages openapi clean

run: runtime-deps venv
	$(BIN)/hoso serve --init

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Debian packages, installed only when missing: the product needs poppler,
# Tesseract with Vietnamese, Ghostscript and unpaper (OCR); the tests also need
# Chromium (browser tests) and gettext (catalogs).
define apt_install
	@if [ -n "$(strip $(1))" ]; then \
	  echo "Installing Debian packages: $(strip $(1))"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(1); \
	fi
endef

RUNTIME_MISSING = $(strip \
  $(if $(shell command -v pdftoppm),,poppler-utils) \
  $(if $(shell command -v tesseract),,tesseract-ocr tesseract-ocr-eng) \
  $(if $(wildcard /usr/share/tesseract-ocr/*/tessdata/vie.traineddata),,tesseract-ocr-vie) \
  $(if $(shell command -v gs),,ghostscript) \
  $(if $(shell command -v unpaper),,unpaper))
TEST_MISSING = $(strip \
  $(if $(shell command -v chromium),,chromium) \
  $(if $(shell command -v msgfmt),,gettext))

runtime-deps:
	$(call apt_install,$(RUNTIME_MISSING))

system-deps: runtime-deps
	$(call apt_install,$(TEST_MISSING))

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

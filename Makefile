# Yiyang: `make demo` brings up a living demo city; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
YIYANG := $(BIN)/yiyang
ELDERS ?= 20000
SEED ?= 2026

.PHONY: install system-packages test-packages messages messages-update demo serve test test-fast lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# Debian packages: CJK fonts for PDFs, gettext for the translation tools.
system-packages:
	bash scripts/install-system-packages.sh base

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium).
test-packages:
	bash scripts/install-system-packages.sh test

messages: install
	$(YIYANG) compile-catalogue

demo: install system-packages messages
	ELDERS=$(ELDERS) SEED=$(SEED) bash scripts/demo.sh

serve: install messages
	bash scripts/demo.sh --serve-only

test: install system-packages test-packages messages
	$(BIN)/pytest

test-fast: install messages
	$(BIN)/pytest -m "not browser"

lint: install system-packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	DJANGO_SETTINGS_MODULE=yiyang.settings.test $(YIYANG) makemigrations --check --dry-run
	$(YIYANG) check-catalogue

bench: install
	$(BIN)/python bench/registry.py
	$(BIN)/python bench/assessment.py
	$(BIN)/python bench/orders.py

clean:
	rm -rf $(VENV) var test-output

# After changing user-facing text: refresh the zh-hans catalogue, translate the new entries in
# yiyang/locale/zh_Hans/LC_MESSAGES/django.po, then `make lint`.
messages-update: install system-packages
	$(YIYANG) makemessages -l zh_Hans --no-obsolete -i ".venv/*" -i "bench/*" -i "*/tests/*" \
		-i "build/*" -i "var/*" -i "test-output/*" -i "docs/*" -i "scripts/*"

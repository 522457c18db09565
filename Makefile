# Two commands on a fresh machine: `make build` and `make test`. Each installs what it needs:
# a virtualenv with pinned packages (constraints.txt), and Debian packages through apt when missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Material 9.7+ prints a long notice about MkDocs 2.0 on every run; it buries our own output.
export NO_MKDOCS_2_WARNING := 1

# Debian packages: fonts for the PDFs, Cairo/Pango for WeasyPrint; Chromium and poppler for tests.
BUILD_PACKAGES := fonts-noto-core fonts-dejavu-core fonts-liberation2 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
TEST_PACKAGES := chromium poppler-utils

.PHONY: build check serve test lint bench schema clean install system-build system-test publish new

build: $(STAMP) system-build  ## Validate, check reviews, build the site and PDFs into site/
	$(BIN)/handbook build

check: $(STAMP)  ## Validate and print the review table; exit 1 when a policy is overdue
	$(BIN)/handbook check

serve: $(STAMP) system-build  ## Live-reloading preview on http://127.0.0.1:8000/
	$(BIN)/handbook serve

publish: $(STAMP) system-build  ## Build and record an edition: EDITION=NAME SUMMARY='what changed' [DATE=YYYY-MM-DD]
	@test -n "$(EDITION)" || { echo "usage: make publish EDITION=NAME SUMMARY='what changed' [DATE=YYYY-MM-DD]"; exit 2; }
	$(BIN)/handbook publish --edition '$(EDITION)' --summary '$(SUMMARY)' $(if $(DATE),--date '$(DATE)')

new: $(STAMP)  ## Start a policy file: ID=policy-id TITLE='Its title' [CATEGORY='Section']
	@test -n "$(ID)" -a -n "$(TITLE)" || { echo "usage: make new ID=policy-id TITLE='Its title' [CATEGORY='Section']"; exit 2; }
	$(BIN)/handbook new '$(ID)' --title '$(TITLE)' $(if $(CATEGORY),--category '$(CATEGORY)')

schema: $(STAMP)  ## Regenerate the JSON Schemas in schema/
	$(BIN)/handbook schema

lint: $(STAMP)  ## ruff format, ruff check, mypy --strict
	$(BIN)/ruff format --check generator tests benchmarks
	$(BIN)/ruff check generator tests benchmarks
	$(BIN)/mypy --strict generator

test: $(STAMP) system-build system-test lint  ## Every test: lint, unit, integration, browser
	$(BIN)/python -m pytest -n 2 --dist loadgroup

bench: $(STAMP) system-build  ## Benchmarks into benchmarks/results.md and results.png
	$(BIN)/python -m benchmarks.run

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed as $(PYTHON)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

system-build:
	@scripts/ensure-debian-packages $(BUILD_PACKAGES)

system-test:
	@scripts/ensure-debian-packages $(TEST_PACKAGES)

clean:  ## Remove build outputs and caches (keeps .venv)
	rm -rf site .cache .site-build-* .site-old-* screenshots tests/artifacts .pytest_cache .mypy_cache .ruff_cache

# Two commands on a fresh machine: `make build` and `make test`. Each installs what it needs:
# a virtualenv with pinned packages (constraints.txt), and Debian packages through apt when missing.
# `make help` lists every target that has a `## ` comment on its line, with that comment.
# Recipes are silent (@): what a person reads is the handbook's own output, not the commands.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Material 9.7+ prints a long notice about MkDocs 2.0 on every run; it buries our own output.
export NO_MKDOCS_2_WARNING := 1

# Debian packages: fonts for the PDFs, Cairo/Pango for WeasyPrint; Chromium and poppler for tests.
BUILD_PACKAGES := fonts-noto-core fonts-dejavu-core fonts-liberation2 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
TEST_PACKAGES := chromium poppler-utils

.PHONY: build check reviewed serve publish new test test-dates lint bench schema clean help install system-build system-test acks acks-import signoff

build: $(STAMP) system-build  ## Validate, check reviews, build the site and PDFs into site/
	@HANDBOOK_VIA_MAKE=1 $(BIN)/handbook build

check: $(STAMP)  ## Validate and print the review table; fails when a policy is overdue [STRICT=1]
	@HANDBOOK_VIA_MAKE=1 $(BIN)/handbook check $${STRICT:+--strict}

# ID, ON, NOTE and ADDR reach the recipes as environment variables (make exports command-line
# variables), so a note with spaces or quotes arrives exactly as typed.
reviewed: $(STAMP)  ## Record a review with no change: make reviewed ID=<policy-id> [ON=YYYY-MM-DD] [NOTE="..."]
	@test -n "$$ID" || { echo 'make reviewed: say which policy: make reviewed ID=<policy-id> [ON=YYYY-MM-DD] [NOTE="..."]' >&2; exit 1; }
	@HANDBOOK_VIA_MAKE=1 $(BIN)/handbook reviewed "$$ID" $${ON:+--on "$$ON"} $${NOTE:+--note "$$NOTE"}

serve: $(STAMP) system-build  ## Live-reloading preview on http://127.0.0.1:8000/ [ADDR=host:port]
	@HANDBOOK_VIA_MAKE=1 $(BIN)/handbook serve $${ADDR:+--dev-addr "$$ADDR"}

# EDITION, SUMMARY, DATE, TITLE and CATEGORY also arrive as environment variables, so a summary or a
# title with quotes or apostrophes reaches the command exactly as typed.
publish: $(STAMP) system-build  ## Build and record an edition: make publish EDITION=<name> SUMMARY="what changed" [DATE=YYYY-MM-DD]
	@test -n "$$EDITION" || { echo 'make publish: name the edition: make publish EDITION=<name> SUMMARY="what changed" [DATE=YYYY-MM-DD]' >&2; exit 1; }
	@HANDBOOK_VIA_MAKE=1 $(BIN)/handbook publish --edition "$$EDITION" --summary "$$SUMMARY" $${DATE:+--date "$$DATE"}

new: $(STAMP)  ## Start a policy file: make new ID=<policy-id> TITLE="Its title" [CATEGORY="Section"]
	@test -n "$$ID" -a -n "$$TITLE" || { echo 'make new: say the id and title: make new ID=<policy-id> TITLE="Its title" [CATEGORY="Section"]' >&2; exit 1; }
	@HANDBOOK_VIA_MAKE=1 $(BIN)/handbook new "$$ID" --title "$$TITLE" $${CATEGORY:+--category "$$CATEGORY"}

# ---- acknowledgements (issue 26): DEPARTMENT, FILE, COLUMNS and EDITION arrive as environment
# variables too, so a department or file name with spaces reaches the command as typed.
acks: $(STAMP)  ## Who has acknowledged what; fails when any is overdue [DEPARTMENT="..."]
	@HANDBOOK_VIA_MAKE=1 $(BIN)/handbook acks $${DEPARTMENT:+--department "$$DEPARTMENT"}

acks-import: $(STAMP)  ## Append a form's export to acknowledgements/: make acks-import FILE=export.csv [COLUMNS=microsoft-forms]
	@test -n "$$FILE" || { echo 'make acks-import: name the export: make acks-import FILE=export.csv [COLUMNS=microsoft-forms|google-forms]' >&2; exit 1; }
	@HANDBOOK_VIA_MAKE=1 $(BIN)/handbook acks import "$$FILE" --columns "$${COLUMNS:-microsoft-forms}"

signoff: $(STAMP) system-build  ## Sign-off sheets (PDF) of an edition into signoff/: make signoff EDITION=<name>
	@test -n "$$EDITION" || { echo 'make signoff: name the edition: make signoff EDITION=<name>' >&2; exit 1; }
	@HANDBOOK_VIA_MAKE=1 $(BIN)/handbook signoff --edition "$$EDITION"

schema: $(STAMP)  ## Regenerate the JSON Schemas in schema/
	@$(BIN)/handbook schema

lint: $(STAMP)  ## ruff format, ruff check, mypy --strict, import-linter (the layering)
	@$(BIN)/ruff format --check generator tests benchmarks
	@$(BIN)/ruff check generator tests benchmarks
	@$(BIN)/mypy --strict generator
	@out=$$($(BIN)/lint-imports --no-cache --no-logo 2>&1) || { echo "$$out"; exit 1; }; echo "import-linter: $$(echo "$$out" | tail -n 1)"

# One test worker per core. A third worker on two cores was tried: on a fresh clone of the same
# code `make test` took 15.5 minutes with three and 13.9 with two. The browser tests stay
# together on one worker (their xdist group), with one Chromium and one build of each site.
# The 30 slowest tests are listed at the end: where the next cut to the suite's time is.
TEST_WORKERS ?= 2
test: $(STAMP) system-build system-test lint  ## Every test: lint, unit, integration, browser
	@$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=30

# The tests that depend on what day it is, run again with the machine's clock at UTC+14: there
# the machine's date and the handbook's (Los Angeles) differ 22 hours a day, so a test that
# reads the machine's date fails at once, not only between 00:00 and 08:00 UTC. CI runs it.
DATE_TESTS := tests/test_clock.py tests/test_review.py tests/test_check_cli.py \
	tests/test_review_record.py tests/test_review_register.py \
	tests/test_publishing_trust.py::test_a_draft_with_placeholders_blocks_no_other_work \
	tests/test_editions.py::test_new_writes_a_policy_whose_placeholders_check_reports \
	tests/test_editions.py::test_a_policy_taken_out_after_an_edition_keeps_its_address_and_versions
test-dates: $(STAMP) system-build  ## The date-sensitive tests again, machine clock at UTC+14
	@TZ=Pacific/Kiritimati $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup -q $(DATE_TESTS)

bench: $(STAMP) system-build  ## Benchmarks into benchmarks/results.md and results.png
	@$(BIN)/python -m benchmarks.run

help:  ## List the targets with what each does
	@echo "make <target>, run in this folder:"
	@awk -F ':.*## ' '/^[a-z][a-z0-9_-]*:.*## / { printf "  make %-11s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

install: $(STAMP)

# PYTHONWARNINGS=ignore: setuptools prints a boxed "Editable installation" warning while it
# installs the package in place; it is meant for package authors, not for people building.
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed as $(PYTHON)" >&2; exit 1; }
	@echo "Installing the pinned Python packages into $(VENV)/ (a minute or two, once)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-c constraints.txt -e '.[test]'
	@touch $(STAMP)

system-build:
	@scripts/ensure-debian-packages $(BUILD_PACKAGES)

system-test:
	@scripts/ensure-debian-packages $(TEST_PACKAGES)

clean:  ## Remove build outputs and caches (keeps .venv)
	@rm -rf site signoff .cache .site-build-* .site-old-* screenshots tests/artifacts .pytest_cache .mypy_cache .ruff_cache

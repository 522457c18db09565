"""Tests that pass at any hour, in any time zone (issue 23).

The machine's date is not the handbook's: a test that wrote the machine's `date.today()` (UTC
here) into a policy failed every day from 00:00 to 08:00 UTC against a Los Angeles handbook. A
test takes the handbook's day (`conftest.handbook_today()`, or `datetime.now(zone)` with the
handbook's zone) or a fixed `--today`. `make test-dates` runs the date-sensitive tests again
with the machine at UTC+14, where its date and Los Angeles' differ 22 hours a day.
"""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT

# Each reads the machine's clock in the machine's zone (or, for time.time, a moment that
# tests then turn into a local date).
MACHINE_CLOCK = re.compile(
    r"\b(?:date|datetime)\.today\(\)"
    r"|\bdatetime\.now\(\s*\)"
    r"|\butcnow\("
    r"|\btime\.(?:time|localtime|ctime)\("
    r"|\bdatetime\.fromtimestamp\(\s*[^,()]*\)"  # without a zone: the machine's
    r"|\bdate\.fromtimestamp\("
)


def test_no_test_reads_the_machines_date_or_clock() -> None:
    found = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if path == Path(__file__).resolve():
            continue  # Its own examples below.
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if MACHINE_CLOCK.search(code):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_the_pattern_finds_each_way_of_reading_the_clock() -> None:
    for code in (
        "day = dt.date.today()",
        "now = datetime.now()",
        "stamp = dt.datetime.utcnow()",
        "moment = time.time() + 3600",
        "local = dt.datetime.fromtimestamp(stamp)",
    ):
        assert MACHINE_CLOCK.search(code), code
    for code in (
        "dt.datetime.now(LOS_ANGELES).date()",
        "dt.datetime.fromtimestamp(EPOCH, dt.UTC)",
        "time.sleep(1.1)",
        "handbook_today()",
    ):
        assert not MACHINE_CLOCK.search(code), code


def test_make_test_dates_runs_the_date_sensitive_tests_at_utc_plus_14() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    recipe = re.search(r"^test-dates:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe is not None
    assert "TZ=Pacific/Kiritimati" in recipe[1]
    files = re.search(r"^DATE_TESTS := (.*)$", makefile, re.MULTILINE)
    assert files is not None
    for name in files[1].split():
        assert (ROOT / name.split("::")[0]).is_file(), name
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test-dates" in ci
    assert Path(ROOT / ".ci" / "run").stat().st_mode & 0o111

"""`handbook check` and the review gate of `handbook build`, run as the real command line."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import zoneinfo
from pathlib import Path

import pytest

from conftest import HANDBOOK, REGISTER_KEYS, ROOT, make_project, run_handbook, tree_digest
from html_reading import article, page, text_of

LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")


@pytest.fixture(scope="module")
def sample_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample handbook's sources (never built here; tests that build copy it)."""
    return make_project(tmp_path_factory.mktemp("check") / "project", None)


def rows_with_status(stdout: str, status: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith(f"{status} ")]


def test_sample_on_2026_11_27_fails_and_names_corona_and_pinole(sample_project: Path) -> None:
    result = run_handbook("check", "--today", "2026-11-27", cwd=sample_project)
    assert result.returncode == 1, result.stderr
    overdue = rows_with_status(result.stdout, "overdue")
    assert len(overdue) == 2
    assert "03600.001" in overdue[0] and "Customer Care Policy" in overdue[0]
    assert "Customer Service Philosophy and Standards" in overdue[1]
    assert "2026-04-30" in overdue[1] and "211 overdue" in overdue[1]
    assert result.stdout.rstrip().endswith("2 overdue, 0 due soon, 3 current")
    assert "\033[" not in result.stdout  # Not a terminal: plain text.


def test_sample_json_register(sample_project: Path) -> None:
    result = run_handbook(
        "check", "--today", "2026-11-27", "--json", "--fail-on", "never", cwd=sample_project
    )
    assert result.returncode == 0, result.stderr
    register = json.loads(result.stdout)
    assert list(register) == ["today", "policies"]
    assert register["today"] == "2026-11-27"
    for entry in register["policies"]:
        assert list(entry) == REGISTER_KEYS
        assert entry["status"] in {"current", "due-soon", "overdue", "retired", "draft"}
    by_id = {entry["id"]: entry for entry in register["policies"]}
    assert by_id["pinole-customer-service"] == {
        "id": "pinole-customer-service",
        "number": None,
        "title": "Customer Service Philosophy and Standards",
        "owner": "Owner not stated in the source",  # the source names HR only for questions
        "status": "overdue",
        "last_reviewed": None,
        "next_review": "2026-04-30",
        "days_overdue": 211,
    }
    assert by_id["corona-customer-care"]["status"] == "overdue"
    assert by_id["corona-customer-care"]["number"] == "03600.001"
    assert by_id["corona-customer-care"]["next_review"] == "2018-01-03"
    statuses = [entry["status"] for entry in register["policies"]]
    assert statuses == ["overdue", "overdue", "current", "current", "current"]


def test_sample_on_2025_05_02_pinole_is_not_overdue(sample_project: Path) -> None:
    result = run_handbook("check", "--today", "2025-05-02", "--json", cwd=sample_project)
    by_id = {entry["id"]: entry for entry in json.loads(result.stdout)["policies"]}
    assert by_id["pinole-customer-service"]["status"] == "current"
    assert by_id["pinole-customer-service"]["days_overdue"] == 0
    # Corona was already overdue then, so the gate still fails.
    assert by_id["corona-customer-care"]["status"] == "overdue"
    assert result.returncode == 1


def test_small_handbook_table_exactly(small_project: Path) -> None:
    result = run_handbook("check", "--today", "2026-05-20", cwd=small_project)
    assert result.returncode == 1
    assert result.stderr == ""
    assert result.stdout == (
        "Reviews on 2026-05-20 (America/Los_Angeles)\n"
        "\n"
        "STATUS    NUMBER     TITLE                             OWNER                         "
        " LAST REVIEWED  NEXT REVIEW  DAYS\n"
        "overdue   -          Counter Service                   Front Desk Lead               "
        " never          2021-01-15   1951 overdue\n"
        "due-soon  04100.002  Telephone and Voicemail Response  Dana Reyes, Customer Service…"
        "  2025-06-10     2026-06-10   21 left\n"
        "\n"
        "1 overdue, 1 due soon, 0 current\n"
    )


@pytest.mark.parametrize(("fail_on", "code"), [("overdue", 1), ("due-soon", 1), ("never", 0)])
def test_fail_on_sets_the_exit_status(small_project: Path, fail_on: str, code: int) -> None:
    result = run_handbook("check", "--today", "2026-05-20", "--fail-on", fail_on, cwd=small_project)
    assert result.returncode == code


def test_due_soon_alone_fails_only_the_due_soon_gate(small_project: Path) -> None:
    # On 2020-12-31 the counter policy (adopted 2020-01-15) is due soon, the phone policy current.
    today = ("--today", "2020-12-31")
    assert run_handbook("check", *today, cwd=small_project).returncode == 0
    assert run_handbook("check", *today, "--fail-on", "due-soon", cwd=small_project).returncode == 1


def run_on_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run the CLI with its stdout on a real pseudo-terminal and return what it printed."""
    leader, follower = os.openpty()
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm", **env}
    environment.pop("SOURCE_DATE_EPOCH", None)
    if "NO_COLOR" not in env:
        environment.pop("NO_COLOR", None)
    process = subprocess.run(
        [*HANDBOOK, *args], cwd=cwd, env=environment, stdout=follower, stderr=subprocess.PIPE
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the terminal has no writer left.
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.returncode == 1, process.stderr
    return b"".join(chunks).decode("utf-8")


def test_colour_on_a_terminal_unless_no_color(small_project: Path) -> None:
    args = ["check", "--today", "2026-05-20"]
    coloured = run_on_terminal(args, small_project, {})
    assert "\033[1;31moverdue" in coloured
    assert "\033[33mdue-soon" in coloured
    plain = run_on_terminal(args, small_project, {"NO_COLOR": "1"})
    assert "\033[" not in plain
    assert "overdue   -          Counter Service" in plain


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("27/11/2026", "argument --today: expected a date (YYYY-MM-DD), got '27/11/2026'"),
        ("20261127", "argument --today: expected a date (YYYY-MM-DD), got '20261127'"),
        ("2026-02-30", "argument --today: '2026-02-30' is not a real date"),
    ],
)
def test_bad_today_is_a_usage_error(small_project: Path, value: str, message: str) -> None:
    for command in ("check", "build"):
        result = run_handbook(command, "--today", value, cwd=small_project)
        assert result.returncode == 2
        assert result.stderr.splitlines()[-1] == f"handbook {command}: error: {message}"
        assert "Traceback" not in result.stderr
    assert not (small_project / "site").exists()


def test_bad_source_date_epoch_is_reported_without_traceback(small_project: Path) -> None:
    result = run_handbook("check", cwd=small_project, env={"SOURCE_DATE_EPOCH": "soon"})
    assert result.returncode == 1
    assert "SOURCE_DATE_EPOCH: expected seconds since 1970, got 'soon'" in result.stderr
    assert "Traceback" not in result.stderr


def test_source_date_epoch_late_evening_is_the_local_day(small_project: Path) -> None:
    # 2026-06-10 23:30 in Los Angeles (06:30 UTC on the 11th): the phone policy's due date.
    result = run_handbook(
        "check", "--json", cwd=small_project, env={"SOURCE_DATE_EPOCH": "1781159400"}
    )
    register = json.loads(result.stdout)
    assert register["today"] == "2026-06-10"
    by_id = {entry["id"]: entry for entry in register["policies"]}
    assert by_id["phone-response"]["status"] == "due-soon"


def test_validation_errors_fail_check_like_build(small_project: Path) -> None:
    path = small_project / "policies" / "counter-service.yaml"
    path.write_text(path.read_text().replace("adopted: 2020-01-15", "adopted: 9999-01-15"))
    # The typo guard reads the real clock on purpose (README: --today only moves the day
    # statuses are computed for), so the day it names is read before and after the run: the
    # run's own day is one of the two, even across midnight in Los Angeles.
    before = dt.datetime.now(LOS_ANGELES).date()
    result = run_handbook("check", "--today", "2026-05-20", cwd=small_project)
    after = dt.datetime.now(LOS_ANGELES).date()
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] in {
        "policies/counter-service.yaml:5: adopted: 9999-01-15 is in the future "
        f"(today is {day}); check the year"
        for day in (before, after)
    }
    assert result.stderr.splitlines()[-1] == "1 error in 1 file; nothing was published"
    assert result.stdout == ""


# --------------------------------------------------------------------------- build's gate


def test_build_warns_about_overdue_and_due_soon_but_publishes(small_project: Path) -> None:
    result = run_handbook("build", "--today", "2026-05-20", cwd=small_project)
    assert result.returncode == 0, result.stderr
    # The review warnings; the fixture's example site_url has its own (test_site_url_warning).
    warnings = [line for line in result.stderr.splitlines() if ": warning: review " in line]
    assert warnings == [
        "policies/counter-service.yaml:5: warning: review overdue by 1951 days "
        "(was due 2021-01-15): Counter Service; owner Front Desk Lead",
        "policies/phone-response.yaml:12: warning: review due in 21 days (2026-06-10): "
        "Telephone and Voicemail Response; owner Dana Reyes, Customer Service Manager",
    ]
    assert (small_project / "site" / "index.html").is_file()


def test_build_warning_for_a_source_without_an_owner_says_so_once(
    sample_project: Path, tmp_path: Path
) -> None:
    # The gate stops the build after the warnings, so nothing is built or published here.
    result = run_handbook(
        "build",
        "--today",
        "2026-11-27",
        "--fail-on",
        "overdue",
        "--site-dir",
        str(tmp_path / "site"),
        cwd=sample_project,
    )
    assert result.returncode == 1
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert warnings == [
        "policies/corona-customer-care.yaml:19: warning: review overdue by 3250 days "
        "(was due 2018-01-03): Customer Care Policy; owner Department of Water & Power",
        # Pinole's source names no owner; its owner field says so in words.
        "policies/pinole-customer-service.yaml:19: warning: review overdue by 211 days "
        "(was due 2026-04-30): Customer Service Philosophy and Standards; "
        "owner not stated in the source",
    ]
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("how", ["flag", "handbook.yaml"])
def test_build_gate_fails_and_publishes_nothing(small_project: Path, how: str) -> None:
    site = small_project / "site"
    site.mkdir()
    (site / "index.html").write_text("the last good site", encoding="utf-8")
    before = tree_digest(site)
    if how == "flag":
        args = ["--fail-on", "overdue"]
    else:
        settings = small_project / "policies" / "handbook.yaml"
        settings.write_text(settings.read_text() + "review: {fail_on: overdue}\n")
        args = []
    result = run_handbook("build", "--today", "2026-05-20", *args, cwd=small_project)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "handbook: review gate failed (fail on overdue): 1 overdue, 1 due soon, 0 current; "
        "nothing was published"
    )
    assert tree_digest(site) == before
    assert [path.name for path in small_project.iterdir() if path.name.startswith(".site")] == []
    if how == "handbook.yaml":  # The flag overrides handbook.yaml.
        again = run_handbook(
            "build", "--today", "2026-05-20", "--fail-on", "never", cwd=small_project
        )
        assert again.returncode == 0, again.stderr
        assert tree_digest(site) != before


@pytest.mark.slow
def test_build_on_2026_11_27_published_and_pinole_page_says_overdue(sample_site: Path) -> None:
    # The sample_site fixture ran `handbook build --today 2026-11-27` and required exit 0.
    assert "overdue" in text_of(article(page(sample_site, "pinole-customer-service"))).lower()
    assert "overdue" in text_of(article(page(sample_site, "corona-customer-care"))).lower()
    moreno = text_of(article(page(sample_site, "moreno-valley-customer-care-standards")))
    assert "overdue" not in moreno.lower()

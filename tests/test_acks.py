"""Acknowledgements (issue 26), end to end with the real CLI: a fictional roster of 30 people in
three departments, edition A (everything new) and edition B (one policy substantively revised,
one editorially), the register, `handbook acks`, the sign-off sheets read back with pypdf and
checked against PDF/UA-1, the import of Microsoft and Google Forms exports, and no person's
name anywhere in what the build publishes."""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import FIXTURES, ROOT, Result, built_once, make_project, run_handbook, tree_digest

ACKS = FIXTURES / "handbooks" / "acks"
EXPORTS = ACKS / "exports"
TODAY = "2026-03-20"
SUMMARY = "60 required of 30 people: 14 acknowledged, 19 outstanding, 17 overdue, 10 outdated"


def roster() -> list[dict[str, str]]:
    """The fixture's people.csv, read with the csv module (not with the code under test)."""
    with open(ACKS / "people.csv", encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


@dataclass
class Published:
    """The acks handbook after editions A and B, with the register, and the report before B."""

    project: Path
    before_b: dict[str, object]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """Publish A (2026-01-15), record A's signatures, publish B (2026-03-02), record B's."""
    return built_once(tmp_path_factory, "acks", publish_a_and_b)


def publish_a_and_b(folder: Path) -> Published:
    project = make_project(folder / "project", "acks")
    shutil.copy(ACKS / "people.csv", project / "people.csv")
    first = run_handbook(
        "publish", "--edition", "A", "--date", "2026-01-15", "--summary", "First.", cwd=project
    )
    assert first.returncode == 0, first.stderr
    (project / "acknowledgements").mkdir()
    shutil.copy(ACKS / "acknowledgements" / "paper-a.csv", project / "acknowledgements")
    before = run_handbook("acks", "--json", "--today", "2026-02-10", cwd=project)
    assert before.returncode == 0, before.stderr
    for revised in (ACKS / "revised").glob("*.yaml"):
        shutil.copy(revised, project / "policies" / revised.name)
    second = run_handbook(
        "publish", "--edition", "B", "--date", "2026-03-02", "--summary", "Two rings.", cwd=project
    )
    assert second.returncode == 0, second.stderr
    shutil.copy(ACKS / "acknowledgements" / "paper-b.csv", project / "acknowledgements")
    return Published(project, json.loads(before.stdout))


@pytest.fixture
def project(published: Published, tmp_path: Path) -> Path:
    """A private copy of the published project, to change."""
    copy = tmp_path / "project"
    shutil.copytree(published.project, copy, symlinks=True)
    return copy


def rows_of(result: Result) -> list[dict[str, object]]:
    """The `acknowledgements` rows of `handbook acks --json`."""
    data = json.loads(result.stdout)
    rows: list[dict[str, object]] = data["acknowledgements"]
    return rows


def statuses(rows: list[dict[str, object]], policy: str) -> dict[str, object]:
    """person -> status for one policy."""
    return {row["person"]: row["status"] for row in rows if row["policy"] == policy}


def ids(prefix: str, numbers: range) -> list[str]:
    return [f"{prefix}{n:02d}" for n in numbers]


# ---- status


def test_statuses_counts_and_exit_code_are_exact(published: Published) -> None:
    result = run_handbook("acks", "--json", "--today", TODAY, cwd=published.project)
    assert result.returncode == 1  # some are overdue
    data = json.loads(result.stdout)
    assert data["today"] == TODAY
    rows = data["acknowledgements"]
    assert list(rows[0]) == [
        "person",
        "name",
        "department",
        "policy",
        "version",
        "edition",
        "status",
        "due",
        "signed",
    ]
    assert Counter(row["status"] for row in rows) == {
        "acknowledged": 14,
        "outstanding": 19,
        "overdue": 17,
        "outdated": 10,
    }
    # The policy that says `acknowledge: none` is asked of no one.
    assert {row["policy"] for row in rows} == {"counter-service", "phone-response", "field-safety"}

    counter = statuses(rows, "counter-service")
    assert counter == {
        **dict.fromkeys(ids("C", range(1, 6)), "acknowledged"),
        **dict.fromkeys(ids("C", range(6, 11)), "overdue"),
    }
    phone = statuses(rows, "phone-response")
    assert phone == {
        **dict.fromkeys(ids("C", range(1, 3)), "acknowledged"),
        **dict.fromkeys(ids("C", range(3, 6)), "outdated"),
        **dict.fromkeys(ids("C", range(6, 11)), "outstanding"),
        **dict.fromkeys(ids("U", range(1, 7)), "outdated"),
        **dict.fromkeys(ids("U", range(7, 13)), "outstanding"),
        "F01": "outdated",
        **dict.fromkeys(ids("F", range(2, 9)), "outstanding"),
    }
    c03 = next(r for r in rows if r["person"] == "C03" and r["policy"] == "phone-response")
    assert c03 == {
        "person": "C03",
        "name": "Xena Fictitious",
        "department": "Customer Service",
        "policy": "phone-response",
        "version": "2.0",
        "edition": "B",
        "status": "outdated",
        "due": "2026-04-01",
        "signed": "2026-01-20",
    }

    text = run_handbook("acks", "--today", TODAY, cwd=published.project)
    assert text.returncode == 1
    assert text.stdout.splitlines()[-1] == SUMMARY
    never = run_handbook("acks", "--today", TODAY, "--fail-on", "never", cwd=published.project)
    assert never.returncode == 0
    assert never.stdout == text.stdout


def test_a_substantive_revision_outdates_earlier_signatures_of_that_policy_and_no_other(
    published: Published,
) -> None:
    before = published.before_b["acknowledgements"]
    assert isinstance(before, list)
    after = rows_of(run_handbook("acks", "--json", "--today", TODAY, cwd=published.project))
    signed_before = {
        (row["person"], row["policy"]) for row in before if row["status"] == "acknowledged"
    }
    outdated_after = {
        (row["person"], row["policy"]) for row in after if row["status"] == "outdated"
    }
    # Everyone who had signed phone-response 1.0 must sign 2.0 (but C01 and C02, who have
    # signed edition B already); nobody else's signature moved.
    resigned = {("C01", "phone-response"), ("C02", "phone-response")}
    assert resigned <= signed_before
    assert outdated_after == {k for k in signed_before if k[1] == "phone-response"} - resigned
    assert len(outdated_after) == 10
    still = {(row["person"], row["policy"]) for row in after if row["status"] == "acknowledged"}
    assert {key for key in signed_before if key[1] != "phone-response"} <= still


def test_an_editorial_revision_changes_nothing(published: Published) -> None:
    before = published.before_b["acknowledgements"]
    assert isinstance(before, list)
    after = rows_of(run_handbook("acks", "--json", "--today", TODAY, cwd=published.project))
    safety_before = {r["person"]: r for r in before if r["policy"] == "field-safety"}
    safety_after = {r["person"]: r for r in after if r["policy"] == "field-safety"}
    # F08 starts on 2026-03-10: not yet on the roster's books on 2026-02-10.
    assert set(safety_after) == set(safety_before) | {"F08"}
    for person, old in safety_before.items():
        row = safety_after[person]
        # Same edition asking, same due date, same signature; only the version in force moved.
        assert (row["edition"], row["due"], row["signed"]) == (
            old["edition"],
            old["due"],
            old["signed"],
        )
        assert (old["version"], row["version"]) == ("1.0", "1.1")
    assert statuses(after, "field-safety") == {
        **dict.fromkeys(ids("U", range(1, 8)), "acknowledged"),
        **dict.fromkeys(ids("U", range(8, 13)), "overdue"),
        **dict.fromkeys(ids("F", range(1, 8)), "overdue"),
        "F08": "outstanding",  # started 2026-03-10: due 30 days after that
    }
    f08 = next(r for r in after if r["person"] == "F08" and r["policy"] == "field-safety")
    assert f08["due"] == "2026-04-09"


def test_department_filter_and_text_report(published: Published) -> None:
    result = run_handbook(
        "acks", "--today", TODAY, "--department", "Field Operations", cwd=published.project
    )
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"Acknowledgements on {TODAY} (America/Los_Angeles); 30 days allowed"
    assert lines[2] == "Field Operations (8 people): 8 outstanding, 7 overdue, 1 outdated"
    assert "  Ayla Fictitious (F04)" in lines
    assert (
        "    100.02 Telephone Response, version 2.0 (edition B): outdated: signed 2026-01-25 "
        "for an earlier version; due 2026-04-01"
    ) in lines
    assert lines[-1] == (
        "16 required of 8 people: 0 acknowledged, 8 outstanding, 7 overdue, 1 outdated"
    )
    people = [line for line in lines if line.startswith("  ") and not line.startswith("    ")]
    assert len(people) == 8
    assert people == sorted(people)  # name order


def test_a_roster_saved_by_excel_reads_the_same(project: Path) -> None:
    """Excel's 'CSV UTF-8' adds a byte-order mark and CRLF line ends; in locales with a decimal
    comma it separates with semicolons."""
    plain = run_handbook("acks", "--json", "--today", TODAY, cwd=project)
    text = (ACKS / "people.csv").read_text(encoding="utf-8")
    excel = "\ufeff" + text.replace(",", ";").replace("\n", "\r\n")
    (project / "people.csv").write_bytes(excel.encode("utf-8"))
    result = run_handbook("acks", "--json", "--today", TODAY, cwd=project)
    assert result.stderr == ""
    assert result.stdout == plain.stdout


def test_unknown_department_is_refused(published: Published) -> None:
    result = run_handbook("acks", "--department", "Finance", cwd=published.project)
    assert result.returncode == 1
    assert result.stderr == (
        "handbook acks: no one in people.csv works in 'Finance' "
        "(departments: Customer Service, Field Operations, Utilities)\n"
    )


def test_a_proxy_record_without_a_note_is_refused_at_file_and_row(project: Path) -> None:
    register = project / "acknowledgements" / "paper-a.csv"
    with open(register, "a", encoding="utf-8") as stream:
        stream.write("U08,A,field-safety,2026-02-02,proxy,Crew supervisor,\n")
    result = run_handbook("acks", "--today", TODAY, cwd=project)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "acknowledgements/paper-a.csv:15: note: a proxy acknowledgement needs a note saying why "
        "someone else recorded it (for example: no work computer; read aloud by the supervisor)",
        "1 error in 1 file; nothing was counted",
    ]


# ---- the site: it says a version must be acknowledged, never who


def test_policy_pages_link_to_the_form_for_the_version_to_acknowledge(
    published: Published,
) -> None:
    site = published.project / "site"
    phone = (site / "phone-response" / "index.html").read_text(encoding="utf-8")
    assert (
        "Version 2.0 must be acknowledged by everyone (edition B). "
        '<a href="https://forms.example.gov/ack?edition=B&amp;policy=phone-response&amp;'
        'version=2.0">Acknowledge this version</a>'
    ) in phone
    counter = (site / "counter-service" / "index.html").read_text(encoding="utf-8")
    assert "must be acknowledged by staff of Customer Service (edition A)" in counter
    parking = (site / "parking-notice" / "index.html").read_text(encoding="utf-8")
    assert "Acknowledge this version" not in parking


def test_no_roster_name_or_email_is_in_the_site_or_the_editions(published: Published) -> None:
    people = roster()
    needles = [p["name"] for p in people] + [p["email"] for p in people if p["email"]]
    needles += [p["name"].split()[0] + " Fictitious" for p in people]
    scanned = 0
    for folder in ("site", "editions"):
        for path in sorted((published.project / folder).rglob("*")):
            if not path.is_file():
                continue
            scanned += 1
            data = path.read_bytes()
            text = data.decode("utf-8", errors="ignore") + data.decode("utf-16", errors="ignore")
            lowered = text.casefold()
            found = [n for n in needles if n.casefold() in lowered]
            assert found == [], path
    assert scanned > 50
    assert (published.project / "site" / "pagefind").is_dir() or any(
        (published.project / "site").rglob("search*")
    )


def test_the_samples_roster_is_in_no_published_file(sample_site: Path) -> None:
    """The sample's fictional people: not in its committed editions nor in the built site."""
    with open(ROOT / "people.csv", encoding="utf-8", newline="") as stream:
        people = list(csv.DictReader(stream))
    assert len(people) >= 5
    needles = [p["name"].casefold() for p in people] + [
        p["email"].casefold() for p in people if p["email"]
    ]
    files = [p for f in (ROOT / "editions", sample_site) for p in f.rglob("*") if p.is_file()]
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="ignore").casefold()
        assert [n for n in needles if n in text] == [], path


# ---- sign-off sheets


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def test_sign_off_sheets_list_each_person_once_in_name_order_with_sheet_id_on_every_page(
    project: Path,
) -> None:
    result = run_handbook("signoff", "--edition", "B", "--today", TODAY, cwd=project)
    assert result.returncode == 0, result.stderr
    folder = project / "signoff" / "B"
    assert sorted(p.name for p in folder.glob("*.pdf")) == [
        "customer-service.pdf",
        "everyone.pdf",
        "field-operations.pdf",
        "utilities.pdf",
    ]
    people = roster()
    for stem, department in (
        ("customer-service", "Customer Service"),
        ("utilities", "Utilities"),
        ("field-operations", "Field Operations"),
        ("everyone", None),
    ):
        texts = page_texts(folder / f"{stem}.pdf")
        total = len(texts)
        for number, text in enumerate(texts, start=1):
            assert f"Sheet B/{stem}" in text, (stem, number)
            assert f"Page {number} of {total}" in text, (stem, number)
        whole = "\n".join(texts)
        members = [p for p in people if department in (None, p["department"])]
        names = sorted((p["name"] for p in members), key=str.casefold)
        for person in members:
            assert whole.count(person["name"]) == 1, person["name"]
            assert f"{person['name']} {person['id']}" in whole
        positions = [whole.index(name) for name in names]
        assert positions == sorted(positions), stem
        # Page 1 says what changed: B substantively revised the phone policy, for everyone.
        assert "100.02 · Telephone Response, version 2.0" in texts[0]
        assert "Calls are now answered within two rings." in texts[0]
        assert "Field Safety" not in whole  # an editorial revision asks no one to sign
    everyone = page_texts(folder / "everyone.pdf")
    assert len(everyone) >= 2
    # The table's header row repeats on every page that carries rows.
    assert all("Name" in text and "Signature" in text for text in everyone)


@pytest.mark.slow
def test_sign_off_sheets_pass_pdf_ua_1(project: Path) -> None:
    from page import ValidationProfile, validate_pdf

    result = run_handbook("signoff", "--edition", "A", "--today", TODAY, cwd=project)
    assert result.returncode == 0, result.stderr
    sheets = sorted((project / "signoff" / "A").glob("*.pdf"))
    assert len(sheets) == 4
    for sheet in sheets:
        report = validate_pdf(sheet, profile=ValidationProfile.PDF_UA_1)
        failures = sorted({f"{f.rule_id}: {f.message}" for f in report.failures})
        assert failures == [], sheet.name


def test_sign_off_refusals(project: Path) -> None:
    missing = run_handbook("signoff", "--edition", "C", cwd=project)
    assert missing.returncode == 1
    assert missing.stderr == (
        "handbook signoff: no edition 'C' in editions/ (published: A, B); no sheet was written\n"
    )
    assert not (project / "signoff").exists()

    # An edition that only records a review asks nobody to sign anything.
    review = run_handbook("reviewed", "parking-notice", "--on", "2026-03-14", cwd=project)
    assert review.returncode == 0, review.stderr
    quiet = run_handbook(
        "publish", "--edition", "C", "--date", "2026-03-15", "--summary", "Reviewed.", cwd=project
    )
    assert quiet.returncode == 0, quiet.stderr
    nothing = run_handbook("signoff", "--edition", "C", "--today", TODAY, cwd=project)
    assert nothing.returncode == 1
    assert nothing.stderr == (
        "handbook signoff: edition 'C' asks no one to acknowledge anything (no policy in it is "
        "new or substantively revised, or each says acknowledge: none); no sheet was written\n"
    )
    assert not (project / "signoff").exists()


# ---- import


def register_rows(project: Path) -> list[list[str]]:
    rows = []
    for path in sorted((project / "acknowledgements").glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as stream:
            rows += list(csv.reader(stream))[1:]
    return rows


def acks_import(
    project: Path, export: Path | str, columns: str, today: str | None = TODAY
) -> Result:
    """`handbook acks import EXPORT --columns COLUMNS [--today TODAY]` in `project`."""
    dated = ("--today", today) if today is not None else ()
    return run_handbook("acks", "import", str(export), "--columns", columns, *dated, cwd=project)


def test_microsoft_and_google_forms_exports_append_the_right_rows_once(project: Path) -> None:
    before = register_rows(project)
    paper = tree_digest(project / "acknowledgements")
    microsoft = acks_import(project, EXPORTS / "microsoft-forms.csv", "microsoft-forms")
    assert microsoft.returncode == 0, microsoft.stderr
    assert microsoft.stdout == "Appended 3 rows to acknowledgements/online.csv\n"
    google = acks_import(project, EXPORTS / "google-forms.csv", "google-forms")
    assert google.returncode == 0, google.stderr
    assert google.stdout == "Appended 2 rows to acknowledgements/online.csv\n"
    with open(project / "acknowledgements" / "online.csv", encoding="utf-8", newline="") as f:
        online = list(csv.reader(f))
    assert online == [
        ["person", "edition", "policy", "date", "method", "recorded_by", "note"],
        [
            "C03",
            "B",
            "phone-response",
            "2026-03-10",
            "online",
            "import of microsoft-forms.csv",
            "Microsoft Forms response 1",
        ],
        [
            "C04",
            "B",
            "phone-response",
            "2026-03-10",
            "online",
            "import of microsoft-forms.csv",
            "Microsoft Forms response 2",
        ],
        [
            "F02",
            "A",
            "field-safety",
            "2026-03-11",
            "online",
            "import of microsoft-forms.csv",
            "Microsoft Forms response 3",
        ],
        ["U08", "B", "phone-response", "2026-03-12", "online", "import of google-forms.csv", ""],
        ["U09", "A", "field-safety", "2026-03-12", "online", "import of google-forms.csv", ""],
    ]
    assert sorted(register_rows(project)) == sorted(before + online[1:])
    # HR's own files are never touched: imports go to their own file.
    assert {
        k: v for k, v in tree_digest(project / "acknowledgements").items() if k != "online.csv"
    } == paper

    digest = tree_digest(project / "acknowledgements")
    again = acks_import(project, EXPORTS / "microsoft-forms.csv", "microsoft-forms")
    assert again.returncode == 0, again.stderr
    assert again.stdout == (
        "Appended 0 rows to acknowledgements/online.csv; 3 already recorded, skipped\n"
    )
    assert tree_digest(project / "acknowledgements") == digest

    after = rows_of(run_handbook("acks", "--json", "--today", TODAY, cwd=project))
    assert statuses(after, "phone-response")["C03"] == "acknowledged"
    assert statuses(after, "field-safety")["F02"] == "acknowledged"


def test_an_export_with_one_bad_row_writes_nothing_and_names_the_row(project: Path) -> None:
    digest = tree_digest(project / "acknowledgements")
    export = EXPORTS / "microsoft-forms-bad-row.csv"
    result = acks_import(project, export, "microsoft-forms")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{export}:3: person: 'Z99' is not in people.csv",
        "1 error in 1 file; nothing was written",
    ]
    assert tree_digest(project / "acknowledgements") == digest


def test_import_column_mapping_and_its_refusals(project: Path) -> None:
    export = EXPORTS / "google-forms.csv"
    custom = acks_import(
        project, export, "person=Employee ID,edition=Edition,policy=Policy,date=Timestamp"
    )
    assert custom.returncode == 0, custom.stderr
    assert custom.stdout == "Appended 2 rows to acknowledgements/online.csv\n"

    bad = acks_import(project, export, "person=Employee ID", today=None)
    assert bad.returncode == 1
    assert bad.stderr == (
        "handbook acks import: --columns 'person=Employee ID': say which column holds edition, "
        "policy, date; nothing was written\n"
    )
    unparsed = acks_import(project, export, "Employee ID", today=None)
    assert unparsed.returncode == 1
    assert unparsed.stderr == (
        "handbook acks import: --columns 'Employee ID': use microsoft-forms or google-forms, or "
        "map each register column to the export's: person=COLUMN,edition=COLUMN,policy=COLUMN,"
        "date=COLUMN; nothing was written\n"
    )
    absent = acks_import(project, "responses.csv", "google-forms", today=None)
    assert absent.returncode == 1
    assert absent.stderr == "handbook acks import: responses.csv not found; nothing was written\n"
    wrong = acks_import(project, export, "microsoft-forms")
    assert wrong.returncode == 1
    assert wrong.stderr.splitlines() == [
        f"{export}:1: no column 'Completion time', 'ID' in this export (the Microsoft Forms "
        "columns); it has: Timestamp, Email Address, Employee ID, Edition, Policy, Version",
        "1 error in 1 file; nothing was written",
    ]


# ---- the bad-input catalogue of acknowledgements: fixtures/invalid/acks/<case>.* with the exact
# lines each must print. `people-*` replaces people.csv, `register-*` joins acknowledgements/,
# `import-*` is a Microsoft Forms export imported, `policy-*` replaces the policy of its id.

INVALID_ACKS = FIXTURES / "invalid" / "acks"
ACK_CASES = sorted(path.name for path in INVALID_ACKS.iterdir() if path.suffix != ".expected")


@pytest.mark.parametrize("case", ACK_CASES)
def test_bad_acknowledgement_input_is_reported_exactly(case: str, project: Path) -> None:
    source = INVALID_ACKS / case
    expected = (INVALID_ACKS / f"{source.stem}.expected").read_text(encoding="utf-8")
    register = tree_digest(project / "acknowledgements")
    arguments = ["acks", "--today", TODAY]
    if case.startswith("people-"):
        shutil.copy(source, project / "people.csv")
    elif case.startswith("register-"):
        shutil.copy(source, project / "acknowledgements" / case)
        register = tree_digest(project / "acknowledgements")
    elif case.startswith("import-"):
        shutil.copy(source, project / "export.csv")
        arguments = ["acks", "import", "export.csv", "--columns", "microsoft-forms"]
        arguments += ["--today", TODAY]
    else:
        policy_id = source.read_text(encoding="utf-8").split("id: ", 1)[1].split()[0]
        shutil.copy(source, project / "policies" / f"{policy_id}.yaml")

    result = run_handbook(*arguments, cwd=project)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert result.stderr == expected
    assert tree_digest(project / "acknowledgements") == register


def test_a_project_without_people_csv_says_what_acknowledgements_need(project: Path) -> None:
    (project / "people.csv").unlink()
    result = run_handbook("acks", "--today", TODAY, cwd=project)
    assert result.returncode == 1
    assert result.stderr == (
        "people.csv: not found: acknowledgements need HR's roster (id,name,department) beside "
        "policies/\n1 error in 1 file; nothing was counted\n"
    )

"""Shared test helpers: throwaway projects built from fixtures, and the real CLI in a subprocess."""

from __future__ import annotations

import fcntl
import hashlib
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
HANDBOOK = [sys.executable, "-m", "generator.cli"]
# The documented shape of a reviews.json entry (`handbook check --json` and site/reviews.json).
REGISTER_KEYS = [
    "id",
    "number",
    "title",
    "owner",
    "status",
    "last_reviewed",
    "next_review",
    "days_overdue",
]


@dataclass
class Result:
    """What a CLI run printed and returned."""

    returncode: int
    stdout: str
    stderr: str


# The environment variable that points builds at a shared PDF cache (README: Performance).
PDF_CACHE_ENV = "HANDBOOK_PDF_CACHE"


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This run's temporary folder: under `pytest -n 2` the one every worker's folders are in."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    return base


T = TypeVar("T")


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], T]) -> T:
    """What `make(folder)` returns, made once per test run in a folder of its own however many
    test workers ask for it: the first to ask makes it (the others wait for it), and every later
    one gets the same folder and a copy of the same value. For a fixture whose project the tests
    only read (a test that changes it works on a copy); the sessions of two workers would
    otherwise build the same project twice."""
    shared = run_folder(tmp_path_factory) / "built-once"
    shared.mkdir(exist_ok=True)
    folder, value = shared / name, shared / f"{name}.pickle"
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if value.exists():
            made: T = pickle.loads(value.read_bytes())
            return made
        shutil.rmtree(folder, ignore_errors=True)  # What a failed attempt left.
        folder.mkdir()
        made = make(folder)
        value.write_bytes(pickle.dumps(made))
        return made


@pytest.fixture(scope="session", autouse=True)
def shared_pdf_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One PDF cache for every project the tests build, as a CI job can keep one: a document
    the tests build many times over (the sample's policies, the fixtures') is laid out by
    WeasyPrint once per run, and each build still reads, joins and checks real PDFs. A test of
    the cache itself, or one that needs PDFs rendered, is marked `own_pdf_cache`."""
    folder = run_folder(tmp_path_factory) / "pdf-cache"
    previous = os.environ.get(PDF_CACHE_ENV)
    os.environ[PDF_CACHE_ENV] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop(PDF_CACHE_ENV, None)
    else:
        os.environ[PDF_CACHE_ENV] = previous


@pytest.fixture(autouse=True)
def own_pdf_cache(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test marked `own_pdf_cache` builds with each project's own `.cache/pdf`."""
    if request.node.get_closest_marker("own_pdf_cache") is not None:
        monkeypatch.delenv(PDF_CACHE_ENV, raising=False)


def make_project(destination: Path, handbook: str | None = "small") -> Path:
    """A complete project in `destination`: the repo's site settings and templates, and the
    policies of fixture handbook `handbook` (or the sample handbook when None)."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "mkdocs.yml", destination / "mkdocs.yml")
    for folder in ("templates", "site_overrides", "schema"):
        shutil.copytree(ROOT / folder, destination / folder)
    source = (
        ROOT / "policies" if handbook is None else FIXTURES / "handbooks" / handbook / "policies"
    )
    shutil.copytree(source, destination / "policies")
    return destination


def run_handbook(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Result:
    """Run the real `handbook` command line in a subprocess."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    environment.pop("SOURCE_DATE_EPOCH", None)  # Only a test that sets it should see it.
    environment.update(env or {})
    completed = subprocess.run(
        [*HANDBOOK, *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return Result(completed.returncode, completed.stdout, completed.stderr)


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` with the SHA-256 of its bytes."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    """A fresh copy of the small fixture handbook."""
    return make_project(tmp_path / "project", "small")


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample handbook built once with the real CLI, on 2026-11-27."""

    def build(folder: Path) -> Path:
        project = make_project(folder / "project", None)
        result = run_handbook("build", "--today", "2026-11-27", cwd=project)
        assert result.returncode == 0, result.stderr
        return project / "site"

    return built_once(tmp_path_factory, "sample", build)


# ---- editions (issue 12): the acceptance scenario, published once per test session.

# The sample handbook: five published policies, named by their files in policies/ (stated
# here, never read from the model under test).
SAMPLE_IDS = [
    "corona-customer-care",
    "moreno-valley-customer-care-standards",
    "pinole-customer-service",
    "portland-bes-customer-service",
    "utility-customer-service-training",
]
PINOLE = "pinole-customer-service"
# The email standard's target, with the lines around it that make it the only match.
PINOLE_EMAIL_TARGET = (
    "          within: 2\n          unit: business_day\n          note: Generally.\n"
    "      - commitment: >-\n          Update"
)
# Every other place the sample states the email deadline: the standard's text, its short form on
# the card, and the summary. A revision that changes one and not the others fails `check`.
PINOLE_EMAIL_COPIES = (
    (
        "generally within two business\n          days.",
        "generally within three business\n          days.",
    ),
    ("within **two business days**", "within **three business days**"),
    ("emails generally within two business days", "emails generally within three business days"),
)


def handbook_today() -> str:
    """The real current date in the sample handbook's time zone (where its dates are checked)."""
    import datetime as dt
    import zoneinfo

    return dt.datetime.now(zoneinfo.ZoneInfo("America/Los_Angeles")).date().isoformat()


def copy_project(original: Path, destination: Path) -> Path:
    """A copy of a whole project folder (sources, editions, site, PDF cache)."""
    shutil.copytree(original, destination, symlinks=True)
    return destination


@dataclass
class PublishedEditions:
    """The sample handbook after editions A and B, and what was published at A."""

    project: Path
    a_published: dict[str, str]
    """SHA-256 of site/pdf/* right after publishing A."""
    b_result: Result


@pytest.fixture(scope="session")
def published_editions(tmp_path_factory: pytest.TempPathFactory) -> PublishedEditions:
    """Publish A; change Pinole's email deadline from 2 to 3 business days (text, target, short
    form and summary) with a substantive history entry; publish B (the issue's acceptance
    scenario)."""

    def publish(folder: Path) -> PublishedEditions:
        project = make_project(folder / "project", None)
        first = run_handbook(
            "publish", "--edition", "A", "--summary", "First edition.", cwd=project
        )
        assert first.returncode == 0, first.stderr
        a_published = tree_digest(project / "site" / "pdf")
        pinole = project / "policies" / f"{PINOLE}.yaml"
        text = pinole.read_text(encoding="utf-8")
        assert text.count(PINOLE_EMAIL_TARGET) == 1
        text = text.replace(
            PINOLE_EMAIL_TARGET, PINOLE_EMAIL_TARGET.replace("within: 2", "within: 3")
        )
        for before, after in PINOLE_EMAIL_COPIES:
            assert text.count(before) == 1
            text = text.replace(before, after)
        assert text.count("\ncard:") == 1
        text = text.replace(
            "\ncard:",
            f"\n  - date: {handbook_today()}\n    kind: substantive\n"
            "    summary: Emails are now answered within three business days.\ncard:",
        )
        pinole.write_text(text, encoding="utf-8")
        second = run_handbook(
            "publish",
            "--edition",
            "B",
            "--summary",
            "Email replies within three days.",
            cwd=project,
        )
        assert second.returncode == 0, second.stderr
        return PublishedEditions(project, a_published, second)

    return built_once(tmp_path_factory, "editions", publish)


@pytest.fixture
def copy(published_editions: PublishedEditions, tmp_path: Path) -> Path:
    """A copy of the sample handbook after editions A and B (B revised Pinole's email target),
    for a test that changes it."""
    return copy_project(published_editions.project, tmp_path / "copy")

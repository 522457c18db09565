"""`make bench`: time our build against the engines alone and the peer PDF plugin.

For each handbook size N it generates a synthetic handbook shaped like the sample one, then
measures in one run on this machine: load + validate + review; the site alone; the full build
(site, book, per-policy PDFs, cards); the rebuild after a one-word edit; a plain Material
`mkdocs build` of the same pages; one plain WeasyPrint render of the same book HTML; and
mkdocs-to-pdf at N <= 100. Results go to benchmarks/results.md and benchmarks/results.png.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from benchmarks.measure import Measurement, median, run_measured
from benchmarks.synth import edit_one_policy, generate_project

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
PEER_MAX_N = 100


@dataclass
class SizeResult:
    """Every measurement for one handbook size."""

    n: int
    figures: dict[str, Measurement] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _helper(name: str, *args: str) -> list[str]:
    return [PYTHON, "-m", f"benchmarks.{name}", *args]


def _repeat(runs: int, action: callable) -> Measurement:  # type: ignore[valid-type]
    return median([action() for _ in range(runs)])


def measure_size(n: int, runs: int, work: Path, peers: bool) -> SizeResult:
    """Generate a handbook of `n` policies and take every measurement on it."""
    result = SizeResult(n)
    project = generate_project(work / f"n{n}", n)
    env = {"SOURCE_DATE_EPOCH": "1795046400"}  # 2026-11-17: fixed, so reviews are stable.

    result.figures["load + validate + review"] = _repeat(
        runs, lambda: _inner_time(_helper("stages", "load", str(project)))
    )
    result.figures["site alone"] = _repeat(
        runs, lambda: run_measured(_helper("stages", "site", str(project)), project, env)
    )

    def full_build() -> Measurement:
        shutil.rmtree(project / "site", ignore_errors=True)
        shutil.rmtree(project / ".cache", ignore_errors=True)
        return run_measured([PYTHON, "-m", "generator.cli", "build"], project, env)

    result.figures["full build"] = _repeat(runs, full_build)

    def rebuild() -> Measurement:
        edit_one_policy(project, 0)
        return run_measured([PYTHON, "-m", "generator.cli", "build"], project, env)

    result.figures["rebuild after one edit"] = _repeat(runs, rebuild)

    plain = work / f"plain-n{n}"
    subprocess.run(
        _helper("stages", "export", str(project), str(plain)), check=True, cwd=ROOT, env=_env(env)
    )
    result.figures["plain mkdocs build"] = _repeat(
        runs, lambda: run_measured([PYTHON, "-m", "mkdocs", "build", "-q"], plain, env)
    )
    book_html = plain / "book.html"
    if book_html.exists():
        result.figures["plain WeasyPrint book"] = _repeat(
            runs,
            lambda: run_measured(
                [
                    PYTHON,
                    "-m",
                    "benchmarks.plain_weasyprint",
                    str(book_html),
                    str(plain / "book.pdf"),
                ],
                plain,
                env,
            ),
        )
    else:
        result.notes.append("no book HTML exported: plain WeasyPrint not measured")
    if peers and n <= PEER_MAX_N:
        peer = _peer_python(work)
        if peer is None:
            result.notes.append("mkdocs-to-pdf could not be installed: peer not measured")
        else:
            peer_project = work / f"peer-n{n}"
            shutil.rmtree(peer_project, ignore_errors=True)
            shutil.copytree(plain, peer_project)
            config = (peer_project / "mkdocs.yml").read_text(encoding="utf-8")
            config = config.replace(
                "  - search\n", "  - search\n  - to-pdf:\n      output_path: book.pdf\n"
            )
            (peer_project / "mkdocs.yml").write_text(config, encoding="utf-8")
            result.figures["mkdocs-to-pdf (site + book)"] = _repeat(
                max(1, runs if n <= 10 else 1),
                lambda: run_measured([str(peer), "-m", "mkdocs", "build", "-q"], peer_project, env),
            )
    return result


def _inner_time(command: list[str]) -> Measurement:
    """Run a helper that prints its own timing as JSON (excludes interpreter start-up)."""
    completed = subprocess.run(
        command, capture_output=True, text=True, check=True, cwd=ROOT, env=_env()
    )
    data = json.loads(completed.stdout.strip().splitlines()[-1])
    return Measurement(float(data["seconds"]), int(data["peak_rss"]))


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT), **(extra or {})}


def _peer_python(work: Path) -> Path | None:
    """A virtualenv of its own with mkdocs-to-pdf, so its pins never touch ours."""
    venv = work / "venv-mkdocs-to-pdf"
    python = venv / "bin" / "python"
    if python.exists():
        return python
    try:
        subprocess.run([PYTHON, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "-q",
                "mkdocs-to-pdf",
                "mkdocs-material",
                "mkdocs<1.7",
            ],
            check=True,
        )
    except subprocess.CalledProcessError:
        return None
    return python


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write results.md and results.png."""
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=HERE / "work")
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--no-peers", action="store_true", help="skip mkdocs-to-pdf")
    arguments = parser.parse_args(argv)
    sizes = [int(text) for text in arguments.sizes.split(",")]
    arguments.work.mkdir(parents=True, exist_ok=True)
    results = []
    for n in sizes:
        runs = 1 if n >= 1000 else arguments.runs
        print(f"N = {n} ({runs} run{'s' if runs > 1 else ''}) ...", flush=True)
        results.append(measure_size(n, runs, arguments.work, not arguments.no_peers))
    from benchmarks.report import write_plot, write_results

    arguments.out.mkdir(parents=True, exist_ok=True)
    write_results(results, arguments.out / "results.md", _environment())
    write_plot(results, arguments.out / "results.png")
    print(f"wrote {arguments.out / 'results.md'} and {arguments.out / 'results.png'}")
    return 0


def _environment() -> dict[str, str]:
    versions = {
        name: metadata.version(name)
        for name in ("mkdocs", "mkdocs-material", "weasyprint", "pydantic", "PyYAML", "Jinja2")
    }
    return {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "python": platform.python_version(),
        **versions,
    }


if __name__ == "__main__":
    sys.exit(main())

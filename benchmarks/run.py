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
from typing import Any

import yaml

from benchmarks.measure import Measurement, median, run_measured
from benchmarks.synth import add_policies, edit_one_policy, generate_project

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
PEER_MAX_N = 100
# Above this size only load, site alone and the plain mkdocs build are measured. The targets of
# the replacement-pages issue need a full build, the rebuild and the plain WeasyPrint book at
# N = 1,000 too (the book alone takes minutes and gigabytes there): `make bench` takes over an
# hour on 2 cores; `--full-max 100` skips them.
FULL_MAX_N = 1000


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


def _say(text: str) -> None:
    print(f"  {text}", flush=True)


def measure_size(
    n: int, runs: int, work: Path, peers: bool, full_max: int = FULL_MAX_N
) -> SizeResult:
    """Generate a handbook of `n` policies and take every measurement on it."""
    result = SizeResult(n)
    project = generate_project(work / f"n{n}", n)
    env = {"SOURCE_DATE_EPOCH": "1795046400"}  # 2026-11-17: fixed, so reviews are stable.

    _say("load + validate + review")
    result.figures["load + validate + review"] = _repeat(
        runs, lambda: _inner_time(_helper("stages", "load", str(project)))
    )
    _say("site alone")
    result.figures["site alone"] = _repeat(
        runs, lambda: run_measured(_helper("stages", "site", str(project)), project, env)
    )
    plain = work / f"plain-n{n}"
    subprocess.run(
        _helper("stages", "export", str(project), str(plain)), check=True, cwd=ROOT, env=_env(env)
    )
    _say("plain mkdocs build")
    result.figures["plain mkdocs build"] = _repeat(
        runs, lambda: run_measured([PYTHON, "-m", "mkdocs", "build", "-q"], plain, env)
    )
    if n > full_max:
        result.notes.append(
            "only load, site alone and the plain mkdocs build are measured at this size (what "
            "its targets need); a full build, the book and the rebuild are measured up to "
            f"N = {full_max}, to keep `make bench` shorter"
        )
        return result

    def full_build() -> Measurement:
        shutil.rmtree(project / "site", ignore_errors=True)
        shutil.rmtree(project / ".cache", ignore_errors=True)
        return run_measured([PYTHON, "-m", "generator.cli", "build"], project, env)

    _say("full build")
    result.figures["full build"] = _repeat(runs, full_build)

    def rebuild() -> Measurement:
        edit_one_policy(project, 0)
        return run_measured([PYTHON, "-m", "generator.cli", "build"], project, env)

    _say("rebuild after one edit")
    result.figures["rebuild after one edit"] = _repeat(runs, rebuild)
    measure_editions(result, project, work, runs, env)
    if n <= PEER_MAX_N:
        # Only its comparisons at N <= 100 use it; at 1,000 it would add minutes to the run.
        _say("our book alone")
        result.figures["our book alone"] = _repeat(
            runs, lambda: run_measured(_helper("stages", "book", str(project)), project, env)
        )

    book_html = plain / "book.html"
    if book_html.exists():
        _say("plain WeasyPrint book")
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
            _say("mkdocs-to-pdf")
            peer_project = work / f"peer-n{n}"
            shutil.rmtree(peer_project, ignore_errors=True)
            shutil.copytree(plain, peer_project)
            config = yaml.safe_load((peer_project / "mkdocs.yml").read_text(encoding="utf-8"))
            config["plugins"] = [*config["plugins"], {"to-pdf": {"output_path": "book.pdf"}}]
            (peer_project / "mkdocs.yml").write_text(
                yaml.safe_dump(config, sort_keys=False), encoding="utf-8"
            )
            peer_pdf = peer_project / "site" / "book.pdf"

            def peer_build() -> Measurement:
                peer_pdf.unlink(missing_ok=True)
                measured = run_measured(
                    [str(peer), "-m", "mkdocs", "build", "-q"], peer_project, env
                )
                # A plugin that silently did nothing would make the peer look as fast as a site.
                if not peer_pdf.is_file():
                    raise RuntimeError(f"mkdocs-to-pdf wrote no {peer_pdf}")
                return measured

            result.figures["mkdocs-to-pdf (site + book)"] = _repeat(
                max(1, runs if n <= 10 else 1), peer_build
            )
    return result


# ---- HR's case (issue 24): the handbook after its first publish, then with policies added.
EDITION_DATE = dt.date(2026, 11, 16)  # SOURCE_DATE_EPOCH's day in the handbook's time zone.
ADDED_SHARE = 0.05
WITH_EDITION = "edition present"
WITH_ADDED = "5 % added since the edition"


def measure_editions(
    result: SizeResult, project: Path, work: Path, runs: int, env: dict[str, str]
) -> None:
    """Full build and one-word rebuild with an edition published, then again with 5 % of the
    policies added since it (at least one)."""
    published = work / f"n{result.n}-edition"
    shutil.rmtree(published, ignore_errors=True)
    shutil.copytree(project, published, ignore=shutil.ignore_patterns("site", ".cache"))
    build = [PYTHON, "-m", "generator.cli", "build"]
    _say("publishing an edition (not measured)")
    publish = [PYTHON, "-m", "generator.cli", "publish", "--edition", "bench-1"]
    publish += ["--date", EDITION_DATE.isoformat(), "--summary", "The benchmark's edition."]
    done = subprocess.run(publish, cwd=published, env=_env(env), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"publishing the benchmark's edition failed:\n{done.stderr}")

    def full_build() -> Measurement:
        shutil.rmtree(published / "site", ignore_errors=True)
        shutil.rmtree(published / ".cache", ignore_errors=True)
        return run_measured(build, published, env)

    def rebuild() -> Measurement:
        edit_one_policy(published, 0, EDITION_DATE)
        return run_measured(build, published, env)

    for case in (WITH_EDITION, WITH_ADDED):
        if case == WITH_ADDED:
            added = max(1, round(result.n * ADDED_SHARE))
            add_policies(published, added)
            result.notes.append(f"{case}: {added} of {result.n + added} policies added")
        _say(f"full build, {case}")
        result.figures[f"full build, {case}"] = _repeat(runs, full_build)
        _say(f"rebuild after one edit, {case}")
        result.figures[f"rebuild after one edit, {case}"] = _repeat(runs, rebuild)


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
    parser.add_argument(
        "--full-max",
        type=int,
        default=FULL_MAX_N,
        help="largest N with a full build, book and rebuild measured",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="measure nothing; rewrite results.md and results.png from the last run's figures",
    )
    parser.add_argument(
        "--search-only",
        action="store_true",
        help="measure only the first search in Chromium at the largest size (benchmarks/search.py)"
        " and update the search section of results.md",
    )
    parser.add_argument(
        "--no-search",
        action="store_true",
        help="skip the search measurement; results.md keeps the last one's section",
    )
    arguments = parser.parse_args(argv)
    # Every build measured keeps its own PDF cache: a shared one (README: Performance) would
    # turn a full build into a cached one.
    os.environ.pop("HANDBOOK_PDF_CACHE", None)
    sizes = [int(text) for text in arguments.sizes.split(",")]
    if arguments.search_only or not (arguments.report_only or arguments.no_search):
        from benchmarks.report import write_search_section
        from benchmarks.search import measure_and_save

        print(f"search at N = {max(sizes)} ...", flush=True)
        arguments.out.mkdir(parents=True, exist_ok=True)
        measure_and_save(
            max(sizes), arguments.runs, arguments.work, arguments.out / "search-results.json"
        )
        if arguments.search_only:
            write_search_section(arguments.out / "results.md")
            print(f"wrote the search section of {arguments.out / 'results.md'}")
            return 0
    arguments.work.mkdir(parents=True, exist_ok=True)
    # The raw figures of the last run, so the report can be rewritten without measuring again.
    raw = arguments.work / "results.json"
    if arguments.report_only:
        saved = json.loads(raw.read_text(encoding="utf-8"))
        results = [_result_from_json(item) for item in saved["results"]]
        environment = saved["environment"]
    else:
        results = []
        for n in sizes:
            runs = 1 if n >= 1000 else arguments.runs
            print(f"N = {n} ({runs} run{'s' if runs > 1 else ''}) ...", flush=True)
            results.append(
                measure_size(n, runs, arguments.work, not arguments.no_peers, arguments.full_max)
            )
        environment = _environment()
        raw.write_text(
            json.dumps(
                {"environment": environment, "results": [_result_to_json(r) for r in results]},
                indent=2,
            ),
            encoding="utf-8",
        )
    from benchmarks.report import write_plot, write_results

    arguments.out.mkdir(parents=True, exist_ok=True)
    write_results(results, arguments.out / "results.md", environment)
    write_plot(results, arguments.out / "results.png")
    print(f"wrote {arguments.out / 'results.md'} and {arguments.out / 'results.png'}")
    return 0


def _result_to_json(result: SizeResult) -> dict[str, object]:
    return {
        "n": result.n,
        "figures": {
            name: [figure.seconds, figure.peak_rss] for name, figure in result.figures.items()
        },
        "notes": result.notes,
    }


def _result_from_json(item: dict[str, Any]) -> SizeResult:
    figures = {name: Measurement(float(s), int(m)) for name, (s, m) in item["figures"].items()}
    return SizeResult(int(item["n"]), figures, list(item["notes"]))


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

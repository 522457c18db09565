"""The house rules: ARCHITECTURE.md names every module there is, and the import-linter contracts
in pyproject.toml (one library per room, no import circles, no import of a higher layer) hold,
and fail when someone breaks them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
# A row of ARCHITECTURE.md's module table: a module (`generator/review.py`), or a package
# (`generator/pdf/`) whose cell names its modules (`layout.py`).
TABLE_ROW = re.compile(r"^\| `(generator/[a-z_/]+?(?:\.py|/))` \| (.*) \|$", re.MULTILINE)
MODULE_FILE = re.compile(r"`([a-z_]+\.py)`")


def documented_modules() -> set[str]:
    """The module paths that ARCHITECTURE.md's module table names."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set()
    for path, cell in TABLE_ROW.findall(text):
        if path.endswith(".py"):
            named.add(path)
        else:
            named.update(path + name for name in MODULE_FILE.findall(cell))
    return named


def existing_modules() -> set[str]:
    """Every module of the generator package, but the package files that only re-export."""
    return {
        str(path.relative_to(ROOT))
        for path in (ROOT / "generator").rglob("*.py")
        if path.name not in ("__init__.py", "__main__.py")
    }


def test_architecture_names_every_module_and_only_modules_that_exist() -> None:
    documented = documented_modules()
    existing = existing_modules()
    assert sorted(existing - documented) == [], "modules missing from ARCHITECTURE.md"
    assert sorted(documented - existing) == [], "ARCHITECTURE.md names modules that do not exist"


def test_no_module_is_longer_than_a_reader_can_hold_unless_it_says_why() -> None:
    for path in (ROOT / "generator").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > 550:
            docstring = text.split('"""')[1] if text.startswith('"""') else ""
            assert "one piece" in docstring, f"{path.relative_to(ROOT)} is long and says not why"


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the `generator` package of `project`, with its pyproject.toml."""
    environment = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def copy_of_the_code(destination: Path) -> Path:
    """The generator package and its pyproject.toml, to break on purpose."""
    shutil.copytree(ROOT / "generator", destination / "generator")
    shutil.copy(ROOT / "pyproject.toml", destination / "pyproject.toml")
    return destination


def test_the_layering_contracts_hold() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def add_import(module: Path, line: str) -> None:
    """Put `line` after a module's docstring and `from __future__` import."""
    text = module.read_text(encoding="utf-8")
    anchor = "from __future__ import annotations\n"
    assert anchor in text
    module.write_text(text.replace(anchor, anchor + line + "\n", 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # A circle: the model reaching up to the renderer, which imports the model.
        ("generator/model/handbook.py", "from .. import render  # noqa", "No import circles"),
        # A second room for a library.
        (
            "generator/review.py",
            "import weasyprint  # noqa",
            "Only the PDF layout imports WeasyPrint",
        ),
        ("generator/render/pages.py", "import mkdocs  # noqa", "Only the site imports MkDocs"),
        # Something importing the command line.
        ("generator/pipeline.py", "from . import cli  # noqa", "Layers"),
    ],
)
def test_a_broken_rule_fails_the_contracts(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    project = copy_of_the_code(tmp_path)
    add_import(project / module, line)
    result = lint_imports(project)
    assert result.returncode == 1, result.stdout
    broken_contracts = [
        text for text in result.stdout.splitlines() if text.endswith("BROKEN") and broken in text
    ]
    assert broken_contracts, result.stdout

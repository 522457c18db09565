"""Every command the README shows runs as written, from the project root, in a new shell.

Each ```sh block of README.md runs in its own fresh copy of the project (the files a clone
would have, with the working tree's changes), its commands in order, each in its own
`bash -c` with a plain environment: no activated virtualenv, no PYTHONPATH, no make variables
from an outer `make test`. The copy shares this checkout's installed .venv through a symlink,
so nothing is installed again. A command added to the README runs by default; one that cannot
run here goes into NOT_RUN below, with the reason, and one that is meant to fail on the sample
handbook goes into EXIT_STATUS.

Only commands belong in ```sh blocks; a command shown with its output goes in a plain ```
block (`$ command` and what it prints), which is not run.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow

README = ROOT / "README.md"

# Commands the test does not run, as written in the README (comments and extra spaces aside).
NOT_RUN = {
    "make test": "runs the whole suite, this test included",
    "make serve": "a preview that runs until Ctrl-C (tests/browser/test_live_reload.py runs it)",
    "rsync -a --delete site/ web01:/srv/www/handbook/": "needs the web server web01",
    "rsync -a --delete site/ /mnt/intranet/handbook/": "needs the shared drive mounted",
}

# Commands that exit non-zero on the sample handbook by design, with the status they give.
EXIT_STATUS = {
    "make check": (2, "policies are overdue: handbook check exits 1, and make then exits 2"),
    ".venv/bin/handbook check --today 2026-11-27": (1, "policies were overdue on that day"),
    ".venv/bin/handbook check --fail-on due-soon": (1, "policies are overdue"),
}

# A new shell, as a person opens one: the system's PATH, a home of its own, nothing else.
SHELL_ENVIRONMENT = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
}


@dataclass(frozen=True)
class Block:
    """One ```sh block: the README line it starts on, and its commands in order."""

    line: int
    commands: list[str]


def sh_blocks(text: str) -> list[Block]:
    """Every ```sh block of a Markdown text, one command per line (`\\` joins lines)."""
    blocks = []
    for match in re.finditer(r"^```sh\n(.*?)^```$", text, re.MULTILINE | re.DOTALL):
        body = match[1].replace("\\\n", " ")
        commands = [line for line in body.splitlines() if command_key(line)]
        blocks.append(Block(text.count("\n", 0, match.start()) + 1, commands))
    return blocks


def command_key(command: str) -> str:
    """A command without its comment and extra spaces, as NOT_RUN and EXIT_STATUS name it."""
    return shlex.join(shlex.split(command, comments=True))


BLOCKS = sh_blocks(README.read_text(encoding="utf-8"))


def clone_files() -> list[str]:
    """The files a clone has, with this checkout's changes: tracked and new, not ignored."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    names = listed.stdout.decode().split("\0")
    return [name for name in names if name and (ROOT / name).is_file()]


def fresh_copy(destination: Path) -> Path:
    """The project as a new clone has it, using this checkout's installed .venv."""
    for name in clone_files():
        (destination / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, destination / name)
    # The copy's .venv is this checkout's, entry by entry, with an install stamp of its own that
    # is newer than the copy's pyproject.toml: `make` then installs nothing. (Were it to install,
    # it would point the shared .venv at this temporary copy.)
    venv = destination / ".venv"
    venv.mkdir()
    for entry in (ROOT / ".venv").iterdir():
        if entry.name != ".installed":
            (venv / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    (venv / ".installed").touch()
    return destination


def test_the_readme_has_command_blocks_and_the_lists_name_only_readme_commands() -> None:
    shown = {command_key(command) for block in BLOCKS for command in block.commands}
    assert "make build" in shown
    # A command that left the README leaves the lists too, so they never excuse a new one.
    assert set(NOT_RUN) - shown == set()
    assert set(EXIT_STATUS) - shown == set()


@pytest.mark.parametrize("block", BLOCKS, ids=[f"README.md:{block.line}" for block in BLOCKS])
def test_every_readme_command_runs_as_written(block: Block, tmp_path: Path) -> None:
    assert (ROOT / ".venv" / "bin" / "handbook").is_file(), "run `make install` first"
    project = fresh_copy(tmp_path / "project")
    home = tmp_path / "home"
    home.mkdir()
    for command in block.commands:
        key = command_key(command)
        if key in NOT_RUN:
            continue
        expected, _ = EXIT_STATUS.get(key, (0, ""))
        completed = subprocess.run(
            ["bash", "-c", command],
            cwd=project,
            env={**SHELL_ENVIRONMENT, "HOME": str(home)},
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert completed.returncode == expected, (
            f"README.md:{block.line}: `{command}` exited {completed.returncode}, "
            f"expected {expected}\n{completed.stdout}\n{completed.stderr}"
        )
        assert "Traceback" not in completed.stderr, completed.stderr

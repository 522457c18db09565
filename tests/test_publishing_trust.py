"""Publishing HR can trust (issue 23): no empty edition, a draft never blocks other work, and
messages that name what the person typed and the rule as the site names it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from test_make_targets import make
from test_readme_commands import fresh_copy

from conftest import (
    PINOLE,
    PINOLE_EMAIL_TARGET,
    make_project,
    run_handbook,
    tree_digest,
)
from generator.changes import ChangeKind, reader_fields
from generator.model import load_handbook
from generator.prepare import prepare
from generator.render import Renderer, SiteOptions

pytestmark = pytest.mark.slow


# ---- an edition with nothing in it


def test_publishing_when_nothing_changed_is_refused_and_writes_nothing(copy: Path) -> None:
    editions = tree_digest(copy / "editions")
    site = tree_digest(copy / "site")
    result = run_handbook(
        "publish", "--edition", "C", "--summary", "Pinole: email replies in three days.", cwd=copy
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "handbook publish: nothing changed since edition 'B' of "
        f"{json.loads((copy / 'editions/B/manifest.json').read_text())['date']}: no policy was "
        "added, retired or revised and no review was recorded, so this edition would record a "
        "change that was never made; nothing was changed"
    )
    assert tree_digest(copy / "editions") == editions
    assert tree_digest(copy / "site") == site


def test_an_edition_that_recorded_no_change_does_not_hide_the_latest_real_one(
    copy: Path,
) -> None:
    """An empty edition C (as `publish` made before it refused them) stands after B: What's
    new still shows B's change, not 'Nothing changed from edition B to edition C'."""
    shutil.copytree(copy / "editions" / "B", copy / "editions" / "C")
    manifest_path = copy / "editions" / "C" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest.update(name="C", previous="B", sequence=manifest["sequence"] + 1)
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    prepared = prepare(copy)
    assert [edition.name for edition in prepared.history] == ["A", "B", "C"]
    changes = Renderer(
        prepared.handbook, prepared.report, SiteOptions(), prepared.history
    ).whats_new()
    assert (changes.old_name, changes.new_name) == ("A", "B")
    assert [(c.policy_id, c.kind) for c in changes.policies] == [(PINOLE, ChangeKind.SUBSTANTIVE)]


# ---- a draft blocks nothing


def placeholder_lines(path: Path) -> list[int]:
    """The lines of a file that hold a `handbook new` placeholder."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [number for number, line in enumerate(lines, 1) if "FILL IN:" in line]


def test_a_draft_with_placeholders_blocks_no_other_work(small_project: Path) -> None:
    new = run_handbook("new", "phone-lines", "--title", "Phone Lines", cwd=small_project)
    assert new.returncode == 0, new.stderr
    draft = small_project / "policies" / "phone-lines.yaml"
    placeholders = placeholder_lines(draft)
    assert len(placeholders) == 4

    check = run_handbook("check", "--fail-on", "never", cwd=small_project)
    assert check.returncode == 0, check.stderr
    warned = re.findall(r"^policies/phone-lines\.yaml:(\d+): warning: ", check.stderr, re.M)
    assert [int(line) for line in warned] == placeholders
    assert check.stderr.splitlines()[4] == (
        "policies/phone-lines.yaml: warning: a draft, left out until its 4 problems above are "
        "fixed; they are errors once its status is active (and with handbook check --strict)"
    )

    # Another policy's review is recorded, and the site is built, without the draft.
    other = next(
        p.stem
        for p in sorted((small_project / "policies").glob("*.yaml"))
        if p.stem not in ("handbook", "phone-lines")
    )
    reviewed = run_handbook("reviewed", other, cwd=small_project)
    assert reviewed.returncode == 0, reviewed.stderr
    assert "policies/phone-lines.yaml: warning: a draft, left out" in reviewed.stderr
    built = run_handbook("build", "--drafts", cwd=small_project)
    assert built.returncode == 0, built.stderr
    assert "policies/phone-lines.yaml: warning: a draft, left out" in built.stderr
    assert not (small_project / "site" / "phone-lines").exists()
    assert "Phone Lines" not in (small_project / "site" / "index.html").read_text("utf-8")

    # --strict, and the same file set active: errors, and nothing is published.
    site = tree_digest(small_project / "site")
    strict = run_handbook("check", "--strict", "--fail-on", "never", cwd=small_project)
    assert strict.returncode == 1
    assert strict.stderr.splitlines()[-1] == "4 errors in 1 file; nothing was published"
    draft.write_text(
        draft.read_text(encoding="utf-8").replace("status: draft", "status: active"),
        encoding="utf-8",
    )
    active = run_handbook("build", cwd=small_project)
    assert active.returncode == 1
    assert active.stderr.startswith(f"policies/phone-lines.yaml:{placeholders[0]}: owner.title")
    assert "warning" not in active.stderr
    assert active.stderr.splitlines()[-1] == "4 errors in 1 file; nothing was published"
    assert tree_digest(small_project / "site") == site


def test_a_draft_with_a_bad_field_is_a_warning_at_its_line(small_project: Path) -> None:
    new = run_handbook("new", "phone-lines", "--title", "Phone Lines", cwd=small_project)
    assert new.returncode == 0, new.stderr
    draft = small_project / "policies" / "phone-lines.yaml"
    text = draft.read_text(encoding="utf-8") + "last_reviewed: 01-03-17\n"
    draft.write_text(text, encoding="utf-8")
    line = len(text.splitlines())
    check = run_handbook("check", "--fail-on", "never", cwd=small_project)
    assert check.returncode == 0, check.stderr
    assert check.stderr.splitlines()[:2] == [
        f"policies/phone-lines.yaml:{line}: warning: last_reviewed: expected a date "
        "(YYYY-MM-DD), got '01-03-17'",
        "policies/phone-lines.yaml: warning: a draft, left out until its 1 problem above is "
        "fixed; it is an error once its status is active (and with handbook check --strict)",
    ]


def test_a_draft_yaml_cannot_read_still_stops_the_build(small_project: Path) -> None:
    (small_project / "policies" / "phone-lines.yaml").write_text(
        'id: phone-lines\nstatus: draft\ntitle: "Phone Lines\nsummary: x\n', encoding="utf-8"
    )
    result = run_handbook("check", "--fail-on", "never", cwd=small_project)
    assert result.returncode == 1
    assert result.stderr.startswith("policies/phone-lines.yaml:3: a quote on this line")
    assert result.stderr.splitlines()[-1] == "1 error in 1 file; nothing was published"


def test_publish_goes_ahead_while_an_unrelated_draft_is_unfinished(copy: Path) -> None:
    """The issue's case: an urgent change to a published policy, with a `make new` draft
    still full of placeholders."""
    new = run_handbook("new", "phone-lines", "--title", "Phone Lines", cwd=copy)
    assert new.returncode == 0, new.stderr
    reviewed = run_handbook("reviewed", "portland-bes-customer-service", cwd=copy)
    assert reviewed.returncode == 0, reviewed.stderr
    result = run_handbook("publish", "--edition", "C", "--summary", "Portland reviewed.", cwd=copy)
    assert result.returncode == 0, result.stderr
    assert "policies/phone-lines.yaml: warning: a draft, left out" in result.stderr
    manifest = json.loads((copy / "editions/C/manifest.json").read_text(encoding="utf-8"))
    assert "phone-lines" not in [entry["id"] for entry in manifest["policies"]]


# ---- messages name what was typed


def test_messages_name_the_make_variable_through_make_and_the_flag_directly(
    tmp_path: Path,
) -> None:
    project = fresh_copy(tmp_path / "project")
    through_make = make("publish", "EDITION=2099-01", cwd=project, timeout=600)
    assert through_make.returncode == 2
    assert through_make.stderr.splitlines()[0] == (
        "handbook publish: a change summary is required: "
        'make publish EDITION=2099-01 SUMMARY="what this edition changes"; nothing was changed'
    )
    assert "--summary" not in through_make.stderr
    directly = run_handbook("publish", "--edition", "2099-01", cwd=project)
    assert directly.returncode == 1
    assert directly.stderr.splitlines() == [
        'handbook publish: a change summary is required: --summary "what this edition changes";'
        " nothing was changed"
    ]
    new = make("new", "ID=phone-lines", "TITLE=Phone Lines", cwd=project, timeout=600)
    assert new.returncode == 0, new.stderr
    assert new.stdout.rstrip().endswith("fill in each 'FILL IN:' value; `make check` lists them")


def test_an_unexplained_change_names_the_rule_as_the_site_does(copy: Path) -> None:
    pinole = copy / "policies" / f"{PINOLE}.yaml"
    text = pinole.read_text(encoding="utf-8")
    published = PINOLE_EMAIL_TARGET.replace("within: 2", "within: 3")  # as edition B has it
    line = text[: text.index(published)].count("\n") + 1  # the `within:` line
    pinole.write_text(
        text.replace(published, published.replace("within: 3", "within: 4")),
        encoding="utf-8",
    )
    result = run_handbook("check", "--fail-on", "never", cwd=copy)
    assert result.returncode == 1
    match = re.search(
        rf"^policies/{PINOLE}\.yaml:{line}: (standard (\d+), target): changed since edition 'B'",
        result.stderr,
        re.M,
    )
    assert match is not None, result.stderr
    assert "#" not in result.stderr.splitlines()[0]
    # What's new and the page's anchors count standards the same way.
    labels = reader_fields(load_handbook(make_project(copy.parent / "fresh", None)).policy(PINOLE))
    assert f"Standard {match[2]}, target" in labels
    assert labels[f"Standard {match[2]}, target"] == "within 2 business days (Generally.)"

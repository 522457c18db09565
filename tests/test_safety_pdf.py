"""The PDF side of safety: WeasyPrint reads files inside the project and nothing else, whether
the reference comes from policy text or from print HTML."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import make_project, run_handbook, tree_digest
from generator.pdf import PdfError, render_pdf


class _Recorder(http.server.SimpleHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def web_server(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """A local web server that serves a real image and records every request it gets."""
    served = tmp_path / "served"
    served.mkdir()
    (served / "logo.png").write_bytes(b"an image the build must never ask for")
    requests: list[str] = []
    handler = type("Handler", (_Recorder,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(served))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_a_web_image_in_policy_text_fails_the_build_without_a_request(
    tmp_path: Path, web_server: tuple[str, list[str]]
) -> None:
    address, requests = web_server
    project = make_project(tmp_path / "project", "small")
    result = run_handbook("build", "--today", "2026-11-27", cwd=project)
    assert result.returncode == 0, result.stderr
    before = tree_digest(project / "site")
    source = project / "policies" / "counter-service.yaml"
    source.write_text(
        source.read_text(encoding="utf-8").replace(
            "summary: Serving visitors", f"summary: Serving ![logo]({address}/logo.png) visitors"
        ),
        encoding="utf-8",
    )

    result = run_handbook("build", "--today", "2026-11-27", cwd=project)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert (
        f"policies/counter-service.yaml:6: summary: '{address}/logo.png' cannot be printed: "
        f"refused {address}/logo.png: only files inside the project are used"
    ) in result.stderr.splitlines()
    assert requests == []
    assert tree_digest(project / "site") == before


@pytest.fixture
def project_root(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "pages").mkdir(parents=True)
    # A link inside the project that points outside it.
    os.symlink("/etc/passwd", root / "pages" / "leak.png")
    return root


HOSTILE_HTML = [
    '<img src="file:///etc/passwd" alt="">',
    '<img src="/etc/passwd" alt="">',
    '<img src="../../../../../../etc/passwd" alt="">',
    '<img src="/dev/urandom" alt="">',
    '<img src="leak.png" alt="">',
    '<img src="{web}/logo.png" alt="">',
    '<link rel="stylesheet" href="file:///etc/passwd">',
    '<link rel="stylesheet" href="{web}/print.css">',
    '<style>@import url("file:///etc/passwd");</style>',
    '<p style="background: url(/dev/urandom)">x</p>',
    '<a rel="attachment" href="file:///etc/passwd">attached</a>',
    '<object data="file:///etc/passwd"></object>',
]


@pytest.mark.parametrize("fragment", HOSTILE_HTML)
def test_the_fetcher_refuses_everything_outside_the_project(
    fragment: str, project_root: Path, web_server: tuple[str, list[str]]
) -> None:
    address, requests = web_server
    html = f'<html lang="en"><body><p>Policy</p>{fragment.format(web=address)}</body></html>'
    with pytest.raises(PdfError) as failure:
        render_pdf(html, root=project_root, base_dir=project_root / "pages")
    reasons = ("only files inside the project", "outside the project folder", "does not exist")
    assert any(reason in message for message in failure.value.messages for reason in reasons), (
        failure.value.messages
    )
    assert requests == []


def test_a_file_inside_the_project_is_used(project_root: Path) -> None:
    (project_root / "pages" / "style.css").write_text("p { color: #123456 }")
    html = (
        '<html lang="en"><head><title>x</title><link rel="stylesheet" href="style.css"></head>'
        "<body><p>x</p></body></html>"
    )
    rendered = render_pdf(html, root=project_root, base_dir=project_root / "pages")
    assert rendered.pages == 1
    assert b"root:" not in rendered.data

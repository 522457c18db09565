"""The PDF side of safety: WeasyPrint reads files inside the project and nothing else, whether
the reference comes from policy text or from print HTML."""

from __future__ import annotations

import functools
import http.server
import io
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from PIL import Image

from conftest import make_project, run_handbook, tree_digest
from generator.pdf import PdfError, project_fetcher, render_pdf

PASSWD_FIRST_LINE = Path("/etc/passwd").read_text().splitlines()[0]


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


def attached_files(data: bytes) -> dict[str, bytes]:
    """Every file embedded in a PDF: document attachments and file-attachment annotations."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    found = {name: b"".join(contents) for name, contents in reader.attachments.items()}
    for pdf_page in reader.pages:
        for annotation in pdf_page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/FileAttachment":
                spec = annotation["/FS"].get_object()
                name = str(spec.get("/UF") or spec.get("/F"))
                found[name] = spec["/EF"]["/F"].get_object().get_data()
    return found


def pdf_text_and_images(data: bytes) -> tuple[str, int]:
    """A PDF's text (whitespace folded) and how many raster images its pages draw."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = " ".join(" ".join((p.extract_text() or "") for p in pdf.pages).split())
        images = sum(len(p.images) for p in pdf.pages)
    return text, images


def write_png(path: Path) -> None:
    Image.new("RGB", (8, 8), (200, 30, 30)).save(path)


def test_files_inside_the_project_are_used(project_root: Path) -> None:
    # The positive side, read back the same way as below: a stylesheet, an image and an
    # attachment inside the project all reach the PDF.
    pages = project_root / "pages"
    (pages / "style.css").write_text("p { color: #123456 }")
    (pages / "notes.txt").write_text("notes for the printer\n")
    write_png(pages / "dot.png")
    html = (
        '<html lang="en"><head><title>x</title><link rel="stylesheet" href="style.css"></head>'
        '<body><p>Policy text</p><img src="dot.png" alt="dot">'
        '<a rel="attachment" href="notes.txt">notes</a></body></html>'
    )
    rendered = render_pdf(html, root=project_root, base_dir=pages)
    assert rendered.pages == 1
    text, images = pdf_text_and_images(rendered.data)
    assert "Policy text" in text
    assert images == 1
    assert attached_files(rendered.data) == {"notes.txt": b"notes for the printer\n"}
    with pdfplumber.open(io.BytesIO(rendered.data)) as pdf:
        chars = [char for char in pdf.pages[0].chars if char["text"] == "P"]
    # The stylesheet's colour #123456, as the PDF states it (0 to 1, six decimals).
    assert [char["non_stroking_color"] for char in chars] == [(0.070588, 0.203922, 0.337255)]


OUTSIDE_HTML = (
    '<html lang="en"><body><p>Policy text</p>'
    '<a rel="attachment" href="file:///etc/passwd">one</a>'
    '<a rel="attachment" href="leak.png">two</a>'
    '<link rel="attachment" href="../../../../../../etc/passwd">'
    '<img src="{outside}" alt=""><img src="../../outside.png" alt="">'
    '<img src="picture.png" alt="">'
    "</body></html>"
)


def test_refused_files_never_reach_a_pdf_even_one_written_anyway(project_root: Path) -> None:
    # render_pdf fails on the first refusal (above). Here WeasyPrint writes the PDF despite
    # them, with only our fetcher between it and the disk: nothing outside the project is in it.
    import weasyprint

    outside = project_root.parent / "outside.png"
    write_png(outside)
    os.symlink(outside, project_root / "pages" / "picture.png")
    document = weasyprint.HTML(
        string=OUTSIDE_HTML.format(outside=outside.as_uri()),
        base_url=(project_root / "pages").as_uri() + "/",
        url_fetcher=project_fetcher(project_root),
    )
    data = document.write_pdf()
    text, images = pdf_text_and_images(data)
    assert "Policy text" in text
    assert PASSWD_FIRST_LINE not in text
    assert images == 0
    assert attached_files(data) == {}

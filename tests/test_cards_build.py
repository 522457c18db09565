"""Desk cards of real builds: the PDFs read back with pypdf, pdfplumber, poppler and zxing-cpp."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pytest
from card_reading import (
    ARTIFACTS,
    SITE_URL,
    assert_size,
    page_sizes_mm,
    page_text,
    qr_codes,
    set_handbook_field,
)
from pdf_structure import assert_one_structure_tree
from pypdf import PdfReader

from conftest import SAMPLE_IDS, make_project, run_handbook
from generator.cards import CARD_SIZES, SHEET_SIZES, impose
from generator.cards.qr import QR_CACHE, QrCodes, qr_svg
from html_reading import article, page

pytestmark = pytest.mark.slow

CARD_MM = {"a6": (105.0, 148.0), "4x6": (101.6, 152.4), "3x5": (76.2, 127.0)}
LETTER_MM, A4_MM = (215.9, 279.4), (210.0, 297.0)


def cards_dir(site: Path) -> Path:
    return site / "pdf" / "cards"


# --------------------------------------------------------------------------- the sample handbook


@pytest.mark.parametrize("policy_id", SAMPLE_IDS)
def test_each_card_is_one_a6_page_per_side(sample_site: Path, policy_id: str) -> None:
    sizes = page_sizes_mm(cards_dir(sample_site) / f"{policy_id}.pdf")
    assert len(sizes) == 2  # front, back: neither side ran over
    for size in sizes:
        assert_size(size, CARD_MM["a6"])


def test_card_shows_number_title_edition_and_review_date(sample_site: Path) -> None:
    pdf = cards_dir(sample_site) / "corona-customer-care.pdf"
    front, back = page_text(pdf, 0), page_text(pdf, 1)
    assert "POLICY 03600.001" in front
    assert "Telephone essentials" in front
    assert "Customer Care Policy" in front
    # Renumbered 2017-01-03, never reviewed since: due a year later, overdue on 2026-11-27.
    assert "Review overdue since 2018-01-03" in front
    # 2017-01-03 is the renumbering; the source says "Revised: N/A", so no revision is shown.
    assert "Not yet published as an edition" in front and "Revised" not in front
    assert "refer them to a Supervisor" in front
    assert "Good Morning (or Afternoon) Thank you for calling the City of Corona" in back
    for phrase in (
        "You'll have to . . .",
        "You're wrong . . .",
        "City policy, I can't do anything",
    ):
        assert phrase in back
    assert "Review overdue since 2018-01-03" in back
    moreno = page_text(cards_dir(sample_site) / "moreno-valley-customer-care-standards.pdf", 0)
    assert "Review due 2027-11-27" in moreno  # adopted 2026-11-27, 12-month cycle


def test_sample_cards_keep_the_source_figures(sample_site: Path) -> None:
    pinole = page_text(cards_dir(sample_site) / "pinole-customer-service.pdf", 0)
    assert "within one business day" in pinole
    assert "within two business days" in pinole
    portland = page_text(cards_dir(sample_site) / "portland-bes-customer-service.pdf", 0)
    assert "same day" in portland and "24 hours" in portland
    # Known only by its table of contents: its card gives the summary, no heading as a rule.
    training = page_text(cards_dir(sample_site) / "utility-customer-service-training.pdf", 0)
    assert "Only its table of contents is available" in training
    assert "Follow up with the customer." not in training


@pytest.mark.parametrize("policy_id", SAMPLE_IDS)
def test_body_text_is_at_least_9_points(sample_site: Path, policy_id: str) -> None:
    with pdfplumber.open(cards_dir(sample_site) / f"{policy_id}.pdf") as document:
        for pdf_page in document.pages:
            sizes = [char["size"] for char in pdf_page.chars if char["text"].strip()]
            assert sizes
            assert min(sizes) >= 9 - 0.01


@pytest.mark.parametrize("policy_id", SAMPLE_IDS)
def test_qr_code_on_the_back_decodes_to_the_policy_page(sample_site: Path, policy_id: str) -> None:
    codes = qr_codes(cards_dir(sample_site) / f"{policy_id}.pdf", 2)
    assert [text for text, _, _ in codes] == [f"{SITE_URL}{policy_id}/"]


@pytest.mark.parametrize(
    ("sheet", "paper", "per_sheet"), [("sheet-letter", LETTER_MM, 2), ("sheet-a4", A4_MM, 4)]
)
def test_sheets_hold_every_card_front_and_back(
    sample_site: Path, sheet: str, paper: tuple[float, float], per_sheet: int
) -> None:
    pdf = cards_dir(sample_site) / f"{sheet}.pdf"
    sizes = page_sizes_mm(pdf)
    sheets = -(-len(SAMPLE_IDS) // per_sheet)
    assert len(sizes) == 2 * sheets  # fronts and backs alternate
    for size in sizes:
        assert_size(size, paper)
    backs = [text for n in range(sheets) for text, _, _ in qr_codes(pdf, 2 * n + 2)]
    assert sorted(backs) == sorted(f"{SITE_URL}{policy_id}/" for policy_id in SAMPLE_IDS)
    fronts = [text for n in range(sheets) for text, _, _ in qr_codes(pdf, 2 * n + 1)]
    assert fronts == []


def test_sheet_backs_mirror_the_fronts(sample_site: Path) -> None:
    pdf = cards_dir(sample_site) / "sheet-a4.pdf"
    card_w, card_h = CARD_MM["a6"]
    with pdfplumber.open(pdf) as document:
        front = document.pages[0]
        fronts = {}
        for index, title in enumerate(
            ["Telephone essentials", "Customer care standards", "Response deadlines"]
        ):
            [found] = front.search(title)
            fronts[SAMPLE_IDS[index]] = (
                int(found["x0"] / (72 / 25.4) // card_w),
                int(found["top"] / (72 / 25.4) // card_h),
            )
    backs = {}
    for url, x_mm, y_mm in qr_codes(pdf, 2):
        backs[url.removeprefix(SITE_URL).rstrip("/")] = (int(x_mm // card_w), int(y_mm // card_h))
    assert len(backs) == 4
    for policy_id, (column, row) in fronts.items():
        assert backs[policy_id] == (1 - column, row)


@pytest.mark.parametrize("sheet_key", ["letter", "a4"])
def test_sheets_are_the_cards_own_pages_in_one_structure_tree(
    sample_site: Path, sheet_key: str
) -> None:
    # Each card is laid out once: the sheets show its very pages, word for word in the same
    # places, and stay one tagged document (PDF/UA is checked in test_pdf_ua.py).
    sheet = cards_dir(sample_site) / f"sheet-{sheet_key}.pdf"
    assert_one_structure_tree(sheet)
    layout = impose(CARD_SIZES["a6"], SHEET_SIZES[sheet_key])
    mm = 72 / 25.4
    with pdfplumber.open(sheet) as sheets:
        for index, policy_id in enumerate(SAMPLE_IDS):
            sheet_number, slot = divmod(index, layout.per_sheet)
            with pdfplumber.open(cards_dir(sample_site) / f"{policy_id}.pdf") as card:
                for side, card_page in (("front", 0), ("back", 1)):
                    x, y = layout.position(slot, side)
                    page = sheets.pages[2 * sheet_number + card_page]
                    region = page.crop((x * mm, y * mm, (x + 105) * mm, (y + 148) * mm))
                    on_sheet = " ".join((region.extract_text() or "").split())
                    own = " ".join((card.pages[card_page].extract_text() or "").split())
                    assert own and on_sheet == own, (policy_id, side)


def test_policy_pages_and_desk_cards_page_link_every_card(sample_site: Path) -> None:
    for policy_id in SAMPLE_IDS:
        links = [a["href"] for a in article(page(sample_site, policy_id)).select("a[href]")]
        assert f"../pdf/cards/{policy_id}.pdf" in links
    listing = article(page(sample_site, "cards"))
    hrefs = [a["href"] for a in listing.select("a[href]") if not a["href"].startswith("#")]
    for policy_id in SAMPLE_IDS:
        assert f"../pdf/cards/{policy_id}.pdf" in hrefs
    assert "../pdf/cards/sheet-letter.pdf" in hrefs
    assert "../pdf/cards/sheet-a4.pdf" in hrefs
    for href in hrefs:
        assert (sample_site / "cards" / href).resolve().exists(), href
    text = " ".join(listing.get_text(" ").split())
    assert "flip on long edge" in text
    assert "4 cards to a sheet, 4 pages" in text  # A4: five A6 cards on two sheets


def test_cards_and_sheets_as_png_for_people_to_look_at(sample_site: Path) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for pdf in sorted(cards_dir(sample_site).glob("*.pdf")):
        subprocess.run(["pdftoppm", "-r", "100", "-png", pdf, ARTIFACTS / pdf.stem], check=True)
    written = sorted(path.name for path in ARTIFACTS.glob("*.png"))
    assert "corona-customer-care-1.png" in written
    assert "corona-customer-care-2.png" in written
    assert "sheet-a4-1.png" in written and "sheet-letter-6.png" in written


# --------------------------------------------------------------------------- other handbooks


@pytest.mark.parametrize("card_size", ["4x6", "3x5"])
def test_index_card_sizes(tmp_path: Path, card_size: str) -> None:
    project = make_project(tmp_path / "project", "small")
    set_handbook_field(project, "card_size", card_size)
    result = run_handbook("build", "--today", "2026-11-27", cwd=project)
    assert result.returncode == 0, result.stderr
    folder = cards_dir(project / "site")
    for policy_id in ("phone-response", "counter-service"):
        sizes = page_sizes_mm(folder / f"{policy_id}.pdf")
        assert len(sizes) == 2
        for size in sizes:
            assert_size(size, CARD_MM[card_size])
    # Two cards: one sheet of fronts and one of backs, on either paper.
    for sheet, paper in (("sheet-letter", LETTER_MM), ("sheet-a4", A4_MM)):
        sizes = page_sizes_mm(folder / f"{sheet}.pdf")
        assert len(sizes) == 2
        for size in sizes:
            assert_size(size, paper)
    codes = qr_codes(folder / "phone-response.pdf", 2)
    assert [text for text, _, _ in codes] == [
        "https://intranet.example.gov/handbook/phone-response/"
    ]


OVERFULL_CARD = """card:
  title: Everything at once
  points:
""" + "".join(
    f"    - note: Point {n}, a long rule that a clerk would never read at the counter, written out "
    "in full sentences so that it wraps onto several lines of the card.\n"
    for n in range(1, 15)
)


def test_an_overfull_card_fails_the_build_at_its_card_line(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", "small")
    source = project / "policies" / "phone-response.yaml"
    text = source.read_text()
    card_line = text.count("\n") + 1
    source.write_text(text + OVERFULL_CARD)
    result = run_handbook("build", "--today", "2026-11-27", cwd=project)
    assert result.returncode == 1
    *_, error, summary = result.stderr.splitlines()
    assert re.fullmatch(
        rf"policies/phone-response\.yaml:{card_line}: card: the desk card's front does not fit "
        r"on one A6 card \(105 by 148 mm\) \(it runs to [2-9] pages\); shorten or remove "
        r"points, or move some to card\.back",
        error,
    )
    assert summary == "1 error in 1 file; nothing was published"
    assert "Traceback" not in result.stderr
    assert not (project / "site").exists()


def test_an_overfull_back_is_named_too(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", "small")
    source = project / "policies" / "counter-service.yaml"
    text = source.read_text()
    card_line = text.count("\n") + 1
    back = "".join(
        f"      - note: Back point {n}, long enough to wrap onto a second line.\n"
        for n in range(30)
    )
    source.write_text(
        text + f"card:\n  points: [{{note: Greet every visitor.}}]\n  back:\n    points:\n{back}"
    )
    result = run_handbook("build", "--today", "2026-11-27", cwd=project)
    assert result.returncode == 1
    assert (
        f"policies/counter-service.yaml:{card_line}: card: the desk card's back does not fit"
        in (result.stderr)
    )


def test_a_long_derived_card_keeps_what_fits(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", "small")
    source = project / "policies" / "counter-service.yaml"
    standards = "".join(
        f"  - commitment: Standard {n}, a commitment long enough to take two lines on a card.\n"
        for n in range(1, 31)
    )
    source.write_text(source.read_text() + "standards:\n" + standards)
    result = run_handbook("build", "--today", "2026-11-27", cwd=project)
    assert result.returncode == 0, result.stderr
    pdf = cards_dir(project / "site") / "counter-service.pdf"
    assert len(PdfReader(pdf).pages) == 2
    front = page_text(pdf, 0)
    match = re.search(r"… and (\d+) more in the full policy\.", front)
    assert match is not None
    shown = int(match.group(1))
    assert 1 <= 30 - shown < 30
    assert f"Standard {30 - shown}," in front and f"Standard {31 - shown}," not in front


def test_without_site_url_cards_have_no_qr_code_and_the_build_warns(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", "small")
    set_handbook_field(project, "site_url", None)
    result = run_handbook("build", "--today", "2026-11-27", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (
        "policies/handbook.yaml: warning: site_url is not set, so the desk cards have no QR "
        "code to the policy page"
    ) in result.stderr.splitlines()
    pdf = cards_dir(project / "site") / "phone-response.pdf"
    assert qr_codes(pdf, 2) == []
    assert "The full policy is in the handbook" in page_text(pdf, 1)
    # --site-url supplies the address for one build.
    again = run_handbook(
        "build",
        "--today",
        "2026-11-27",
        "--site-url",
        "https://hr.cityofexample.org/h/",
        cwd=project,
    )
    assert again.returncode == 0, again.stderr
    assert "warning: site_url" not in again.stderr
    assert [t for t, _, _ in qr_codes(pdf, 2)] == ["https://hr.cityofexample.org/h/phone-response/"]
    shutil.rmtree(project / "site")


@pytest.mark.parametrize("policy_id", SAMPLE_IDS)
def test_the_quick_rewrite_of_a_placed_card_page_equals_the_parsed_one(
    sample_site: Path, policy_id: str
) -> None:
    # Placing a card page on a sheet renames its resources and moves its marked-content ids;
    # the byte-level rewrite used for speed must give the same operators as parsing does.
    import pikepdf

    from generator.pdf.impose import _parsed_and_rewritten, _rewritten_content

    with pikepdf.open(cards_dir(sample_site) / f"{policy_id}.pdf") as pdf:
        for page in pdf.pages:
            names = {
                (str(category), str(name)): pikepdf.Name(f"/s3p1{str(name)[1:]}")
                for category in page.Resources
                for name in page.Resources[category]
            }
            assert names

            def operators(data: bytes) -> list[tuple[list[str], str]]:
                stream = pikepdf.Stream(pdf, data)
                return [
                    ([repr(o) for o in i.operands], str(i.operator))
                    for i in pikepdf.parse_content_stream(stream)
                ]

            quick = operators(_rewritten_content(page, names, 7))
            assert quick == operators(_parsed_and_rewritten(page, names, 7))
            assert any(operator == "BDC" and "7" in " ".join(ops) for ops, operator in quick)


# --------------------------------------------------------------------------- QR codes kept


def test_qr_codes_are_kept_between_builds_only_while_the_drawer_is_the_same(
    tmp_path: Path,
) -> None:
    url = f"{SITE_URL}phone-response/"
    drawn = QrCodes(tmp_path)
    svg = drawn.svg(url, 20.0)
    assert svg == qr_svg(url, 20.0) and svg.startswith('<svg width="20.0mm"')
    drawn.svg(f"{SITE_URL}counter-service/", 20.0)
    drawn.save()
    kept = json.loads((tmp_path / QR_CACHE).read_text(encoding="utf-8"))
    assert sorted(kept["codes"]) == [f"20.0:{SITE_URL}counter-service/", f"20.0:{url}"]
    # What was kept is what the next build uses (marked here so that it shows).
    kept["codes"][f"20.0:{url}"] = "<svg>kept</svg>"
    (tmp_path / QR_CACHE).write_text(json.dumps(kept), encoding="utf-8")
    again = QrCodes(tmp_path)
    assert again.svg(url, 20.0) == "<svg>kept</svg>"
    assert again.svg(url, 25.0) == qr_svg(url, 25.0)  # Another size is another code.
    again.save()  # Only the codes this build used are kept.
    assert sorted(json.loads((tmp_path / QR_CACHE).read_text(encoding="utf-8"))["codes"]) == [
        f"20.0:{url}",
        f"25.0:{url}",
    ]
    # Codes kept by another drawer (another segno, or this code changed) are not used.
    kept["drawn_by"] = "another"
    (tmp_path / QR_CACHE).write_text(json.dumps(kept), encoding="utf-8")
    assert QrCodes(tmp_path).svg(url, 20.0) == svg


def test_a_card_laid_out_again_with_its_kept_qr_code_still_leads_to_its_page(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path / "project", "small")
    assert run_handbook("build", "--today", "2026-11-27", cwd=project).returncode == 0
    assert (project / QR_CACHE).is_file()
    source = project / "policies" / "phone-response.yaml"
    text = source.read_text(encoding="utf-8")
    assert text.count("title: Telephone and Voicemail Response") == 1
    source.write_text(
        text.replace("title: Telephone and Voicemail Response", "title: Telephone Response"),
        encoding="utf-8",
    )
    result = run_handbook("build", "--today", "2026-11-27", cwd=project)
    assert result.returncode == 0, result.stderr
    card = cards_dir(project / "site") / "phone-response.pdf"
    assert "TELEPHONE RESPONSE" in page_text(card, 1)  # The card was laid out again.
    codes = qr_codes(card, 2)
    assert [text for text, _, _ in codes] == [f"{SITE_URL}phone-response/"]

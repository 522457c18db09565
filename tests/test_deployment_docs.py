"""The README's IIS `web.config` serves every kind of file a build makes.

IIS answers 404.3 for a file type it has no MIME type for, so a new kind of file in `site/`
(a web manifest, a font) would be missing on IIS until the README's web.config names it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from conftest import ROOT

# File types in IIS's own MIME map (applicationHost.config) since IIS 7.
IIS_SERVES = {".html", ".htm", ".css", ".js", ".png", ".jpg", ".gif", ".svg", ".ico", ".pdf"}
IIS_SERVES |= {".txt", ".xml"}


def readme_web_config() -> ElementTree.Element:
    """The ```xml block of the README that is the IIS web.config."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```xml\n(.*?)^```$", readme, re.MULTILINE | re.DOTALL)
    configs = [block for block in blocks if "<system.webServer>" in block]
    assert len(configs) == 1
    return ElementTree.fromstring(configs[0].encode("utf-8"))


def test_the_iis_web_config_covers_every_file_type_of_the_site(sample_site: Path) -> None:
    config = readme_web_config()
    static = config.find("system.webServer/staticContent")
    assert static is not None
    mapped = {element.get("fileExtension") for element in static.iter("mimeMap")}
    # Each type is removed before it is added, or IIS fails on one it already has.
    removed = {element.get("fileExtension") for element in static.iter("remove")}
    assert mapped <= removed
    made = {path.suffix for path in sample_site.rglob("*") if path.is_file()}
    assert ".ics" in made and ".json" in made
    assert made - IIS_SERVES - mapped == set()
    documents = config.findall("system.webServer/defaultDocument/files/add")
    assert [element.get("value") for element in documents] == ["index.html"]

"""The pipeline: load the model once, review it, render it, and build every output from it.

The CLI and the MkDocs plugin (under `mkdocs serve`) both call in here; no stage re-reads files.
"""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildFailed, SourceError
from .model import Handbook, load_handbook
from .publish import build_lock, discard, new_build_dir, remove_leftovers, swap_in
from .register import write_register
from .render import Renderer, SiteOptions, SitePages
from .review import ReviewReport, review_handbook


def real_today(handbook: Handbook) -> dt.date:
    """The actual current date in the handbook's time zone."""
    return dt.datetime.now(zoneinfo.ZoneInfo(handbook.settings.timezone)).date()


def resolve_today(handbook: Handbook, override: dt.date | None) -> dt.date:
    """The day reviews are computed for: --today, else SOURCE_DATE_EPOCH, else now (local)."""
    if override is not None:
        return override
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    zone = zoneinfo.ZoneInfo(handbook.settings.timezone)
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), zone).date()
        except (ValueError, OverflowError):
            raise BuildFailed(
                [
                    SourceError(
                        "SOURCE_DATE_EPOCH", 0, "", f"expected seconds since 1970, got {epoch!r}"
                    )
                ],
                "nothing was published",
            ) from None
    return dt.datetime.now(zone).date()


@dataclass(frozen=True)
class Prepared:
    """The validated model and its review report: what every output is built from."""

    handbook: Handbook
    report: ReviewReport


def prepare(root: Path, today: dt.date | None = None) -> Prepared:
    """Load, validate and review the handbook at `root`."""
    handbook = load_handbook(root)
    day = resolve_today(handbook, today)
    report = review_handbook(handbook, day, real_today(handbook))
    return Prepared(handbook, report)


def prepare_site_pages(root: Path) -> SitePages:
    """Pages for `mkdocs serve`: the whole pipeline up to rendering, from the sources."""
    prepared = prepare(root)
    return Renderer(prepared.handbook, prepared.report, SiteOptions()).site_pages()


def build(
    prepared: Prepared,
    site_dir: Path,
    *,
    options: SiteOptions,
    site_url: str | None = None,
) -> None:
    """Build every output into a temporary directory and swap it in as `site_dir`."""
    from .site import build_site

    renderer = Renderer(prepared.handbook, prepared.report, options)
    pages = renderer.site_pages()
    with build_lock(site_dir):
        remove_leftovers(site_dir)
        build_dir = new_build_dir(site_dir)
        try:
            build_site(
                prepared.handbook.root,
                build_dir,
                lambda: pages,
                site_url=site_url or prepared.handbook.settings.site_url,
            )
            write_register(
                prepared.handbook,
                prepared.report,
                build_dir,
                site_url or prepared.handbook.settings.site_url,
            )
        except BaseException:
            discard(build_dir)
            raise
        swap_in(build_dir, site_dir)

"""The pipeline: from the model `prepare` made, render and build every output.

The CLI and the MkDocs plugin (under `mkdocs serve`) both call in here; no stage re-reads files.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .cards import CARD_JOB_PREFIX, CardPlan, card_failures, finish_cards
from .changes import Edition, policy_counts
from .editions import (
    EditionRequest,
    PolicyEntry,
    copy_pdfs,
    discard_staged,
    remove_staging_leftovers,
    stage_edition,
)
from .errors import BuildFailed, SourceError
from .model import Handbook, Status, field_texts, link_targets
from .pdf import (
    Chapter,
    PdfBatch,
    PdfBatchFailed,
    PdfCache,
    PdfFailure,
    PdfJob,
    PdfMetadata,
    assemble_book,
    release_freed_memory,
    source_date,
)
from .prepare import (
    CARDS,
    PDFS,
    PUBLISH,
    RENDER,
    SEARCH,
    SITE,
    NoProgress,
    Prepared,
    Progress,
    prepare,
    reported_stage,
)
from .publish import build_lock, discard, new_build_dir, remove_leftovers, swap_in
from .register import write_register
from .render import PRINT_STYLESHEET, PrintBook, Renderer, SiteOptions, SitePages, print_book
from .search import PendingIndex


def prepare_site_pages(root: Path) -> SitePages:
    """Pages for `mkdocs serve`: the whole pipeline up to rendering, from the sources."""
    prepared = prepare(root)
    return Renderer(
        prepared.handbook, prepared.report, SiteOptions(), prepared.history
    ).site_pages()


def build(
    prepared: Prepared,
    site_dir: Path,
    *,
    options: SiteOptions,
    site_url: str | None = None,
    pdfs: bool = True,
    progress: Progress | None = None,
    before_publish: Callable[[Path], None] | None = None,
) -> None:
    """Build every output into a temporary directory and swap it in as `site_dir`.

    `before_publish`, when given, runs on the finished build folder just before the swap (the
    publish command stages its edition from the PDFs there); if it fails, nothing is published.
    """
    from .cards import cards_page, plan_cards
    from .site import build_site, site_reuse

    # ---- cards (issue 7): every build makes the desk cards, so the pages link to them.
    options = dataclasses.replace(options, card_links=True)
    # ---- PDFs (issue 6): the policy pages link to their PDFs when they are built.
    options = dataclasses.replace(options, pdf_links=pdfs)
    progress = progress or NoProgress()
    renderer = Renderer(prepared.handbook, prepared.report, options, prepared.history)
    with reported_stage(progress, RENDER):
        pages = renderer.site_pages(cards_page=cards_page(renderer))
    with build_lock(site_dir):
        remove_leftovers(site_dir)
        remove_staging_leftovers(prepared.handbook.root)
        build_dir = new_build_dir(site_dir)
        url = site_url or prepared.handbook.settings.site_url
        # PDFs and cards render in worker processes while this process builds the site.
        try:
            cards = plan_cards(renderer, site_url=url)
            pdf_run = start_pdfs(prepared.handbook, renderer, progress, cards=cards, book=pdfs)
        except BaseException:  # Ctrl-C while the workers start: leave no half-built folder.
            discard(build_dir)
            raise
        try:
            with reported_stage(progress, SITE):
                # ---- incremental site (issue 24): unchanged pages come from the last site.
                reuse = site_reuse(prepared.handbook.root, site_dir)
                built = build_site(
                    prepared.handbook.root,
                    build_dir,
                    lambda: pages,
                    site_url=url,
                    reuse=reuse,
                    defer_search=True,
                )
                progress.count(SITE, built.pages, built.reused)
                write_register(prepared.handbook, prepared.report, build_dir, url)
            index = built.pending_index
            write_pdfs(
                prepared.handbook,
                pdf_run,
                build_dir,
                progress,
                after_layout=None if index is None else functools.partial(_index, index, progress),
            )
            if pdfs:
                copy_edition_pdfs(prepared.history, build_dir / "pdf")
                # A whole build used every render it needs: the rest is from older sources.
                if pdf_run.batch.cache is not None:
                    pdf_run.batch.cache.prune(pdf_run.batch.cache.used | cards.engine.cache.used)
            if before_publish is not None:
                before_publish(build_dir)
        except BaseException:
            discard(build_dir)
            raise
        finally:
            pdf_run.batch.close()
        with reported_stage(progress, PUBLISH):
            swap_in(build_dir, site_dir)
            reuse.remember()


def edition_stager(
    prepared: Prepared, request: EditionRequest | None, staged: list[Path]
) -> Callable[[Path], None] | None:
    """The step that writes the edition from the finished build, before the site is swapped."""
    if request is None:
        return None

    def stage(build_dir: Path) -> None:
        handbook = prepared.handbook
        entries = [
            PolicyEntry(
                id=policy.id,
                title=policy.title,
                number=policy.number,
                status=policy.status.value,
                version=policy.version,
                source=f"policies/{policy.id}.yaml",
                pdf=f"pdf/{policy.id}.pdf" if policy.status is Status.ACTIVE else None,
            )
            for policy in handbook.policies
        ]
        counts = policy_counts(handbook)
        staged.append(stage_edition(handbook.root, request, entries, counts, build_dir / "pdf"))

    return stage


def discard_staged_editions(staged: list[Path]) -> None:
    """Remove the editions staged by a build that failed."""
    for folder in staged:
        discard_staged(folder)


def copy_edition_pdfs(history: tuple[Edition, ...], pdf_dir: Path) -> None:
    """Every edition's PDFs as published, under pdf/editions/NAME/, for the version pages."""
    for edition in history:
        source = edition.pdf_folder or pdf_dir  # The edition being published: just built.
        if edition.manifest is not None:
            names = [p.name for p in source.glob("*.pdf")]
        else:
            names = ["handbook.pdf", *(f"{pid}.pdf" for pid in edition.published_ids())]
        copy_pdfs(source, pdf_dir / "editions" / edition.name, names)


# ---- PDFs (issue 6): the book and one PDF per published policy, through generator/pdf.py.


@dataclass
class PrintRun:
    """The print PDFs and desk cards being rendered, and the book they are joined into."""

    batch: PdfBatch
    book: PrintBook | None
    cards: CardPlan | None = None


def start_pdfs(
    handbook: Handbook,
    renderer: Renderer,
    progress: Progress | None = None,
    *,
    cards: CardPlan | None = None,
    book: bool = True,
) -> PrintRun:
    """Render the print HTML here and start the PDFs in worker processes (cached by content):
    the book's front matter and one PDF per policy, which is also its chapter of the book (unless
    `book` is false), and the desk cards of `cards`."""
    progress = progress or NoProgress()
    settings = handbook.settings
    when = source_date()
    printed = print_book(renderer) if book else None
    jobs = [
        PdfJob(
            name=document.filename,
            html=document.html,
            root=handbook.root,
            base_dir=handbook.root,
            stylesheets=(handbook.root / PRINT_STYLESHEET,),
            metadata=PdfMetadata(
                title=document.title,
                author=settings.organization,
                subject=document.subject,
                keywords=document.keywords,
                language=settings.language,
                created=when,
                modified=when,
            ),
            page_labels=document.page_labels,
            label_prefix=document.label_prefix,
            policy_ids=document.policy_ids,
        )
        for document in ((printed.front, *printed.chapters) if printed else ())
    ]
    card_jobs = cards.jobs if cards is not None else []
    batch = PdfBatch([*jobs, *card_jobs], PdfCache.of_project(handbook.root))
    # Each stage counts its own documents: the book's and the cards'.
    for stage, names in ((PDFS, [j.name for j in jobs]), (CARDS, [j.name for j in card_jobs])):
        if not names:
            continue
        progress.start(stage)
        progress.count(stage, len(names), sum(name in batch.results for name in names))
        for name in names:
            future = batch.futures.get(name)
            if future is not None:
                future.add_done_callback(functools.partial(_advance, progress, stage))
    return PrintRun(batch, printed, cards)


def _advance(progress: Progress, stage: str, _future: object) -> None:
    progress.advance(stage)


def _index(index: PendingIndex, progress: Progress) -> None:
    with reported_stage(progress, SEARCH):
        index.write()
        progress.note(SEARCH, f"{index.entries:,} entries")


def write_pdfs(
    handbook: Handbook,
    run: PrintRun,
    site_dir: Path,
    progress: Progress | None = None,
    *,
    after_layout: Callable[[], None] | None = None,
) -> None:
    """Wait for the PDFs; write the desk cards and their sheets, then the policy PDFs and the
    book joined from its front matter and the policies' own PDFs. A failed one fails the build
    naming its source. `after_layout` runs once the layout workers have stopped, before the
    cards and the book are put together."""
    progress = progress or NoProgress()
    try:
        rendered = run.batch.wait()
    except PdfBatchFailed as failed:
        print_failures = [f for f in failed.failures if not f.job.name.startswith(CARD_JOB_PREFIX)]
        raise BuildFailed(
            sorted([*pdf_errors(handbook, print_failures), *card_failures(failed.failures)])
        ) from None
    # ---- bounded memory (issue 24): every layout is done, so the workers' memory goes back
    # before the two pikepdf jobs, which then run one after the other, not side by side.
    run.batch.close()
    if after_layout is not None:
        after_layout()
    if run.cards is not None:
        finish_cards(run.cards, rendered, site_dir)
        progress.finish(CARDS)
    if run.book is None:
        return
    folder = site_dir / "pdf"
    folder.mkdir(parents=True, exist_ok=True)
    chapters = []
    front = rendered[run.book.front.filename].data
    # ---- issue 24: what the join reads, for the cache of joined books: the same front matter
    # and chapters (bytes, order, parts, labels, links) join into the same book.
    inputs: list[bytes | str] = [front]
    for document in run.book.chapters:
        path = folder / document.filename
        data = rendered[document.filename].data
        path.write_bytes(data)
        chapter = Chapter(
            path=path,
            part=document.part or "",
            label_prefix=document.label_prefix or "",
            link_urls=document.link_urls,
        )
        chapters.append(chapter)
        inputs += [
            repr((document.filename, chapter.part, chapter.label_prefix, chapter.link_urls)),
            hashlib.sha256(data).hexdigest(),
        ]
    del rendered
    run.batch.forget()
    # What the card sheets and the rendered PDFs held goes back before the join, not under it.
    release_freed_memory()
    output = folder / run.book.front.filename

    def join(path: Path) -> None:
        # The book is joined from the chapters' files, one at a time, straight into its file.
        assemble_book(front, chapters, path)

    if run.batch.cache is None:
        join(output)
        reused = False
    else:
        reused = run.batch.cache.derived_file("book", inputs, join, output, handbook.root)
    progress.note(PDFS, "book unchanged from the cache" if reused else "book joined again")
    progress.finish(PDFS)


def pdf_errors(handbook: Handbook, failures: list[PdfFailure]) -> list[SourceError]:
    """PDF failures as source errors: at the policy field whose text names the resource."""
    base = handbook.root.resolve().as_uri() + "/"
    errors: set[SourceError] = set()
    for failure in failures:
        for message in failure.error.messages:
            reason = message.split("ResourceRefused: ", 1)[-1]
            located = False
            for policy_id in failure.job.policy_ids:
                origin = handbook.origins[policy_id]
                for path, text in field_texts(handbook.policy(policy_id)):
                    for target in link_targets(text):
                        if target and urllib.parse.urljoin(base, target) in message:
                            problem = f"'{target}' cannot be printed: {reason}"
                            errors.add(origin.error(problem, *path))
                            located = True
            if not located:
                errors.add(SourceError(f"site/pdf/{failure.job.name}", 0, "", message))
    return sorted(errors)

"""The edition pages of the site: what's new, the list of editions, and every published version.

A version page shows a policy as an edition published it, with its redline against the version
before (issue 12). Made through a `BaseRenderer` (base.py); no library of its own.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field

from ..changes import ChangeKind, Changes, PolicyChange, PolicyVersion, field_changes, new_entries
from ..text import inline_markdown
from .base import BaseRenderer


@dataclass
class EditionPages:
    """The edition pages by source URI, and the policy each version or withdrawn page is of
    (its footer names that policy's edition, as its current page does)."""

    pages: dict[str, str]
    policy_of: dict[str, str] = field(default_factory=dict)


def edition_pages(renderer: BaseRenderer) -> EditionPages:
    """What's new, the list of editions, and a page per published version of a policy."""
    pdfs = renderer.options.pdf_links
    policy_of: dict[str, str] = {}
    pages = {
        "whats-new.md": renderer.render(
            "whats-new.md.j2", changes=renderer.whats_new(), editions=renderer.history
        ),
        "editions.md": renderer.render(
            "editions.md.j2", editions=list(reversed(renderer.history)), pdfs=pdfs
        ),
    }
    version_renderer = _version_renderer(renderer)
    current = {policy.id for policy in renderer.handbook.policies}
    ids = dict.fromkeys(
        [p.id for p in renderer.handbook.policies]
        + [pid for edition in renderer.history for pid in edition.published_ids()]
    )
    for policy_id in ids:
        versions = renderer.versions_of(policy_id)
        withdrawn = policy_id not in current
        if withdrawn and versions:
            # Its address still answers, with what was published.
            pages[f"{policy_id}.md"] = renderer.render(
                "withdrawn.md.j2", title=versions[-1].title, versions=versions
            )
            policy_of[f"{policy_id}.md"] = policy_id
        for version in versions:
            uri = f"{policy_id}/versions/{version.edition.name}.md"
            policy_of[uri] = policy_id
            view = version_renderer.view(version.policy) if version.policy else None
            if view is not None:
                view = dataclasses.replace(
                    view,
                    pdf_url=None,
                    card_url=None,
                    banner=None,
                    # Review dates belong to the policy as it stands now, not this version.
                    review=None,
                    status_label=(
                        "Superseded"
                        if version.in_force_to
                        else "No longer in the handbook"
                        if withdrawn
                        else "Current version"
                    ),
                    status_class="retired" if version.in_force_to or withdrawn else "current",
                    tags=[],
                    versions=versions,
                    base="../../../",
                )
            pages[uri] = version_renderer.render(
                "policy.md.j2" if view is not None else "version-stored.md.j2",
                view=view,
                version=version,
                policy_id=policy_id,
                withdrawn=withdrawn,
                redline=compare_versions(version),
                pdf_url=(
                    f"../../../pdf/editions/{version.edition.name}/{version.pdf_name}"
                    if pdfs and version.pdf_name
                    else None
                ),
            )
    return EditionPages(pages, policy_of)


def _version_renderer(renderer: BaseRenderer) -> BaseRenderer:
    """A renderer whose policy links work three folders down (<id>/versions/<NAME>/)."""
    # A version page needs only views and templates, not the site's other pages.
    version_renderer = BaseRenderer(
        renderer.handbook, renderer.report, renderer.options, renderer.history
    )
    urls = {policy.id: f"../../../{policy.id}/" for policy in renderer.handbook.policies}
    for edition in renderer.history:
        urls.update({pid: f"../../../{pid}/" for pid in edition.published_ids()})
    version_renderer.environment.filters["md"] = functools.partial(
        inline_markdown, policy_urls=urls
    )
    return version_renderer


def compare_versions(version: PolicyVersion) -> Changes | None:
    """The redline of a version against the version before it (None for the first)."""
    if version.previous is None or version.previous.policy is None or version.policy is None:
        return None

    before, after = version.previous.policy, version.policy
    change = PolicyChange(
        after.id,
        after.title,
        ChangeKind.SUBSTANTIVE,
        new_entries(before, after),
        field_changes(before, after),
        after.version,
    )
    return Changes(version.previous.edition.name, version.edition.name, [change])

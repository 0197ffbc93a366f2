"""The annotated view of a document: its text as HTML, mentions linked, claims marked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from service.documents.xref import DocumentView

_STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; max-width: 50em; margin: 2em auto; padding: 0 1em; }
.text { white-space: pre-wrap; }
a.mention { text-decoration: none; border-bottom: 2px solid #36c; color: inherit; }
a.mention.list-entry { border-bottom-color: #c60; }
mark.claim { padding: 0 .1em; }
mark.claim.agrees { background: #d7f5d7; }
mark.claim.conflicts { background: #f9d0d0; }
mark.claim.unknown { background: #eee; }
"""
_STATUS_ORDER = ("conflicts", "unknown", "agrees")


@dataclass(frozen=True)
class MentionMark:
    """A mention to link: its span and where it leads."""

    start: int
    end: int
    href: str
    title: str
    is_entity: bool


@dataclass(frozen=True)
class ClaimMark:
    """A claim to mark: its sentence, its status and a short explanation."""

    start: int
    end: int
    status: str
    title: str


def mention_href(entity_id: str | None, list_id: str | None, list_key: str | None) -> str | None:
    """Gives the API path of what a mention names: its entity, else its list entry."""
    if entity_id:
        return f"/v1/entities/{quote(entity_id, safe='')}"
    if list_id and list_key:
        return f"/v1/lists/{quote(list_id, safe='')}/entries/{quote(list_key, safe='')}"
    return None


def render(title: str, text: str, mentions: Sequence[MentionMark],
           claims: Sequence[ClaimMark]) -> str:
    """Gives a whole HTML page: the escaped text, mentions as links, claim sentences marked.

    Claims on one sentence share one mark, coloured by its worst status (conflicts first).
    Tags always nest: a mention crossing a sentence's edge is split in two links.
    """
    sentences: dict[tuple[int, int], list[ClaimMark]] = {}
    for claim in claims:
        sentences.setdefault((claim.start, claim.end), []).append(claim)
    cuts = {0, len(text)}
    for start, end in sentences:
        cuts.update((start, end))
    for mention in mentions:
        cuts.update((mention.start, mention.end))
    points = sorted(c for c in cuts if 0 <= c <= len(text))

    out: list[str] = []
    for left, right in zip(points, points[1:], strict=False):
        segment = escape(text[left:right])
        linked = next((m for m in mentions if m.start <= left and right <= m.end), None)
        if linked is not None:
            kind = "entity" if linked.is_entity else "list-entry"
            segment = (f'<a class="mention {kind}" href="{escape(linked.href)}" '
                       f'title="{escape(linked.title)}">{segment}</a>')
        group = next((g for (s, e), g in sentences.items() if s <= left and right <= e), None)
        if group is not None:
            status = min((c.status for c in group), key=_STATUS_ORDER.index)
            note = " | ".join(c.title for c in group)
            segment = f'<mark class="claim {status}" title="{escape(note)}">{segment}</mark>'
        out.append(segment)
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>\n"
        f"<body><h1>{escape(title)}</h1>\n<div class=\"text\">{''.join(out)}</div>\n"
        "</body></html>\n"
    )


def document_page(view: DocumentView) -> str:
    """Gives the annotated page of a document view (`xref.document_view`)."""
    mentions = []
    for mention in view.mentions:
        href = mention_href(mention.entity_id, mention.list_id, mention.list_key)
        if href is None:
            continue
        target = mention.entity_id or f"{mention.list_id} {mention.list_key}"
        mentions.append(MentionMark(mention.start, mention.end, href,
                                    f"{target}: {mention.matched_name} "
                                    f"({mention.score:.2f})",
                                    is_entity=mention.entity_id is not None))
    claims = [
        ClaimMark(claim.row.start, claim.row.end, claim.judgement.status,
                  f"{claim.text[claim.row.mention_start:claim.row.mention_end]} "
                  f"{claim.row.claim.replace('_', ' ')}: "
                  f"{claim.judgement.status}. {claim.judgement.reason}")
        for claim in view.claims
    ]
    return render(view.document.title, view.document.text, mentions, claims)

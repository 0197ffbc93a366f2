"""Cross-referencing documents: add a text, find its mentions and claims, read them back.

Mentions come from the whole index (the active list versions and the registry's names);
claims are found over those mentions and judged when read; each cross-referencing run also
records the claims' verdicts (`record_claim_verdicts`), which the claims show as history.
A claim the text still makes keeps its row (and so its history) when the document is
cross-referenced again.

A registry entity's variant spellings found in a document also become its passages: each
one the matcher finds (over the registry's own names only, so that the result does not
depend on which list versions are loaded) and that no passage covers yet is kept as a name
of role "mention" (it finds passages; it is neither searched nor screened) and the passages
are refreshed.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from service.documents.claims import (
    STATUSES,
    Judgement,
    claim_histories,
    find_claims,
    judge_claims,
    record_claim_verdicts,
)
from service.documents.mentions import Mention, find_mentions
from service.errors import Conflict, InvalidInput, NotFound
from service.matching.index import IndexedName, NameIndex
from service.models import (
    ClaimVerdict,
    Document,
    DocumentClaim,
    DocumentMention,
    Entity,
    EntityName,
    Passage,
)
from service.registry.entities import LEARNT_ROLE, refresh_passages, slugify
from service.screening.catalog import LoadedIndex, build_index
from service.terms import REGISTRY_LIST
from service.textkeys import search_key

# Longest text a document may have: scanning is linear, about 2 s per MB against the SDN.
MAX_TEXT_LENGTH = 1_000_000
# Source recorded on a spelling learnt from a document (followed by the document's id).
LEARNT_SOURCE = "document"


@dataclass
class XrefOutcome:
    """What cross-referencing one document found."""

    mentions: int
    claims: int
    learnt: int
    changed: bool


# --- adding documents ------------------------------------------------------------------------


def add_document(data: dict[str, Any], *, session: Session, loaded: LoadedIndex) -> Document:
    """Stores a new document and cross-references it; gives the document.

    `data` holds "title", "text", and optionally "published_on" (a date) and "source_url".
    """
    text = data["text"]
    if not text.strip():
        raise InvalidInput("The document has no text.", details={"fields": {"text": ["empty"]}})
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidInput(f"The text is longer than {MAX_TEXT_LENGTH:,} characters.",
                           details={"length": len(text), "max": MAX_TEXT_LENGTH})
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    existing = session.exec(select(Document.id).where(Document.sha256 == digest)).first()
    if existing is not None:
        raise Conflict(f"This text is already document '{existing}'.", details={"id": existing})
    document_id = f"doc-{slugify(data['title'])[:60].strip('-')}-{digest[:8]}"
    published: date | None = data.get("published_on")
    document = Document(id=document_id, title=data["title"], text=text, sha256=digest,
                        published_on=published, source=data.get("source_url"))
    session.add(document)
    session.flush()
    refresh_passages(session=session, documents=[document])
    cross_reference_documents([document], session=session, loaded=loaded)
    return document


# --- cross-referencing -----------------------------------------------------------------------


def cross_reference_documents(documents: Sequence[Document] | None = None, *,
                              session: Session, loaded: LoadedIndex | None = None
                              ) -> Counter[str]:
    """Finds the mentions and claims of the documents (default: all) and stores them.

    Gives counts of what changed; cross-referencing unchanged documents against an unchanged
    index changes nothing. Every stored claim's verdict is then recorded if it changed (the
    first verdict of a new claim included).
    """
    session.flush()
    docs = list(documents) if documents is not None else list(
        session.exec(select(Document).order_by(col(Document.id))).all())
    loaded = loaded or build_index(session)
    registry = registry_index(session)
    changes: Counter[str] = Counter()
    for document in docs:
        outcome = cross_reference(document, session=session, loaded=loaded,
                                  registry=registry)
        if outcome.changed:
            changes["documents_cross_referenced"] += 1
        if outcome.learnt:
            changes["spellings_learnt"] += outcome.learnt
    if changes["spellings_learnt"]:
        session.flush()
        # A learnt spelling may occur in every document, and may shadow another entity's.
        refresh_passages(session=session)
    verdicts = record_claim_verdicts(session=session)
    if verdicts:
        changes["claim_verdicts_recorded"] += verdicts
    return changes


def cross_reference(document: Document, *, session: Session, loaded: LoadedIndex,
                    registry: NameIndex) -> XrefOutcome:
    """Stores one document's mentions and claims, and learns its new registry spellings."""
    known_entities = set(session.exec(select(Entity.id)).all())
    mentions = [_known(m, known_entities) for m in find_mentions(document.text, loaded.index)]
    claims = find_claims(document.text, mentions + _delisted_subjects(document, mentions,
                                                                      session=session))
    new_mentions = [
        DocumentMention(document_id=document.id, start=m.start, end=m.end, text=m.text,
                        score=m.score, entity_id=m.entity_id, list_id=m.list_id,
                        list_key=m.list_key, matched_name=m.matched_name, kind=m.kind)
        for m in mentions
    ]
    new_claims = [
        DocumentClaim(document_id=document.id, start=c.start, end=c.end,
                      mention_start=c.mention.start, mention_end=c.mention.end, cue=c.cue,
                      entity_id=c.mention.entity_id, list_id=c.mention.list_id,
                      list_key=c.mention.list_key, claim=c.claim, programs=c.programs)
        for c in claims
    ]
    changed = _replace(DocumentMention, document.id, new_mentions, _mention_key, (),
                       session=session)
    changed = _replace(DocumentClaim, document.id, new_claims, _claim_key, _CLAIM_RESOLUTION,
                       session=session) or changed
    learnt = _learn_spellings(document, find_mentions(document.text, registry),
                              session=session)
    return XrefOutcome(len(new_mentions), len(new_claims), learnt, changed)


def _delisted_subjects(document: Document, mentions: Sequence[Mention], *,
                       session: Session) -> list[Mention]:
    """Gives the subjects of the document's stored claims about list entries that the text
    no longer mentions, because the entry has left the active version.

    The text still makes the claim, and the entry it was about is known: the claim stays,
    with its verdict history, and is judged against a list that no longer holds the entry
    (`removed`), instead of vanishing with its history. A span that now names something
    else is that mention's, as usual.
    """
    spans = [(m.start, m.end) for m in mentions]
    subjects = {}
    for claim in session.exec(select(DocumentClaim).where(
            DocumentClaim.document_id == document.id,
            col(DocumentClaim.list_key).is_not(None))).all():
        start, end = claim.mention_start, claim.mention_end
        if any(start < e and s < end for s, e in spans):
            continue
        subjects[(start, end)] = Mention(start, end, document.text[start:end], 0.0,
                                         claim.entity_id, claim.list_id, claim.list_key,
                                         document.text[start:end])
    return list(subjects.values())


def registry_index(session: Session) -> NameIndex:
    """Gives an index of the registry's own names only."""
    rows = session.exec(
        select(Entity.id, Entity.kind, Entity.name, EntityName.name)
        .join(EntityName, col(EntityName.entity_id) == Entity.id)
        .where(EntityName.role == "name")
    ).all()
    return NameIndex.build(
        IndexedName(REGISTRY_LIST, entity_id, spelling, canonical, kind, (), entity_id=entity_id)
        for entity_id, kind, canonical, spelling in rows
    )


def _known(mention: Mention, entities: set[str]) -> Mention:
    """Gives the mention without an entity the database no longer has (a stale index)."""
    if mention.entity_id is None or mention.entity_id in entities:
        return mention
    return Mention(mention.start, mention.end, mention.text, mention.score, None,
                   mention.list_id, mention.list_key, mention.matched_name, mention.kind)


def _mention_key(row: DocumentMention) -> tuple[Any, ...]:
    return (row.start, row.end, row.text, round(row.score, 4), row.entity_id, row.list_id,
            row.list_key, row.matched_name, row.kind)


def _claim_key(row: DocumentClaim) -> tuple[Any, ...]:
    """What makes a claim the same claim: the sentence, the span it is about, and what it
    says. Which entity or entry that span resolves to, and the cue words and programs, are
    kept up to date on the claim (`_CLAIM_RESOLUTION`)."""
    return (row.start, row.end, row.mention_start, row.mention_end, row.claim)


_CLAIM_RESOLUTION = ("entity_id", "list_id", "list_key", "cue", "programs")


def _replace(table: Any, document_id: str, rows: Sequence[Any], key: Any,
             updatable: Sequence[str], *, session: Session) -> bool:
    """Makes the document's rows of `table` exactly `rows`; tells whether anything changed.

    A stored row with the same `key` as a wanted one stays, with its id (a claim's verdict
    history hangs on it), and takes the wanted row's `updatable` fields; the others go.
    """
    wanted: dict[Any, list[Any]] = defaultdict(list)
    for row in rows:
        wanted[key(row)].append(row)
    changed = False
    for stored in session.exec(select(table).where(table.document_id == document_id)).all():
        same = wanted.get(key(stored))
        if not same:
            session.delete(stored)
            changed = True
            continue
        new = same.pop()
        for name in updatable:
            if getattr(stored, name) != getattr(new, name):
                setattr(stored, name, getattr(new, name))
                session.add(stored)
                changed = True
    for missing in wanted.values():
        if missing:
            session.add_all(missing)
            changed = True
    return changed


def _learn_spellings(document: Document, mentions: Sequence[Mention], *,
                     session: Session) -> int:
    """Keeps, as names of role "mention", the registry spellings no passage covers yet;
    gives how many."""
    # Any entity's passage: a span inside "al-Qaeda in Iraq" is not a spelling of al-Qaeda.
    covered = [(p.start, p.end) for p in session.exec(
        select(Passage).where(Passage.document_id == document.id))]
    entity_ids = {m.entity_id for m in mentions if m.entity_id}
    known = {(n.entity_id, n.name) for n in session.exec(
        select(EntityName).where(col(EntityName.entity_id).in_(sorted(entity_ids)))).all()}
    learnt = 0
    for mention in mentions:
        entity_id = mention.entity_id
        if entity_id is None:
            continue
        if any(mention.start < end and start < mention.end for start, end in covered):
            continue
        spelling = " ".join(mention.text.split())
        if (entity_id, spelling) in known:
            continue
        known.add((entity_id, spelling))
        session.add(EntityName(entity_id=entity_id, name=spelling, search_key=search_key(spelling),
                               source=f"{LEARNT_SOURCE} {document.id}", role=LEARNT_ROLE))
        learnt += 1
    return learnt


# --- reading ---------------------------------------------------------------------------------


def get_document(document_id: str, *, session: Session) -> Document:
    """Gives the document or raises NotFound."""
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(f"No document with id '{document_id}'.", details={"id": document_id})
    return document


@dataclass(frozen=True)
class JudgedClaim:
    """A claim with its judgement now and its recorded verdicts; `text` is its document's
    (the claim and its mention are spans of it)."""

    row: DocumentClaim
    judgement: Judgement
    text: str
    history: Sequence[ClaimVerdict] = ()


@dataclass(frozen=True)
class DocumentView:
    """A document with its passages, mentions and judged claims."""

    document: Document
    passages: list[Passage]
    mentions: list[DocumentMention]
    claims: list[JudgedClaim]


@dataclass(frozen=True)
class ClaimPage:
    """One page of judged claims, their total and the count of each status over all pages."""

    items: list[JudgedClaim]
    total: int
    page: int
    per_page: int
    counts: dict[str, int]


def document_view(document_id: str, *, session: Session) -> DocumentView:
    """Gives the document with its passages, mentions and judged claims."""
    document = get_document(document_id, session=session)
    passages = session.exec(
        select(Passage).where(Passage.document_id == document_id)
        .order_by(col(Passage.start), col(Passage.entity_id))).all()
    mentions = session.exec(
        select(DocumentMention).where(DocumentMention.document_id == document_id)
        .order_by(col(DocumentMention.start))).all()
    claims = _document_claims(session, DocumentClaim.document_id == document_id)
    judgements = judge_claims(claims, session=session)
    histories = claim_histories([c.id for c in claims if c.id is not None], session=session)
    return DocumentView(
        document, list(passages), list(mentions),
        [JudgedClaim(c, j, document.text, histories.get(c.id or 0, []))
         for c, j in zip(claims, judgements, strict=True)])


def list_claims(*, session: Session, status: str | None = None, claim: str | None = None,
                document_id: str | None = None, entity_id: str | None = None,
                page: int = 1, per_page: int = 20) -> ClaimPage:
    """Gives one page of the claims of every document, judged now, filtered as asked."""
    conditions = []
    if claim:
        conditions.append(DocumentClaim.claim == claim)
    if document_id:
        conditions.append(DocumentClaim.document_id == document_id)
    if entity_id:
        conditions.append(DocumentClaim.entity_id == entity_id)
    claims = _document_claims(session, *conditions)
    judgements = judge_claims(claims, session=session)
    pairs = [(c, j) for c, j in zip(claims, judgements, strict=True)
             if status is None or j.status == status]
    texts = dict(session.exec(select(Document.id, Document.text).where(
        col(Document.id).in_(sorted({c.document_id for c, _ in pairs})))).all())
    start = (page - 1) * per_page
    counts = Counter(j.status for j in judgements)
    shown = pairs[start:start + per_page]
    histories = claim_histories([c.id for c, _ in shown if c.id is not None], session=session)
    return ClaimPage(
        [JudgedClaim(c, j, texts[c.document_id], histories.get(c.id or 0, [])) for c, j in shown],
        total=len(pairs), page=page, per_page=per_page,
        counts={s: counts.get(s, 0) for s in STATUSES})


def _document_claims(session: Session, *conditions: Any) -> list[DocumentClaim]:
    return list(session.exec(
        select(DocumentClaim).where(*conditions)
        .order_by(col(DocumentClaim.document_id), col(DocumentClaim.start),
                  col(DocumentClaim.mention_start))).all())

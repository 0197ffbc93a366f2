"""The database tables. Wire formats live in `service/api/schemas.py`, not here."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Gives the current time, timezone-aware in UTC (the columns store UTC)."""
    return datetime.now(UTC)


# --- the registry -----------------------------------------------------------------------------


class Entity(SQLModel, table=True):
    """A person, organisation or other party named in the source documents."""

    __tablename__ = "entities"

    id: str = Field(primary_key=True, max_length=100)
    kind: str = Field(max_length=20, index=True)
    name: str = Field(max_length=500)
    summary: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class EntityName(SQLModel, table=True):
    """One spelling of an entity's name and where it came from."""

    __tablename__ = "entity_names"
    __table_args__ = (UniqueConstraint("entity_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    entity_id: str = Field(foreign_key="entities.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=500)
    # Casefolded ASCII form the search compares against.
    search_key: str = Field(max_length=500, index=True)
    source: str | None = Field(default=None, max_length=200)
    # "name" is a spelling screened and searched; "reference" is a phrase a document uses for
    # the entity without naming it ("Iran's supreme leader"): it only finds passages.
    role: str = Field(default="name", max_length=20)


class Document(SQLModel, table=True):
    """A text the registry reads: one of the seed documents or one an analyst added."""

    __tablename__ = "documents"

    id: str = Field(primary_key=True, max_length=100)
    title: str = Field(max_length=1000)
    published_on: date | None = None
    text: str = Field(sa_column=Column(Text, nullable=False))
    sha256: str = Field(max_length=64)
    source: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)


class Passage(SQLModel, table=True):
    """A span of a document that mentions an entity, with exact character offsets."""

    __tablename__ = "passages"
    __table_args__ = (UniqueConstraint("entity_id", "document_id", "start", "end"),)

    id: int | None = Field(default=None, primary_key=True)
    entity_id: str = Field(foreign_key="entities.id", ondelete="CASCADE", index=True)
    document_id: str = Field(foreign_key="documents.id", ondelete="CASCADE", index=True)
    start: int
    end: int
    text: str = Field(max_length=1000)
    sentence: str = Field(sa_column=Column(Text, nullable=False))


# --- sanctions lists --------------------------------------------------------------------------


class SanctionsList(SQLModel, table=True):
    """A list source (`us_ofac_sdn`, `un_sc`, …) and which of its versions is active."""

    __tablename__ = "lists"

    id: str = Field(primary_key=True, max_length=50)
    name: str = Field(max_length=200)
    # Switching this one column is what activates a version, atomically.
    active_version_id: int | None = Field(
        default=None,
        # The two tables point at each other; the constraint is added after both exist.
        sa_column=Column(
            Integer,
            ForeignKey("list_versions.id", use_alter=True, name="fk_lists_active_version"),
            nullable=True,
        ),
    )


class ListVersion(SQLModel, table=True):
    """One import of a list: its provenance, its counts, and when it was fetched."""

    __tablename__ = "list_versions"

    id: int | None = Field(default=None, primary_key=True)
    list_id: str = Field(foreign_key="lists.id", index=True, max_length=50)
    format: str = Field(max_length=50)
    data_date: date | None = None
    fetched_at: datetime = Field(default_factory=utcnow)
    # sha256 over the input files' bytes, in a fixed order: identical content is not re-imported.
    sha256: str = Field(max_length=64, index=True)
    # sha256 over the parsed entries: a re-download with cosmetic byte changes is not new either.
    content_sha256: str = Field(max_length=64)
    entry_count: int = 0
    name_count: int = 0
    skipped: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    sources: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # HTTP validators of the download, for the next conditional GET.
    etag: str | None = Field(default=None, max_length=500)
    last_modified: str | None = Field(default=None, max_length=100)
    # When the files of one version are of different dates (the bundled SDN snapshot: primary
    # records of 2024-05-03, aliases and addresses of 2025-12-24): each part's date, so the
    # version says what it holds; `data_date` stays that of the primary records.
    part_dates: dict[str, str] = Field(default_factory=dict,
                                       sa_column=Column(JSON, nullable=False))
    # Set once the entries' official identifiers are in `list_entry_identifiers`.
    identifiers_indexed: bool = False
    # When the registry was last checked against this version (bridges followed, names
    # matched): until then, no entity may be said to be "not listed" on it.
    registry_checked_at: datetime | None = None


class ListEntryRow(SQLModel, table=True):
    """One record of a list version; `data` holds the whole common entry model."""

    __tablename__ = "list_entries"
    __table_args__ = (
        UniqueConstraint("version_id", "key"),
        Index("ix_list_entries_version_name", "version_id", "search_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="list_versions.id", ondelete="CASCADE")
    key: str = Field(max_length=100)
    kind: str = Field(max_length=20)
    name: str = Field(sa_column=Column(Text, nullable=False))
    search_key: str = Field(sa_column=Column(Text, nullable=False))
    programs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # sha256 of `data`, so that the diff compares two versions without decoding every entry.
    content_sha256: str = Field(max_length=64)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ListEntryName(SQLModel, table=True):
    """Every name of every entry, flattened for search and for the matching index."""

    __tablename__ = "list_entry_names"
    __table_args__ = (Index("ix_list_entry_names_version_key", "version_id", "search_key"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="list_entries.id", ondelete="CASCADE", index=True)
    version_id: int = Field(foreign_key="list_versions.id", ondelete="CASCADE")
    name: str = Field(sa_column=Column(Text, nullable=False))
    search_key: str = Field(sa_column=Column(Text, nullable=False))
    type: str = Field(max_length=10)
    weak: bool = False


class ListEntryIdentifier(SQLModel, table=True):
    """An official cross-reference an entry carries, in the form the lists write it.

    `ofac-10481` is OFAC's key (on the SDN and consolidated lists, in a CSL row's
    `entity_number`, in an OpenSanctions referent); `unsc-113966` is a UN record's DATAID (in
    the UN XML and in OpenSanctions referents). Two entries of different lists sharing one
    are the same designation, which is how a link to one is bridged to the others.
    """

    __tablename__ = "list_entry_identifiers"
    __table_args__ = (Index("ix_list_entry_identifiers_value", "identifier", "version_id"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="list_entries.id", ondelete="CASCADE", index=True)
    version_id: int = Field(foreign_key="list_versions.id", ondelete="CASCADE")
    identifier: str = Field(max_length=200)


class EntityLink(SQLModel, table=True):
    """An entity ↔ list entry link: pinned, confirmed, bridged, suggested or rejected.

    A bridged link was reached from another link of the entity through an official
    identifier both entries carry; `via_*` say which link and which identifier.
    """

    __tablename__ = "entity_links"
    __table_args__ = (UniqueConstraint("entity_id", "list_id", "list_key"),)

    id: int | None = Field(default=None, primary_key=True)
    entity_id: str = Field(foreign_key="entities.id", ondelete="CASCADE", index=True)
    list_id: str = Field(foreign_key="lists.id", max_length=50)
    list_key: str = Field(max_length=100)
    status: str = Field(max_length=20)  # pinned | confirmed | bridged | suggested | rejected
    score: float | None = None
    matched_name: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None
    via_list_id: str | None = Field(default=None, max_length=50)
    via_list_key: str | None = Field(default=None, max_length=100)
    via_identifier: str | None = Field(default=None, max_length=200)


class Enrichment(SQLModel, table=True):
    """One answer of a live look-up API (US CSL search, OpenSanctions match) for an entity."""

    __tablename__ = "enrichments"

    id: int | None = Field(default=None, primary_key=True)
    entity_id: str = Field(foreign_key="entities.id", ondelete="CASCADE", index=True)
    source: str = Field(max_length=50)
    query: str = Field(max_length=500)
    requested_at: datetime = Field(default_factory=utcnow)
    http_status: int | None = None
    # Each hit: {"source_id", "name", "programs", "source_list", "score"?}.
    hits: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    body_sha256: str | None = Field(default=None, max_length=64)
    error: str | None = Field(default=None, sa_column=Column(Text))


# --- security ---------------------------------------------------------------------------------


class ApiKey(SQLModel, table=True):
    """An API key: its scopes and its use. Only the key's sha256 is stored, never the key."""

    __tablename__ = "api_keys"

    # Public identifier, safe to log and to show; the audit log records it as the actor.
    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=100)
    # sha256 hex of the whole key; a request's key is found by hashing it and looking this up.
    key_hash: str = Field(max_length=64, unique=True, index=True)
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


# --- batch jobs, watchlists and the audit log -------------------------------------------------


class ScreeningJob(SQLModel, table=True):
    """A batch of names screened in chunks, by threads of the server or by `xref worker`s."""

    __tablename__ = "jobs"
    # Listing a key's jobs newest first, everyone's, and pruning stopped ones (0012).
    __table_args__ = (Index("ix_jobs_actor_created_at", "actor", "created_at"),
                      Index("ix_jobs_created_at", "created_at"),
                      Index("ix_jobs_finished_at", "finished_at"))

    id: str = Field(primary_key=True, max_length=32)
    # queued | running | done | failed | cancelled
    status: str = Field(default="queued", max_length=20, index=True)
    # Who asked for it; the audit record of the job carries this, not the worker's "system".
    actor: str = Field(max_length=100)
    lists: list[str] | None = Field(default=None, sa_column=Column(JSON))
    threshold: float | None = None
    limit: int = 5
    total: int = 0
    # Names screened and names with at least one match; only ever increased (never rewritten).
    done: int = 0
    hits: int = 0
    chunk_count: int = 0
    # The versions the job was pinned to when submitted; every chunk is screened against them.
    list_versions: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    # sha256 over the input names (one per line), what the audit record identifies them by.
    names_sha256: str = Field(max_length=64)
    error: str | None = Field(default=None, sa_column=Column(Text))
    # Jobs before pinning: set when chunks were screened against other versions than the
    # first ones. Pinned jobs never mix versions, so it stays empty.
    note: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    # The matcher (service.matching.algorithm) that scored it, null before 0009 recorded it.
    matcher_name: str | None = Field(default=None, max_length=50)
    matcher_version: str | None = Field(default=None, max_length=20)


class ScreeningJobChunk(SQLModel, table=True):
    """Up to a chunk's worth of a job's names, its lease while screened, then its results."""

    __tablename__ = "job_chunks"
    __table_args__ = (UniqueConstraint("job_id", "seq"),
                      Index("ix_job_chunks_claim", "status", "lease_expires_at"))

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(foreign_key="jobs.id", ondelete="CASCADE", max_length=32)
    seq: int
    # pending | running | done
    status: str = Field(default="pending", max_length=20)
    # Each name as [name, id, kind].
    names: list[list[str | None]] = Field(sa_column=Column(JSON, nullable=False))
    # Who holds the chunk and until when; an expired lease lets another process take it over.
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_expires_at: datetime | None = None
    attempts: int = 0
    enqueued_at: datetime | None = None
    # Per name, its candidates (the job result form: no explanation).
    results: list[list[dict[str, Any]]] | None = Field(default=None, sa_column=Column(JSON))
    # Names with a match, candidates returned and candidates that are matches.
    hits: int = 0
    candidates: int = 0
    matches: int = 0
    list_versions: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    finished_at: datetime | None = None


class Watchlist(SQLModel, table=True):
    """Saved names re-screened whenever a list version activates."""

    __tablename__ = "watchlists"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    actor: str = Field(max_length=100)
    webhook_url: str | None = Field(default=None, max_length=2000)
    # Signs each webhook body (HMAC-SHA256); kept to sign with, so it is never shown back.
    # Encrypted (service.secretbox): "fernet:<token>" (0012 widened it for the token).
    webhook_secret: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class WatchlistItem(SQLModel, table=True):
    """One saved name of a watchlist, under the caller's own id for it."""

    __tablename__ = "watchlist_items"
    __table_args__ = (UniqueConstraint("watchlist_id", "item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    watchlist_id: str = Field(foreign_key="watchlists.id", ondelete="CASCADE", max_length=32)
    item_id: str = Field(max_length=200)
    name: str = Field(max_length=500)
    kind: str | None = Field(default=None, max_length=20)
    # The name's identifying details as query values ({"birth_date": [...], …}); null when
    # the name was saved without any (or before 0010).
    details: dict[str, list[str]] | None = Field(default=None, sa_column=Column(JSON))


class WatchlistScreening(SQLModel, table=True):
    """Which version of a list a watchlist's hits were last computed against."""

    __tablename__ = "watchlist_screenings"

    watchlist_id: str = Field(foreign_key="watchlists.id", ondelete="CASCADE",
                              primary_key=True, max_length=32)
    list_id: str = Field(primary_key=True, max_length=50)
    version_id: int
    screened_at: datetime = Field(default_factory=utcnow)
    # The matcher (service.matching.algorithm) that scored it, null before 0009 recorded it.
    matcher_name: str | None = Field(default=None, max_length=50)
    matcher_version: str | None = Field(default=None, max_length=20)


class WatchlistHit(SQLModel, table=True):
    """A watchlist name's current match on a list entry: what the next version is diffed with."""

    __tablename__ = "watchlist_hits"
    __table_args__ = (UniqueConstraint("watchlist_id", "item_id", "list_id", "list_key"),)

    id: int | None = Field(default=None, primary_key=True)
    watchlist_id: str = Field(foreign_key="watchlists.id", ondelete="CASCADE", max_length=32)
    item_id: str = Field(max_length=200)
    list_id: str = Field(max_length=50)
    list_key: str = Field(max_length=100)
    matched_name: str = Field(max_length=500)
    score: float
    version_id: int


class Alert(SQLModel, table=True):
    """A change in a watchlist name's hits: new_hit, cleared or changed."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_watchlist_created", "watchlist_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    watchlist_id: str = Field(foreign_key="watchlists.id", ondelete="CASCADE", max_length=32)
    item_id: str = Field(max_length=200)
    name: str = Field(max_length=500)
    kind: str = Field(max_length=20)
    list_id: str = Field(max_length=50)
    list_key: str = Field(max_length=100)
    matched_name: str | None = Field(default=None, max_length=500)
    # The score now; for a cleared hit, the score it had.
    score: float | None = None
    version_id: int
    created_at: datetime = Field(default_factory=utcnow, index=True)
    # Raised for a pair an analyst had reviewed as a false positive, because the list entry
    # changed in this version since the review (otherwise such a pair raises nothing).
    changed_since_review: bool = Field(default=False)


class AlertDelivery(SQLModel, table=True):
    """One alert's POST to its watchlist's webhook: its state, attempts and last error."""

    __tablename__ = "alert_deliveries"

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alerts.id", ondelete="CASCADE", index=True)
    url: str = Field(max_length=2000)
    # pending | delivered | failed (given up after the last attempt)
    status: str = Field(default="pending", max_length=20, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    http_status: int | None = None
    error: str | None = Field(default=None, sa_column=Column(Text))
    delivered_at: datetime | None = None


class AuditRecord(SQLModel, table=True):
    """One screening: who asked what, against which list versions, and what was found.

    Append-only: nothing in the API changes or deletes a record; `xref audit prune` removes
    those older than the retention period.
    """

    __tablename__ = "audit_records"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=100, index=True)
    # screen | compare | job | watchlist | cli
    kind: str = Field(max_length=20, index=True)
    # The names asked about (or "sha256:<hex>" of each, per XREF_AUDIT_STORE_NAMES); null when
    # there were more than the record holds (a job), which `names_sha256` then identifies.
    names: list[str] | None = Field(default=None, sa_column=Column(JSON))
    names_sha256: str = Field(max_length=64)
    lists: list[str] | None = Field(default=None, sa_column=Column(JSON))
    threshold: float | None = None
    list_versions: list[dict[str, Any]] = Field(default_factory=list,
                                                sa_column=Column(JSON, nullable=False))
    name_count: int = 0
    candidate_count: int = 0
    match_count: int = 0
    # The job or watchlist the screening belongs to, if any.
    reference: str | None = Field(default=None, max_length=100)
    # The matcher (service.matching.algorithm) that scored it, null before 0009 recorded it.
    matcher_name: str | None = Field(default=None, max_length=50)
    matcher_version: str | None = Field(default=None, max_length=20)
    # For kind "review": what was decided or withdrawn (action, review id, decision, list,
    # key, note); null for screenings.
    review: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class Review(SQLModel, table=True):
    """An analyst's decision on a pair of screened name and list entry.

    Withdrawing a review sets `withdrawn_at` rather than deleting the row: the decision and
    its withdrawal both stay on record (and in the audit log).
    """

    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_pair", "name_key", "list_id", "list_key"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=500)
    # The name's search key (service.textkeys): "QASSEM  Suleimani" is the same name.
    name_key: str = Field(max_length=500)
    list_id: str = Field(max_length=50)
    list_key: str = Field(max_length=100)
    decision: str = Field(max_length=20)  # true_match | false_positive
    note: str | None = Field(default=None, sa_column=Column(Text))
    actor: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
    # The list's active version when reviewed and the entry's content there: a later version
    # whose entry differs is a change the analyst has not seen.
    version_id: int | None = None
    entry_sha256: str | None = Field(default=None, max_length=64)
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = Field(default=None, max_length=100)


# --- documents cross-reference ----------------------------------------------------------------


class DocumentMention(SQLModel, table=True):
    """A span of a document that names a registry entity or a list entry (exact offsets)."""

    __tablename__ = "document_mentions"
    __table_args__ = (Index("ix_document_mentions_entry", "list_id", "list_key"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="documents.id", ondelete="CASCADE", index=True)
    start: int
    end: int
    text: str = Field(max_length=1000)
    score: float
    # The registry entity the span names, directly or through its linked list entry; a
    # deleted entity leaves the mention of its list entry standing.
    entity_id: str | None = Field(default=None, foreign_key="entities.id", ondelete="SET NULL",
                                  index=True)
    list_id: str | None = Field(default=None, max_length=50)
    list_key: str | None = Field(default=None, max_length=100)
    matched_name: str = Field(sa_column=Column(Text, nullable=False))
    kind: str | None = Field(default=None, max_length=20)


class DocumentClaim(SQLModel, table=True):
    """A sentence saying a mentioned entity is, or is not, designated.

    Only what the text says is stored; whether the lists agree is judged when read, against
    the list versions active then, and recorded as a `ClaimVerdict` whenever that changes.
    """

    __tablename__ = "document_claims"
    __table_args__ = (Index("ix_document_claims_entry", "list_id", "list_key"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="documents.id", ondelete="CASCADE", index=True)
    # The sentence.
    start: int
    end: int
    # The mention the claim is about, and the words that make the claim.
    mention_start: int
    mention_end: int
    cue: str = Field(max_length=200)
    entity_id: str | None = Field(default=None, foreign_key="entities.id", ondelete="SET NULL",
                                  index=True)
    list_id: str | None = Field(default=None, max_length=50)
    list_key: str | None = Field(default=None, max_length=100)
    claim: str = Field(max_length=20)  # designated | not_designated
    # Program codes the sentence names ("FTO", "SDGT"), checked against the entry's programs.
    programs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class ClaimVerdict(SQLModel, table=True):
    """One judgement of a stored claim against the list versions active at the time.

    A claim is judged again whenever list versions activate (`record_claim_verdicts`); a row
    is appended only when the verdict or the versions differ from the claim's last row, so
    the rows of a claim are its history, oldest first by id.
    """

    __tablename__ = "claim_verdicts"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="document_claims.id", ondelete="CASCADE", index=True)
    status: str = Field(max_length=20)  # agrees | conflicts | unknown
    reason: str = Field(sa_column=Column(Text, nullable=False))
    evidence: list[dict[str, Any]] = Field(default_factory=list,
                                           sa_column=Column(JSON, nullable=False))
    # The list versions the claim was judged against: list id -> version id.
    versions: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    judged_at: datetime = Field(default_factory=utcnow)

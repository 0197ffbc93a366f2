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


class EntityLink(SQLModel, table=True):
    """An entity ↔ list entry link: pinned in the seeds, confirmed, suggested or rejected."""

    __tablename__ = "entity_links"
    __table_args__ = (UniqueConstraint("entity_id", "list_id", "list_key"),)

    id: int | None = Field(default=None, primary_key=True)
    entity_id: str = Field(foreign_key="entities.id", ondelete="CASCADE", index=True)
    list_id: str = Field(foreign_key="lists.id", max_length=50)
    list_key: str = Field(max_length=100)
    status: str = Field(max_length=20)  # pinned | confirmed | suggested | rejected
    score: float | None = None
    matched_name: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None


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

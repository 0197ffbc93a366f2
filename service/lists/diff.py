"""What changed between two versions of a list: added, removed and changed entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from service.errors import InvalidInput, NotFound
from service.models import ListEntryRow, ListVersion, SanctionsList

# Fields whose change is reported on its own; the rest are "other fields".
_NAMED_FIELDS = ("name", "aliases", "programs", "kind")


@dataclass
class EntryChange:
    """One entry present in both versions whose content differs, and which fields differ."""

    key: str
    name: str
    fields: list[str]
    programs_added: list[str] = field(default_factory=list)
    programs_removed: list[str] = field(default_factory=list)
    old_name: str | None = None


@dataclass
class ListDiff:
    """The difference between two versions of one list."""

    list_id: str
    from_version: ListVersion
    to_version: ListVersion
    added: list[str]
    removed: list[str]
    changed: list[EntryChange]


def _key_order(key: str) -> tuple[int, str]:
    # OFAC keys are numbers: order 99 before 100, other lists' keys as text.
    return (int(key), "") if key.isdigit() else (1 << 62, key)


def _fingerprints(version_id: int, *, session: Session) -> dict[str, str]:
    rows = session.connection().execute(
        select(ListEntryRow.key, ListEntryRow.content_sha256)  # type: ignore[call-overload]
        .where(ListEntryRow.version_id == version_id)
    ).all()
    return dict(rows)


def _entries(version_id: int, keys: list[str], *, session: Session) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(keys), 500):
        for key, data in session.connection().execute(
            select(ListEntryRow.key, ListEntryRow.data)  # type: ignore[call-overload]
            .where(ListEntryRow.version_id == version_id,
                   ListEntryRow.key.in_(keys[start:start + 500]))  # type: ignore[attr-defined]
        ).all():
            found[key] = data
    return found


def resolve_versions(list_id: str, from_id: int | None, to_id: int | None, *,
                     session: Session) -> tuple[ListVersion, ListVersion]:
    """Gives the two versions to compare: by default the one before the active, and the active."""
    sanctions_list = session.get(SanctionsList, list_id)
    if sanctions_list is None:
        raise NotFound(f"Unknown list '{list_id}'.")
    target_id = to_id or sanctions_list.active_version_id
    if target_id is None:
        raise NotFound(f"List '{list_id}' has no version yet.")
    to_id = target_id
    if from_id is None:
        earlier = session.connection().execute(
            select(ListVersion.id)  # type: ignore[call-overload]
            .where(ListVersion.list_id == list_id, col(ListVersion.id) < target_id)
            .order_by(ListVersion.id.desc()).limit(1)  # type: ignore[union-attr]
        ).scalar()
        if earlier is None:
            raise NotFound(f"List '{list_id}' has no version before {to_id} to compare with.")
        from_id = earlier
    versions = []
    for version_id in (from_id, to_id):
        version = session.get(ListVersion, version_id)
        if version is None or version.list_id != list_id:
            raise NotFound(f"List '{list_id}' has no version {version_id}.")
        versions.append(version)
    if from_id == to_id:
        raise InvalidInput("Compare two different versions.", details={"from": from_id})
    return versions[0], versions[1]


def diff_versions(list_id: str, from_id: int | None = None, to_id: int | None = None, *,
                  session: Session) -> ListDiff:
    """Gives the entries added, removed and changed from one version to the other."""
    old_version, new_version = resolve_versions(list_id, from_id, to_id, session=session)
    assert old_version.id is not None and new_version.id is not None
    old = _fingerprints(old_version.id, session=session)
    new = _fingerprints(new_version.id, session=session)
    added = sorted(new.keys() - old.keys(), key=_key_order)
    removed = sorted(old.keys() - new.keys(), key=_key_order)
    differing = sorted((k for k in new.keys() & old.keys() if new[k] != old[k]), key=_key_order)
    old_data = _entries(old_version.id, differing, session=session)
    new_data = _entries(new_version.id, differing, session=session)
    changes = [describe_change(key, old_data[key], new_data[key]) for key in differing]
    return ListDiff(list_id, old_version, new_version, added, removed, changes)


def describe_change(key: str, old: dict[str, Any], new: dict[str, Any]) -> EntryChange:
    """Gives which fields of an entry differ between two versions."""
    changed_fields = [f for f in _NAMED_FIELDS if old.get(f) != new.get(f)]
    changed_fields += sorted(f for f in (old.keys() | new.keys())
                             if f not in _NAMED_FIELDS and old.get(f) != new.get(f))
    old_programs, new_programs = set(old.get("programs", [])), set(new.get("programs", []))
    return EntryChange(
        key=key,
        name=new.get("name", ""),
        fields=changed_fields,
        programs_added=sorted(new_programs - old_programs),
        programs_removed=sorted(old_programs - new_programs),
        old_name=old.get("name") if old.get("name") != new.get("name") else None,
    )

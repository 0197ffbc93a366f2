"""The seed use case: the registry, the bundled list snapshots, and what ties them together."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from service.documents.xref import cross_reference_documents
from service.lists.importer import ImportOutcome
from service.lists.snapshots import import_snapshots
from service.registry.seed import seed_registry
from service.usecases.lists import RegistryCheck, active_versions, check_registry


@dataclass
class SeedOutcome:
    """What seeding changed: the registry, the snapshots imported, links and documents."""

    registry: Counter[str]
    snapshots: list[ImportOutcome]
    check: RegistryCheck
    documents: Counter[str]


def seed(seeds_dir: Path, *, session: Session, import_lists: bool = True) -> SeedOutcome:
    """Loads the seeds (idempotent): entities, documents, snapshots, links, cross-references.

    The registry comes first so that the snapshots' registry check sees its pinned links;
    the documents are read last, against the lists and the links as they now stand.
    """
    registry = seed_registry(seeds_dir, session=session)
    snapshots = (import_snapshots(seeds_dir / "lists", session=session)
                 if import_lists else [])
    check = check_registry(active_versions(session=session), session=session)
    # Cross-referencing ends by judging the claims, against the links as they now stand.
    documents = cross_reference_documents(session=session)
    return SeedOutcome(registry, snapshots, check, documents)

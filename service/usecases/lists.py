"""Use cases of the lists: a version imported, refreshed or made active, and what follows."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session, col, select

from service import monitoring
from service.config import Settings
from service.documents.claims import record_claim_verdicts
from service.linking.bridges import BridgeOutcome, follow_bridges
from service.linking.suggestions import SuggestionOutcome, suggest_links
from service.lists.importer import ImportOutcome, Progress, import_list
from service.lists.refresh import RefreshOutcome, refresh_list
from service.models import Alert, ListVersion, SanctionsList, utcnow


@dataclass
class RegistryCheck:
    """What checking the registry against list versions did, and how long it took."""

    bridges: BridgeOutcome
    suggestions: list[SuggestionOutcome] = field(default_factory=list)
    bridge_seconds: float = 0.0
    matching_seconds: float = 0.0

    def summary(self) -> str:
        """Gives one line for the CLI."""
        suggested = sum(len(s.created) for s in self.suggestions)
        ruled_out = sum(sum(s.ruled_out.values()) for s in self.suggestions)
        return (f"registry checked: {len(self.bridges.created)} links bridged, "
                f"{len(self.bridges.removed)} bridges dropped, {suggested} links suggested"
                + (f" ({ruled_out} name matches ruled out by birth date or nationality)"
                   if ruled_out else "")
                + f" in {self.bridge_seconds + self.matching_seconds:.1f} s"
                f" (bridges {self.bridge_seconds:.1f} s, name matching "
                f"{self.matching_seconds:.1f} s)")


def check_registry(versions: Sequence[ListVersion], *, session: Session) -> RegistryCheck:
    """Follows every entity's identifier bridges and matches the registry against `versions`.

    Run after a version activates: only then may an entity be said to be not listed on it.
    Bridges run first, so the matcher never suggests an entry a bridge already links (the
    index marks it as linked), and a suggestion is never a root a bridge starts from.
    """
    started = time.perf_counter()
    bridges = follow_bridges(session=session)
    check = RegistryCheck(bridges, bridge_seconds=time.perf_counter() - started)
    started = time.perf_counter()
    for version in versions:
        check.suggestions.append(suggest_links(version, session=session))
        version.registry_checked_at = utcnow()
        session.add(version)
    check.matching_seconds = time.perf_counter() - started
    session.flush()
    return check


def active_versions(*, session: Session) -> list[ListVersion]:
    """Gives the active version of every list that has one."""
    return list(session.exec(
        select(ListVersion).join(SanctionsList,
                                 col(SanctionsList.active_version_id) == col(ListVersion.id))
        .order_by(col(ListVersion.list_id))).all())


def check_registry_against_active(*, session: Session) -> RegistryCheck:
    """Checks the registry against every active version, then judges the documents' claims
    again (`xref links check`)."""
    check = check_registry(active_versions(session=session), session=session)
    record_claim_verdicts(session=session)
    return check


@dataclass
class VersionReaction:
    """What follows a new active version: the registry check and the watchlists' alerts."""

    check: RegistryCheck
    alerts: list[Alert] = field(default_factory=list)
    # Documents' claims whose verdict changed with this version (the earlier ones are kept).
    claim_verdicts: int = 0
    # How long judging the claims and re-screening the watchlists took (the registry check
    # times its own steps): with a list of a million names each is worth watching.
    verdict_seconds: float = 0.0
    rescreen_seconds: float = 0.0


def react_to_new_version(version: ListVersion, *, session: Session,
                         store_names: bool) -> VersionReaction:
    """Everything a newly active version sets off, in the caller's transaction.

    The registry is checked against it (bridges, then name matching); the documents' claims
    are judged again, the earlier verdicts kept; every watchlist is re-screened against it.
    Webhooks are delivered after the commit, by the caller or by the job runner, since they
    leave the database.
    """
    check = check_registry([version], session=session)
    started = time.perf_counter()
    verdicts = record_claim_verdicts(session=session)
    judged = time.perf_counter()
    alerts = monitoring.rescreen_pending(session=session, store_names=store_names)
    return VersionReaction(check, alerts, verdicts, verdict_seconds=judged - started,
                           rescreen_seconds=time.perf_counter() - judged)


@dataclass
class ListImport:
    """An import and, when it made a new version, what followed."""

    outcome: ImportOutcome
    reaction: VersionReaction | None


def import_list_version(list_id: str, paths: Sequence[Path], *, session: Session,
                        format: str | None = None, data_date: date | None = None,
                        sources: Sequence[str] | None = None,
                        fetched_at: datetime | None = None,
                        part_dates: dict[str, str] | None = None,
                        store_names: bool = True,
                        progress: Progress | None = None) -> ListImport:
    """Imports files as the list's new active version, then reacts to it; `progress` is told
    of the entries written as the import goes."""
    outcome = import_list(list_id, paths, session=session, format=format, data_date=data_date,
                          sources=sources, fetched_at=fetched_at, part_dates=part_dates,
                          progress=progress)
    if not outcome.created:
        return ListImport(outcome, None)
    return ListImport(outcome, react_to_new_version(outcome.version, session=session,
                                                    store_names=store_names))


def refresh_list_version(list_id: str, *, session: Session, settings: Settings
                         ) -> tuple[RefreshOutcome, VersionReaction | None]:
    """Downloads the list from its official URLs; a new version is reacted to."""
    outcome = refresh_list(list_id, session=session, settings=settings)
    if outcome.status != "updated" or outcome.version is None:
        return outcome, None
    return outcome, react_to_new_version(outcome.version, session=session,
                                         store_names=settings.audit_store_names)

"""Analysts' decisions on screening hits: a screened name and a list entry, judged a true match
or a false positive.

A pair is the name's search key (so spacing and case do not make another pair), the list and
the entry's key. One review per pair is in force: recording a new one withdraws the old.
Withdrawing keeps the row (`withdrawn_at`); both the decision and its withdrawal are appended to
the audit log. The review remembers the entry's content in the version it was made against, so
a watchlist re-screen can tell a false positive that is still the same entry (no alert) from
one whose entry has since changed (an alert that says so).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlmodel import Session, col, select

from service import audit
from service.errors import InvalidInput, NotFound
from service.models import Entity, ListEntryRow, ListVersion, Review, SanctionsList, utcnow
from service.terms import REGISTRY_LIST
from service.textkeys import search_key

TRUE_MATCH, FALSE_POSITIVE = "true_match", "false_positive"
DECISIONS = (TRUE_MATCH, FALSE_POSITIVE)

# Names looked up with one IN (...) at most; a larger set (a watchlist of 100,000 names) reads
# every review in force instead, which stays far below a database's bound on parameters.
MAX_KEYS_IN_QUERY = 500

# (name key, list, list key): how screening answers, job results and alerts find a review.
Pair = tuple[str, str, str]


@dataclass(frozen=True)
class ReviewInput:
    """What an analyst decides about one hit."""

    name: str
    list_id: str
    list_key: str
    decision: str
    note: str | None = None


def pair_of(name: str, list_id: str, list_key: str) -> Pair:
    """Gives the key a review of this name and entry is found by."""
    return (search_key(name), list_id, list_key)


def entry_content(list_id: str, list_key: str, version_id: int | None, *, session: Session
                  ) -> str | None:
    """Gives the content sha256 of the entry in that version, or None if it is not there."""
    if version_id is None:
        return None
    return session.exec(select(ListEntryRow.content_sha256).where(
        col(ListEntryRow.version_id) == version_id,
        col(ListEntryRow.key) == list_key)).first()


def record_review(data: ReviewInput, *, session: Session, actor: str) -> Review:
    """Gives the new review in force for its pair (the one it replaces is withdrawn)."""
    if data.decision not in DECISIONS:
        raise InvalidInput(f"A decision is one of {', '.join(DECISIONS)}.",
                           details={"decision": data.decision})
    if not search_key(data.name):
        raise InvalidInput("The name has no letters or digits to review.")
    version_id: int | None = None
    sha: str | None = None
    if data.list_id == REGISTRY_LIST:
        if session.get(Entity, data.list_key) is None:
            raise NotFound(f"No entity '{data.list_key}' in the registry.",
                           details={"list": data.list_id, "list_key": data.list_key})
    else:
        listed = session.get(SanctionsList, data.list_id)
        if listed is None:
            raise NotFound(f"No list '{data.list_id}'.", details={"list": data.list_id})
        version_id = listed.active_version_id
        sha = entry_content(data.list_id, data.list_key, version_id, session=session)
        if version_id is not None and sha is None:
            raise NotFound(f"No entry '{data.list_key}' in the active version of "
                           f"{data.list_id}.", details={"list": data.list_id,
                                                        "list_key": data.list_key})
    for previous in _in_force(pair_of(data.name, data.list_id, data.list_key), session=session):
        _withdraw(previous, session=session, actor=actor)
    review = Review(name=data.name, name_key=search_key(data.name), list_id=data.list_id,
                    list_key=data.list_key, decision=data.decision, note=data.note or None,
                    actor=actor, version_id=version_id, entry_sha256=sha)
    session.add(review)
    session.flush()
    _audit("recorded", review, session=session, actor=actor)
    return review


def withdraw_review(review_id: int, *, session: Session, actor: str) -> Review:
    """Gives the review, withdrawn now (kept, and recorded in the audit log)."""
    review = session.get(Review, review_id)
    if review is None or review.withdrawn_at is not None:
        raise NotFound(f"No review {review_id} in force.", details={"id": review_id})
    _withdraw(review, session=session, actor=actor)
    return review


def list_reviews(*, session: Session, name: str | None = None, list_id: str | None = None,
                 list_key: str | None = None, decision: str | None = None,
                 withdrawn: bool = False, limit: int = 1000) -> list[Review]:
    """Gives the reviews matching the filters (those in force unless `withdrawn`), newest
    first."""
    query = select(Review)
    if not withdrawn:
        query = query.where(col(Review.withdrawn_at).is_(None))
    if name:
        query = query.where(col(Review.name_key) == search_key(name))
    if list_id:
        query = query.where(col(Review.list_id) == list_id)
    if list_key:
        query = query.where(col(Review.list_key) == list_key)
    if decision:
        query = query.where(col(Review.decision) == decision)
    return list(session.exec(query.order_by(col(Review.id).desc()).limit(limit)).all())


def reviews_for(names: Iterable[str] | None, *, session: Session) -> dict[Pair, Review]:
    """Gives the reviews in force by pair, for these screened names (every one if None)."""
    query = select(Review).where(col(Review.withdrawn_at).is_(None))
    keys: set[str] | None = None
    if names is not None:
        keys = {search_key(n) for n in names}
        if not keys:
            return {}
        if len(keys) <= MAX_KEYS_IN_QUERY:
            query = query.where(col(Review.name_key).in_(sorted(keys)))
    return {(r.name_key, r.list_id, r.list_key): r for r in session.exec(query).all()
            if keys is None or r.name_key in keys}


def review_of(found: Mapping[Pair, Review], name: str, list_id: str, list_key: str
              ) -> Review | None:
    """Gives the review in force for one hit among those found, or None."""
    return found.get(pair_of(name, list_id, list_key))


def _in_force(pair: Pair, *, session: Session) -> list[Review]:
    return list(session.exec(select(Review).where(
        col(Review.name_key) == pair[0], col(Review.list_id) == pair[1],
        col(Review.list_key) == pair[2], col(Review.withdrawn_at).is_(None))).all())


def _withdraw(review: Review, *, session: Session, actor: str) -> None:
    review.withdrawn_at, review.withdrawn_by = utcnow(), actor
    session.add(review)
    _audit("withdrawn", review, session=session, actor=actor)


def _audit(action: str, review: Review, *, session: Session, actor: str) -> None:
    # Review records carry no screening counts: nothing was screened. The name is stored as
    # given (not hashed): a decision about a name must say which name.
    version = session.get(ListVersion, review.version_id) if review.version_id else None
    versions = ([{"list": review.list_id, "version": version.id,
                  "data_date": version.data_date.isoformat() if version.data_date else None}]
                if version is not None else [])
    audit.record_screening(
        "review", [review.name], audit.Counts(0, 0, 0), session=session, actor=actor,
        list_versions=versions, store_names=True, lists=[review.list_id],
        reference=f"review:{review.id}", matcher=(None, None),
        review={"action": action, "id": review.id, "decision": review.decision,
                "list": review.list_id, "list_key": review.list_key, "note": review.note})

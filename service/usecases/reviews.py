"""Use cases of hit reviews: record a decision, withdraw one (each audited in the same
transaction, so the API and the console cannot record them differently)."""

from __future__ import annotations

from sqlmodel import Session

from service.models import Review
from service.reviews import ReviewInput, record_review, withdraw_review


def record(data: ReviewInput, *, session: Session, actor: str) -> Review:
    """Gives the review now in force for the pair, its audit record added."""
    return record_review(data, session=session, actor=actor)


def withdraw(review_id: int, *, session: Session, actor: str) -> Review:
    """Gives the withdrawn review, its audit record added."""
    return withdraw_review(review_id, session=session, actor=actor)

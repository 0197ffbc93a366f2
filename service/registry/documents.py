"""Documents of the registry: listing and reading them with their passages."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, func, select

from service.errors import NotFound
from service.models import Document, Passage


def list_documents(*, session: Session, page: int = 1, per_page: int = 20
                   ) -> tuple[list[Document], int]:
    """Gives one page of documents, oldest first, and how many there are."""
    total = session.exec(select(func.count()).select_from(Document)).one()
    rows = session.exec(
        select(Document).order_by(col(Document.published_on), col(Document.id))
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), int(total)


def document_detail(document_id: str, *, session: Session) -> dict[str, Any]:
    """Gives the document with its text and every passage found in it."""
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(f"No document with id '{document_id}'.", details={"id": document_id})
    passages = session.exec(
        select(Passage).where(Passage.document_id == document_id)
        .order_by(col(Passage.start), col(Passage.entity_id))
    ).all()
    return {"document": document, "passages": list(passages)}

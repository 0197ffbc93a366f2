"""Documents of the registry: listing them a page at a time."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from service.models import Document


def list_documents(*, session: Session, page: int = 1, per_page: int = 20
                   ) -> tuple[list[Document], int]:
    """Gives one page of documents, oldest first, and how many there are."""
    total = session.exec(select(func.count()).select_from(Document)).one()
    rows = session.exec(
        select(Document).order_by(col(Document.published_on), col(Document.id))
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), int(total)


"""Routes of the registry's documents."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from service.api.auth import require_scope
from service.api.parsing import query_args
from service.api.schemas import DocumentOut, DocumentSummaryOut, PageArgs, PassageOut
from service.registry import documents
from service.web import session

blueprint = Blueprint("documents", __name__, url_prefix="/v1/documents")


@blueprint.get("")
@require_scope("read")
def index() -> dict[str, Any]:
    args = query_args(PageArgs())
    rows, total = documents.list_documents(session=session(), **args)
    return {"items": DocumentSummaryOut(many=True).dump(rows), "total": total, **args}


@blueprint.get("/<document_id>")
@require_scope("read")
def read(document_id: str) -> dict[str, Any]:
    detail = documents.document_detail(document_id, session=session())
    body: dict[str, Any] = DocumentOut().dump(detail["document"])
    body["passages"] = PassageOut(many=True).dump(detail["passages"])
    return body

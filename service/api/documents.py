"""Routes of the documents: read, add (JSON, plain text or HTML), suggestions, and claims."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request, url_for

from service.api.auth import require_scope
from service.api.entities import entity_json
from service.api.parsing import UnsupportedMediaType, json_body, query_args
from service.api.schemas import (
    ClaimArgs,
    ClaimOut,
    ClaimPageOut,
    DocumentCreate,
    DocumentOut,
    DocumentReadArgs,
    DocumentSummaryOut,
    DocumentUploadArgs,
    MentionOut,
    PageArgs,
    PassageOut,
    SuggestionAccept,
)
from service.documents import suggestions, xref
from service.documents.annotate import document_page
from service.documents.html_text import html_to_text
from service.errors import InvalidInput
from service.registry import documents
from service.usecases.registry import accept_document_suggestion
from service.web import current_index, session

blueprint = Blueprint("documents", __name__, url_prefix="/v1/documents")
claims_blueprint = Blueprint("claims", __name__, url_prefix="/v1/claims")

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")


def document_json(document_id: str) -> dict[str, Any]:
    """Gives the full JSON of one document: text, passages, mentions and judged claims."""
    view = xref.document_view(document_id, session=session())
    body: dict[str, Any] = DocumentOut().dump(view.document)
    body["passages"] = PassageOut(many=True).dump(view.passages)
    body["mentions"] = MentionOut(many=True).dump(view.mentions)
    body["claims"] = ClaimOut(many=True).dump(view.claims)
    return body


@blueprint.get("")
@require_scope("read")
def index() -> dict[str, Any]:
    args = query_args(PageArgs())
    rows, total = documents.list_documents(session=session(), **args)
    return {"items": DocumentSummaryOut(many=True).dump(rows), "total": total, **args}


@blueprint.get("/<document_id>")
@require_scope("read")
def read(document_id: str) -> Response | dict[str, Any]:
    args = query_args(DocumentReadArgs())
    if args["format"] == "html":
        page = document_page(xref.document_view(document_id, session=session()))
        return Response(page, mimetype="text/html")
    return document_json(document_id)


@blueprint.post("")
@require_scope("admin")
def create() -> tuple[dict[str, Any], int, dict[str, str]]:
    data = _document_input()
    db = session()
    document = xref.add_document(data, session=db, loaded=current_index())
    db.commit()
    return document_json(document.id), 201, {
        "Location": url_for("documents.read", document_id=document.id)}


@blueprint.get("/<document_id>/suggestions")
@require_scope("read")
def list_suggestions(document_id: str) -> dict[str, Any]:
    items = suggestions.document_suggestions(document_id, session=session())
    return {"items": items, "total": len(items)}


@blueprint.post("/<document_id>/suggestions/<suggestion_id>/accept")
@require_scope("admin")
def accept_suggestion(document_id: str, suggestion_id: str
                      ) -> tuple[dict[str, Any], int, dict[str, str]]:
    data = json_body(SuggestionAccept()) if request.content_length else {}
    db = session()
    entity = accept_document_suggestion(document_id, suggestion_id, data, session=db)
    db.commit()
    return entity_json(entity.id), 201, {"Location": url_for("entities.read",
                                                             entity_id=entity.id)}


@claims_blueprint.get("")
@require_scope("read")
def list_claims() -> dict[str, Any]:
    args = query_args(ClaimArgs())
    return ClaimPageOut().dump(xref.list_claims(session=session(), **args))


# --- reading an added document ---------------------------------------------------------------


def _document_input() -> dict[str, Any]:
    """Gives {"title", "text", "published_on", "source_url"} from JSON, a multipart `file`,
    or a text/plain or text/html body (with the other fields in the query string)."""
    if request.is_json:
        return json_body(DocumentCreate())
    mimetype = request.mimetype
    if mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise InvalidInput("Send the document as a multipart part named 'file'.",
                               details={"fields": {"file": ["Missing data for required field."]}})
        fields = {**request.args.to_dict(), **request.form.to_dict()}
        name = (upload.filename or "").lower()
        is_html = upload.mimetype in _HTML_TYPES or name.endswith(_HTML_SUFFIXES)
        if not is_html and upload.mimetype not in ("text/plain", "application/octet-stream", ""):
            raise UnsupportedMediaType("Upload plain text or HTML.",
                                       details={"content_type": upload.mimetype})
        raw, charset = upload.read(), upload.mimetype_params.get("charset")
    elif mimetype in ("text/plain", *_HTML_TYPES):
        fields = request.args.to_dict()
        is_html = mimetype in _HTML_TYPES
        raw, charset = request.get_data(), request.mimetype_params.get("charset")
    else:
        raise UnsupportedMediaType(
            "Send JSON, a multipart form with a 'file', or a text/plain or text/html body.",
            details={"content_type": request.content_type})
    args = DocumentUploadArgs().load(fields)
    text = _decode(raw, charset)
    title = args["title"]
    if is_html:
        text, page_title = html_to_text(text)
        title = title or page_title
    if not title:
        raise InvalidInput("Give the document a title (the 'title' field).",
                           details={"fields": {"title": ["Missing data for required field."]}})
    return {"title": title, "text": text, "published_on": args["published_on"],
            "source_url": args["source_url"]}


def _decode(raw: bytes, charset: str | None) -> str:
    try:
        text = raw.decode(charset or "utf-8-sig")
    except (LookupError, UnicodeDecodeError) as error:
        raise InvalidInput("The document is not text in UTF-8 (or in the charset it declares).",
                           details={"charset": charset or "utf-8"}) from error
    if "\x00" in text:
        raise InvalidInput("The document is binary, not text.")
    return text

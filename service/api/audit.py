"""Routes of the audit log (admin): page through the screenings, or export them as CSV.

Read-only on purpose: no route changes or deletes a record.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC
from typing import Any

from flask import Blueprint, Response
from marshmallow import fields, validate

from service import audit
from service.api.auth import require_admin
from service.api.parsing import query_args
from service.api.schemas import AuditRecordOut, StrictSchema
from service.screening.csvio import safe_cell
from service.web import session, streamed

blueprint = Blueprint("audit", __name__, url_prefix="/v1/audit")


class AuditArgs(StrictSchema):
    # A time without a zone is read as UTC, the zone of every stored time.
    since = fields.AwareDateTime(load_default=None, default_timezone=UTC)
    until = fields.AwareDateTime(load_default=None, default_timezone=UTC)
    actor = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    kind = fields.String(load_default=None, validate=validate.OneOf(audit.KINDS))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))


def _filters(args: dict[str, Any]) -> dict[str, Any]:
    return {k: args[k] for k in ("since", "until", "actor", "kind")}


@blueprint.get("")
@require_admin
def index() -> Any:
    args = query_args(AuditArgs())
    if args["format"] == "csv":
        return _export(args)
    records, total = audit.search_records(session=session(), page=args["page"],
                                          per_page=args["per_page"], **_filters(args))
    return {"items": AuditRecordOut(many=True).dump(records), "total": total,
            "page": args["page"], "per_page": args["per_page"]}


@blueprint.get("/export")
@require_admin
def export() -> Response:
    return _export(query_args(AuditArgs()))


def _export(args: dict[str, Any]) -> Response:
    filters = _filters(args)
    body = streamed(lambda db: _csv(audit.iter_records(session=db, **filters)))
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="audit.csv"'
    return response


def _csv(records: Iterator[Any]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(audit.CSV_COLUMNS)
    for count, record in enumerate(records, start=1):
        row = audit.record_row(record)
        writer.writerow([safe_cell(row[c]) for c in audit.CSV_COLUMNS])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()

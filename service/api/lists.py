"""Routes of the sanctions lists: versions, entries, diffs and refresh."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from service.api.auth import require_admin, require_scope
from service.api.parsing import query_args
from service.api.schemas import (
    DiffArgs,
    EntryPageOut,
    EntrySearchArgs,
    ListDiffOut,
    ListOverviewOut,
    ListVersionOut,
    VersionArgs,
    entry_record_json,
    version_items_json,
)
from service.lists import diff, queries
from service.lists.programs import program_table
from service.usecases.lists import refresh_list_version
from service.web import session, settings

blueprint = Blueprint("lists", __name__, url_prefix="/v1/lists")
programs_blueprint = Blueprint("programs", __name__, url_prefix="/v1/programs")


@programs_blueprint.get("")
@require_scope("read")
def programs() -> dict[str, Any]:
    items = list(program_table().values())
    return {"items": items, "total": len(items)}


@blueprint.get("")
@require_scope("read")
def index() -> dict[str, Any]:
    items = queries.all_lists(session=session(), stale_after_days=settings().stale_after_days)
    return {"items": ListOverviewOut(many=True).dump(items), "total": len(items)}


@blueprint.get("/<list_id>")
@require_scope("read")
def read(list_id: str) -> dict[str, Any]:
    return ListOverviewOut().dump(queries.list_overview(
        list_id, session=session(), stale_after_days=settings().stale_after_days))


@blueprint.get("/<list_id>/versions")
@require_scope("read")
def versions(list_id: str) -> dict[str, Any]:
    items = version_items_json(queries.list_versions(list_id, session=session()))
    return {"items": items, "total": len(items)}


@blueprint.get("/<list_id>/entries")
@require_scope("read")
def entries(list_id: str) -> dict[str, Any]:
    args = query_args(EntrySearchArgs())
    return EntryPageOut().dump(queries.search_entries(list_id, session=session(), **args))


@blueprint.get("/<list_id>/entries/<key>")
@require_scope("read")
def entry(list_id: str, key: str) -> dict[str, Any]:
    args = query_args(VersionArgs())
    return entry_record_json(queries.get_entry(list_id, key, session=session(), **args))


@blueprint.get("/<list_id>/diff")
@require_scope("read")
def compare_versions(list_id: str) -> dict[str, Any]:
    args = query_args(DiffArgs())
    result = diff.diff_versions(list_id, args["from_"], args["to"], session=session())
    return ListDiffOut(exclude=() if args["details"] else ("changes",)).dump(result)


@blueprint.post("/<list_id>/refresh")
@require_admin
def refresh_now(list_id: str) -> dict[str, Any]:
    db = session()
    # The new version, its registry check and the watchlists' alerts commit together; the
    # job runner or a worker delivers the alerts' webhooks.
    outcome, _reaction = refresh_list_version(list_id, session=db, settings=settings())
    db.commit()
    return {
        "list": list_id,
        "status": outcome.status,
        "version": ListVersionOut().dump(outcome.version) if outcome.version else None,
    }

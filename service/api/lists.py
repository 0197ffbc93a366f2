"""Routes of the sanctions lists: versions, entries, diffs and refresh."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from service import monitoring
from service.api.auth import require_admin, require_scope
from service.api.parsing import query_args
from service.api.schemas import DiffArgs, EntrySearchArgs, VersionArgs
from service.api.screening import current_index
from service.lists import diff, queries
from service.lists.programs import program_table
from service.lists.queries import version_json
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
    return {"items": items, "total": len(items)}


@blueprint.get("/<list_id>")
@require_scope("read")
def read(list_id: str) -> dict[str, Any]:
    return queries.list_overview(list_id, session=session(),
                                 stale_after_days=settings().stale_after_days)


@blueprint.get("/<list_id>/versions")
@require_scope("read")
def versions(list_id: str) -> dict[str, Any]:
    items = queries.list_versions(list_id, session=session())
    return {"items": items, "total": len(items)}


@blueprint.get("/<list_id>/entries")
@require_scope("read")
def entries(list_id: str) -> dict[str, Any]:
    args = query_args(EntrySearchArgs())
    return queries.search_entries(list_id, session=session(), **args)


@blueprint.get("/<list_id>/entries/<key>")
@require_scope("read")
def entry(list_id: str, key: str) -> dict[str, Any]:
    args = query_args(VersionArgs())
    return queries.get_entry(list_id, key, session=session(), **args)


@blueprint.get("/<list_id>/diff")
@require_scope("read")
def compare_versions(list_id: str) -> dict[str, Any]:
    args = query_args(DiffArgs())
    result = diff.diff_versions(list_id, args["from_"], args["to"], session=session())
    return result.to_dict(details=args["details"])


@blueprint.post("/<list_id>/refresh")
@require_admin
def refresh_now(list_id: str) -> dict[str, Any]:
    db = session()
    outcome, _check = refresh_list_version(list_id, session=db, settings=settings())
    db.commit()
    if outcome.status == "updated":
        # The new version is committed; the watchlists' alerts are a use case of their own
        # (if this fails, the job runner or a worker re-screens them on its next round).
        monitoring.rescreen_pending(session=db, loaded=current_index(),
                                    store_names=settings().audit_store_names)
        db.commit()
    return {
        "list": list_id,
        "status": outcome.status,
        "version": version_json(outcome.version) if outcome.version else None,
    }

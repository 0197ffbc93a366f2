"""Routes of batch screening jobs: submit a CSV or JSON of names, follow it, read its results."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC
from typing import Any

from flask import Blueprint, Response, current_app, request, url_for
from marshmallow import fields, validate

from service.api.auth import require_scope
from service.api.parsing import json_body, query_args
from service.api.schemas import LIST_ID, JobOut, StrictSchema
from service.api.screening import reviewed
from service.errors import Forbidden, InvalidInput
from service.jobs import store
from service.jobs.serving import dispatch
from service.matching.algorithm import matcher_json
from service.models import ScreeningJob
from service.reviews import Pair, reviews_for
from service.screening.csvio import SCREEN_COLUMNS, safe_cell
from service.security.middleware import current_actor, current_caller
from service.terms import DEFAULT_LIMIT, MAX_LIMIT, MAX_LISTS_PER_REQUEST
from service.usecases.screening import ScreeningOptions, submit_job
from service.web import current_index, session, settings, streamed

blueprint = Blueprint("jobs", __name__, url_prefix="/v1/jobs")

_LISTS = fields.List(LIST_ID, load_default=None, allow_none=True,
                     validate=validate.Length(max=MAX_LISTS_PER_REQUEST))
_THRESHOLD = fields.Float(load_default=None, allow_none=True,
                          validate=validate.Range(min=0, max=1))
_LIMIT = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT))


class JobRequest(StrictSchema):
    # Each item is checked by store.requests_from_json: per-item marshmallow schemas would
    # take longer than the screening for a million names.
    names = fields.List(fields.Raw(), required=True, validate=validate.Length(min=1))
    lists = _LISTS
    threshold = _THRESHOLD
    limit = _LIMIT


class JobForm(StrictSchema):
    lists = _LISTS
    threshold = _THRESHOLD
    limit = _LIMIT


class JobsArgs(StrictSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(store.JOB_STATES))
    submitted_by = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    # A time without a zone is read as UTC, the zone of every stored time.
    since = fields.AwareDateTime(load_default=None, default_timezone=UTC)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class ResultArgs(StrictSchema):
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "json")))
    only_ = fields.String(data_key="only", load_default=None,
                          validate=validate.OneOf(("hits",)))


def _submitted() -> tuple[Any, dict[str, Any]]:
    """Gives the request's names (an iterator) and options, from a CSV upload or JSON."""
    if request.mimetype == "multipart/form-data":
        # A part without a name has the name None, which sorts with no string.
        unknown = sorted(name or "" for name in set(request.form) - {"list", "threshold", "limit"})
        if unknown:
            raise InvalidInput("The form has unknown fields.", details={"unknown": unknown})
        form: dict[str, Any] = {"lists": request.form.getlist("list") or None}
        for name in ("threshold", "limit"):
            if request.form.get(name):
                form[name] = request.form[name]
        options = dict(JobForm().load(form))
        upload = request.files.get("file")
        if upload is None:
            raise InvalidInput("Send the names as a CSV file in the multipart field 'file'.")
        return store.requests_from_csv(upload.stream, source=upload.filename or "file"), options
    body = json_body(JobRequest())
    return store.requests_from_json(body.pop("names")), body


@blueprint.post("")
@require_scope("screen")
def create() -> tuple[dict[str, Any], int, dict[str, str]]:
    # A million names is more than XREF_MAX_BODY allows any other route.
    request.max_content_length = settings().job_max_body
    names, options = _submitted()
    db = session()
    job = submit_job(names, ScreeningOptions(actor=current_actor(),
                                             store_names=settings().audit_store_names,
                                             **options),
                     session=db, loaded=current_index(), chunk_size=settings().job_chunk_size,
                     max_names=settings().job_max_names)
    db.commit()
    dispatch(current_app._get_current_object(), job)  # type: ignore[attr-defined]
    return ({"id": job.id, "status": job.status, "total": job.total}, 202,
            {"Location": url_for("jobs.read", job_id=job.id)})


@blueprint.get("")
@require_scope("screen")
def index() -> dict[str, Any]:
    args = query_args(JobsArgs())
    caller = current_caller()
    # A key sees the jobs it submitted; only admin sees everyone's (names of who asked what).
    if caller is None or not caller.allows("admin"):
        if args["submitted_by"] not in (None, current_actor()):
            raise Forbidden("Only the admin scope lists other keys' jobs.",
                            details={"required_scope": "admin"})
        args["submitted_by"] = current_actor()
    jobs, total = store.search_jobs(session=session(), status=args["status"],
                                    actor=args["submitted_by"], since=args["since"],
                                    page=args["page"], per_page=args["per_page"])
    return {"items": JobOut(many=True).dump(jobs), "total": total,
            "page": args["page"], "per_page": args["per_page"]}


@blueprint.get("/<job_id>")
@require_scope("screen")
def read(job_id: str) -> dict[str, Any]:
    return JobOut().dump(store.get_job(job_id, session=session()))


@blueprint.delete("/<job_id>")
@require_scope("screen")
def cancel(job_id: str) -> dict[str, Any]:
    db = session()
    job = store.cancel_job(job_id, session=db, store_names=settings().audit_store_names)
    db.commit()
    return JobOut().dump(job)


@blueprint.get("/<job_id>/results")
@require_scope("screen")
def results(job_id: str) -> Response:
    args = query_args(ResultArgs())
    job = store.finished_job(job_id, session=session())
    return results_response(job, args["format"], only_hits=args["only_"] == "hits")


def results_response(job: ScreeningJob, fmt: str, *, only_hits: bool) -> Response:
    """Gives a finished job's results streamed as CSV or JSON (the API's and the console's
    downloads)."""
    if fmt == "json":
        header = {"id": job.id, "list_versions": job.list_versions or [],
                  "matcher": matcher_json(job.matcher_name, job.matcher_version)}
        body = streamed(lambda rows_db: _json_stream(
            header, store.iter_results(job, session=rows_db), only_hits,
            reviews_for(None, session=rows_db)))
        response = Response(body, mimetype="application/json")
        response.headers["Content-Disposition"] = f'attachment; filename="job-{job.id}.json"'
        return response
    body = streamed(lambda rows_db: _csv_stream(store.iter_results(job, session=rows_db),
                                                only_hits))
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="job-{job.id}.csv"'
    return response


def _csv_stream(rows: Iterator[Any], only_hits: bool) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SCREEN_COLUMNS)
    for count, (request_, matches) in enumerate(rows, start=1):
        for row in store.result_csv_rows(request_, matches, only_hits=only_hits):
            writer.writerow([safe_cell(row.get(column, "")) for column in SCREEN_COLUMNS])
        if count % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json_stream(header: dict[str, Any], rows: Iterator[Any], only_hits: bool,
                 found: dict[Pair, Any]) -> Iterator[str]:
    # Every review in force is read once (there are far fewer reviews than names in a job),
    # so each hit says its decision without a query per name.
    yield json.dumps(header)[:-1] + ', "results": ['
    separator = ""
    for request_, matches in rows:
        result = reviewed(store.result_json(request_, matches, only_hits=only_hits), found)
        if only_hits and not result["matches"]:
            continue
        yield separator + json.dumps(result, ensure_ascii=False)
        separator = ","
    yield "]}"

"""Routes of the yente-compatible API (OpenSanctions' yente), so that its clients work
unchanged: match, entities, search, catalog, algorithms, health.

Keys are accepted as yente sends them (`Authorization: ApiKey <key>`) as well as in the
service's own forms, with the same scopes: matching and searching screen, the rest reads.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates

from service.api.auth import require_scope
from service.api.parsing import json_body, query_args
from service.errors import ServiceError
from service.matching.algorithm import MATCHER, MATCHERS
from service.screening.ftm import MAX_QUERY_NAMES, SCHEMA_KINDS
from service.security.middleware import current_actor
from service.terms import DEFAULT_LIMIT, MAX_LIMIT, MAX_NAMES_PER_REQUEST
from service.usecases.screening import ScreeningOptions
from service.usecases.yente import catalog, get_entity, match_entities, search_entities
from service.web import current_index, session, settings

blueprint = Blueprint("yente", __name__, url_prefix="/yente")

# yente's own names for "the service's best algorithm": its clients ask for these.
ALGORITHM_ALIASES = ("best", "default")
_DATASET = validate.Length(min=1, max=50)


class _Lenient(Schema):
    """yente's clients send parameters of their own (`fuzzy`, `changed_since`, …): they are
    accepted and left unused rather than refused."""

    class Meta:
        unknown = EXCLUDE


class MatchArgs(_Lenient):
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(min=1,
                                                                                max=MAX_LIMIT))
    threshold = fields.Float(load_default=None, validate=validate.Range(min=0, max=1))
    cutoff = fields.Float(load_default=0.0, validate=validate.Range(min=0, max=1))
    algorithm = fields.String(load_default="best", validate=validate.Length(max=50))


class UnknownAlgorithm(ServiceError):
    # As nomenklatura's registry answers a name it does not know.
    status = 400
    code = "unknown_algorithm"


def _check_algorithm(name: str) -> None:
    if name not in ALGORITHM_ALIASES and name not in MATCHERS:
        raise UnknownAlgorithm(f"Unknown algorithm '{name}'.", details={
            "algorithms": sorted([*MATCHERS, *ALGORITHM_ALIASES])})


class QueryEntity(_Lenient):
    schema = fields.String(required=True, validate=validate.OneOf(sorted(SCHEMA_KINDS)))
    properties = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)

    @validates("properties")
    def _has_a_name(self, value: dict[str, Any], **_kwargs: Any) -> None:
        names = value.get("name")
        if not names or not isinstance(names, list | str):
            raise ValidationError("A query entity needs at least one 'name'.")


class MatchBody(_Lenient):
    queries = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=200)),
                          values=fields.Nested(QueryEntity), required=True,
                          validate=validate.Length(
                              min=1, max=MAX_NAMES_PER_REQUEST // MAX_QUERY_NAMES))


class SearchArgs(_Lenient):
    q = fields.String(required=True, validate=validate.Length(min=1, max=500))
    schema = fields.String(load_default=None, validate=validate.OneOf(sorted(SCHEMA_KINDS)))
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(min=1,
                                                                                max=MAX_LIMIT))


def _options(threshold: float | None, limit: int) -> ScreeningOptions:
    return ScreeningOptions(actor=current_actor(), store_names=settings().audit_store_names,
                            threshold=threshold, limit=limit)


@blueprint.post("/match/<dataset>")
@require_scope("screen")
def match(dataset: str) -> dict[str, Any]:
    args = query_args(MatchArgs())
    _check_algorithm(args["algorithm"])
    body = json_body(MatchBody())
    db = session()
    answer = match_entities(body["queries"], dataset, options=_options(args["threshold"],
                                                                        args["limit"]),
                            cutoff=args["cutoff"], session=db, loaded=current_index())
    db.commit()
    return answer


@blueprint.get("/search/<dataset>")
@require_scope("screen")
def search(dataset: str) -> dict[str, Any]:
    args = query_args(SearchArgs())
    db = session()
    answer = search_entities(args["q"], dataset, args["schema"],
                             options=_options(None, args["limit"]), session=db,
                             loaded=current_index())
    db.commit()
    return answer


@blueprint.get("/entities/<entity_id>")
@require_scope("read")
def entity(entity_id: str) -> dict[str, Any]:
    return get_entity(entity_id, session=session(), loaded=current_index())


@blueprint.get("/catalog")
@require_scope("read")
def datasets() -> dict[str, Any]:
    return catalog(current_index())


@blueprint.get("/algorithms")
@require_scope("read")
def algorithms() -> dict[str, Any]:
    return {"algorithms": [{"name": name, "description": (matcher.__doc__ or "").strip(),
                            "version": matcher.VERSION} for name, matcher in MATCHERS.items()],
            "default": MATCHER.NAME, "best": MATCHER.NAME}


@blueprint.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}

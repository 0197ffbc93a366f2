"""Health, the OpenAPI contract and its Swagger UI (served from packaged assets, no CDN)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app
from flask_swagger_ui import get_swaggerui_blueprint
from sqlalchemy import text

from service import metrics
from service.config import PROJECT_ROOT
from service.errors import Unavailable
from service.security.middleware import require_scope
from service.usecases.readiness import check_readiness
from service.web import engine, index_holder, session, settings

blueprint = Blueprint("meta", __name__)
OPENAPI_PATH = PROJECT_ROOT / "openapi.yaml"


@blueprint.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    session().exec(text("SELECT 1"))  # type: ignore[call-overload]
    return {"status": "ok", "database": "ok"}, 200


class NotReady(Unavailable):
    code = "not_ready"


@blueprint.get("/readyz")
def readyz() -> tuple[dict[str, Any], int]:
    readiness = check_readiness(engine=engine(), holder=index_holder(current_app),
                                redis_url=settings().redis_url)
    if readiness.missing:
        raise NotReady(f"Not ready: {', '.join(readiness.missing)}.",
                       details={"missing": readiness.missing, "checks": readiness.checks})
    return {"status": "ready", "checks": readiness.checks}, 200


@blueprint.get("/metrics")
@require_scope("metrics")
def metrics_exposition() -> Response:
    return Response(metrics.exposition(session=session()), content_type=metrics.CONTENT_TYPE)


@blueprint.get("/openapi.yaml")
def openapi_document() -> Response:
    return Response(OPENAPI_PATH.read_bytes(), mimetype="application/yaml")


docs_blueprint = get_swaggerui_blueprint(
    "/docs", "/openapi.yaml", config={"app_name": "Designation cross-reference API"}
)

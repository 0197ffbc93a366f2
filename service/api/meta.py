"""Health, the OpenAPI contract and its Swagger UI (served from packaged assets, no CDN)."""

from __future__ import annotations

from flask import Blueprint, Response
from flask_swagger_ui import get_swaggerui_blueprint
from sqlalchemy import text

from service.config import PROJECT_ROOT
from service.web import session

blueprint = Blueprint("meta", __name__)
OPENAPI_PATH = PROJECT_ROOT / "openapi.yaml"


@blueprint.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    session().exec(text("SELECT 1"))  # type: ignore[call-overload]
    return {"status": "ok", "database": "ok"}, 200


@blueprint.get("/openapi.yaml")
def openapi_document() -> Response:
    return Response(OPENAPI_PATH.read_bytes(), mimetype="application/yaml")


docs_blueprint = get_swaggerui_blueprint(
    "/docs", "/openapi.yaml", config={"app_name": "Designation cross-reference API"}
)

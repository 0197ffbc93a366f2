"""openapi.yaml is the contract: valid OpenAPI 3.1, and exactly the app's routes."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from flask import Flask
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi.yaml"
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
# Swagger UI's own static assets are served under /docs/<path>; they are not API operations.
NOT_OPERATIONS = {"/docs/{path}", "/static/{filename}"}
# The analyst console's pages are HTML for people, not operations of the API.
CONSOLE = "/ui/"


def spec() -> dict:
    return yaml.safe_load(SPEC_PATH.read_text())


def app_operations(app: Flask) -> set[tuple[str, str]]:
    operations = set()
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        if path in NOT_OPERATIONS or path.startswith(CONSOLE):
            continue
        for method in rule.methods or ():
            if method.lower() in HTTP_METHODS:
                operations.add((method.lower(), path))
    return operations


def spec_operations() -> set[tuple[str, str]]:
    return {(method, path) for path, item in spec()["paths"].items()
            for method in item if method in HTTP_METHODS}


def test_spec_is_valid_openapi_3_1() -> None:
    document = spec()
    assert document["openapi"].startswith("3.1")
    validate(document, cls=OpenAPIV31SpecValidator)


def test_every_app_route_is_in_the_spec(app: Flask) -> None:
    missing = app_operations(app) - spec_operations()
    assert not missing, f"routes missing from openapi.yaml: {sorted(missing)}"


def test_every_spec_operation_is_served(app: Flask) -> None:
    unserved = spec_operations() - app_operations(app)
    assert not unserved, f"openapi.yaml describes routes the app lacks: {sorted(unserved)}"


def test_every_operation_documents_its_errors_with_the_envelope() -> None:
    document = spec()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            for status, response in operation["responses"].items():
                if str(status).startswith(("4", "5")):
                    assert response["$ref"].startswith("#/components/responses/"), (path, status)


def test_served_spec_is_the_file(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/openapi.yaml")
    assert response.status_code == 200
    assert response.data == SPEC_PATH.read_bytes()

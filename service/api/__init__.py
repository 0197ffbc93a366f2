"""HTTP edge: one blueprint per resource, each view parsing, calling one domain function, dumping."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Registers every blueprint of the API."""
    from service.api import documents, entities, keys, lists, meta, screening

    for module in (meta, entities, documents, lists, keys, screening):
        app.register_blueprint(module.blueprint)
    app.register_blueprint(lists.programs_blueprint)
    app.register_blueprint(meta.docs_blueprint)

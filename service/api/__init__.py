"""HTTP edge: one blueprint per resource; each view parses, calls one domain function, dumps."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Registers every blueprint of the API."""
    from service.api import (
        audit,
        documents,
        entities,
        jobs,
        keys,
        lists,
        meta,
        reviews,
        screening,
        watchlists,
        yente,
    )

    for module in (meta, entities, documents, lists, keys, screening, jobs, watchlists, audit,
                   reviews, yente):
        app.register_blueprint(module.blueprint)
    app.register_blueprint(lists.programs_blueprint)
    app.register_blueprint(documents.claims_blueprint)
    app.register_blueprint(watchlists.alerts_blueprint)
    app.register_blueprint(meta.docs_blueprint)

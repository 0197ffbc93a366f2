"""The `xref` command line: database, seeds, server, and (as they arrive) lists and screening."""

from __future__ import annotations

import os
import shutil
import sys

import click

from service.config import SEEDS_DIR, Settings


def _settings() -> Settings:
    settings = Settings.from_env()
    if settings.database_url.startswith("sqlite:///"):
        # The embedded database lives in a folder that may not exist yet on a fresh clone.
        from pathlib import Path

        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True)
    return settings


@click.group()
def main() -> None:
    """Designation cross-reference service."""


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    from service import migrate

    migrate.upgrade(_settings().database_url, revision)
    click.echo(f"database at {revision}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION ('base' removes every table)."""
    from service import migrate

    migrate.downgrade(_settings().database_url, revision)
    click.echo(f"database at {revision}")


@main.command()
def seed() -> None:
    """Load the seed documents, entities and passages (running it twice changes nothing)."""
    from service.db import make_engine, session_scope
    from service.registry.seed import seed_registry

    engine = make_engine(_settings().database_url)
    with session_scope(engine) as session:
        changes = seed_registry(SEEDS_DIR, session=session)
        session.commit()
    summary = ", ".join(f"{k}={v}" for k, v in sorted(changes.items())) or "nothing changed"
    click.echo(f"seeded: {summary}")


@main.command()
def serve() -> None:
    """Serve the API with gunicorn on XREF_HOST:XREF_PORT with XREF_WORKERS workers."""
    settings = _settings()
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
    argv = [
        gunicorn,
        "--bind", f"{settings.host}:{settings.port}",
        "--workers", str(settings.workers),
        "--access-logfile", "-",
        "service.app:create_app()",
    ]
    click.echo(f"serving on http://{settings.host}:{settings.port}", err=True)
    os.execv(gunicorn, argv)


if __name__ == "__main__":
    main()

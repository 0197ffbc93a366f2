"""Applies the Alembic migrations: the only way the schema is ever created or changed."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from service.config import MIGRATIONS_DIR, PROJECT_ROOT


def alembic_config(database_url: str) -> Config:
    """Gives an Alembic config for the project's migrations and the given database."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser treats % as interpolation; URLs may carry percent-encoded passwords.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logging"] = False
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrates the database up to `revision` (the newest by default)."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    """Migrates the database down to `revision` (`base` empties it)."""
    command.downgrade(alembic_config(database_url), revision)

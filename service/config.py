"""Every setting of the service, read from `XREF_*` environment variables.

Defaults work on a laptop: an SQLite file under `instance/`, the in-process job runner and
no Redis. The README lists each variable with its default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
SEEDS_DIR = PROJECT_ROOT / "seeds"
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"

# Official download addresses; each can be overridden, none is a constant in a code path.
DEFAULT_SOURCE_URLS = {
    "us_ofac_sdn": "https://www.treasury.gov/ofac/downloads/sdn.csv "
    "https://www.treasury.gov/ofac/downloads/alt.csv "
    "https://www.treasury.gov/ofac/downloads/add.csv "
    "https://www.treasury.gov/ofac/downloads/sdn_comments.csv",
    "us_ofac_cons": "https://www.treasury.gov/ofac/downloads/consolidated/cons_prim.csv "
    "https://www.treasury.gov/ofac/downloads/consolidated/cons_alt.csv "
    "https://www.treasury.gov/ofac/downloads/consolidated/cons_add.csv "
    "https://www.treasury.gov/ofac/downloads/consolidated/cons_comments.csv",
    "un_sc": "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
    "us_csl": "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv",
    "opensanctions": "https://data.opensanctions.org/datasets/latest/default/entities.ftm.json",
}


def _default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'xref.sqlite3'}"


# Used for webhook secrets only when XREF_ENV=development and XREF_SECRET_KEY is empty: a
# laptop needs no key, and this one, being public, protects nothing.
DEVELOPMENT_SECRET_KEY = "ZGV2ZWxvcG1lbnQta2V5LW5vdC1hLXNlY3JldC0wMDA="


def _as_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class Settings:
    """The service's configuration; `from_env` fills it from `XREF_*` variables."""

    # SQLAlchemy URL of the database; SQLite file under instance/ unless told otherwise.
    database_url: str = field(default_factory=_default_database_url)
    # Where `xref serve` listens.
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    # Bootstrap credential with every scope (`Authorization: Bearer <token>`), for creating the
    # first API keys; empty means only API keys are accepted.
    admin_token: str = ""
    # Whether the read routes (entities, documents, lists) answer without an API key.
    public_read: bool = False
    # Signs the console's session cookies (/ui/). Empty: `xref serve` makes one for all its
    # workers at start, so sessions end when the server restarts; set it to keep them.
    session_key: str = ""
    # Requests allowed per API key (or per client address without one), as "100/minute";
    # empty turns rate limiting off.
    rate_limit: str = "600/minute"
    # Redis for the rate-limit counters shared by every worker; empty keeps them in each process.
    redis_url: str = ""
    # Proxies in front of the service whose X-Forwarded-For is trusted for the client address.
    trusted_proxies: int = 0
    # Whether request logs may carry query string values (names being screened); off by default.
    log_names: bool = False
    # Largest request body accepted, in bytes (413 beyond it).
    max_body: int = 10 * 1024 * 1024
    # A list version older than this many days is reported as stale.
    stale_after_days: int = 7
    # Seconds to wait on one HTTP call to a list source or look-up API.
    http_timeout: float = 30.0
    # Retries on 5xx, 429 and connection errors, with exponential backoff from this base (s).
    http_retries: int = 3
    http_backoff: float = 1.0
    # Largest list download accepted, in bytes.
    download_max_bytes: int = 200 * 1024 * 1024
    # Keys for the live look-up APIs; empty means the look-up is not made.
    csl_api_key: str = ""
    csl_api_url: str = "https://data.trade.gov/consolidated_screening_list/v1/search"
    opensanctions_api_key: str = ""
    opensanctions_api_url: str = "https://api.opensanctions.org/match/default"
    # Space-separated download URLs per list, as `XREF_SOURCE_URL_<LIST>`.
    source_urls: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SOURCE_URLS))
    # Log level of the service's own loggers.
    log_level: str = "INFO"
    # Who runs batch jobs: "thread" (in the server process), "rq" (`xref worker`s through
    # Redis) or "off"; empty picks "rq" when XREF_REDIS_URL is set, else "thread".
    job_runner: str = ""
    # Threads of the in-process runner per server process (the matcher holds the GIL: more
    # threads mostly help while another one waits on the database).
    job_threads: int = 1
    # Names per chunk: the unit that is leased, screened, stored and resumed after a restart.
    job_chunk_size: int = 1000
    # Most names one job may hold.
    job_max_names: int = 1_000_000
    # Largest job upload in bytes (a million names is about 40 MB of CSV); XREF_MAX_BODY
    # still applies to every other route.
    job_max_body: int = 100 * 1024 * 1024
    # Seconds a chunk stays leased without a heartbeat: the process screening it renews the
    # lease three times per period, so it runs out only when that process died, and another
    # takes the chunk over (a worker's sweep every job_poll_seconds re-enqueues it).
    job_lease_seconds: int = 20
    # Seconds between the runner's looks for queued chunks, stale leases, list versions not yet
    # screened by the watchlists, and webhook deliveries due.
    job_poll_seconds: float = 5.0
    # Most names one watchlist may hold.
    watchlist_max_names: int = 100_000
    # Webhook deliveries: attempts before giving up, and the first wait (s), doubled each time.
    webhook_attempts: int = 6
    webhook_backoff: float = 30.0
    # Whether audit records keep the screened names; off keeps only their sha256.
    audit_store_names: bool = True
    # "production" or "development". Outside development the service refuses to start with
    # webhooks configured and no XREF_SECRET_KEY.
    env: str = "production"
    # Fernet keys (comma-separated; the first encrypts, all decrypt) for the webhook secrets
    # stored in the database. `xref secrets new-key` makes one.
    secret_key: str = ""
    # Whether GET /metrics answers without a key; off, it needs a key with the `metrics` scope.
    metrics_public: bool = False
    # Folder where the processes of one machine (gunicorn workers, `xref worker`s) share their
    # metric samples; empty means instance/metrics.
    metrics_dir: str = ""
    # Folder of the machine's screening index files, built once per set of list versions and
    # memory-mapped by every process; empty means an `index` folder beside the SQLite
    # database file, or instance/index for any other database.
    index_dir: str = ""
    # Port where `xref worker` serves its machine's metrics (the first worker to bind it;
    # no key asked, bind XREF_HOST to a private address); 0 serves none.
    metrics_port: int = 0
    # Days a finished, failed or cancelled job (its names and results) is kept before
    # `xref jobs prune` removes it.
    job_retention_days: int = 30
    # Days audit records are kept before `xref audit prune` removes them (OFAC: 10 years).
    audit_retention_days: int = 3650

    @property
    def effective_secret_key(self) -> str:
        """Gives the keys secrets are sealed with: XREF_SECRET_KEY, or in development a
        public stand-in."""
        if self.secret_key or self.env != "development":
            return self.secret_key
        return DEVELOPMENT_SECRET_KEY

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Gives the settings read from the environment, falling back to the defaults."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        defaults = cls()
        for spec in fields(cls):
            if spec.name == "source_urls":
                continue
            raw = env.get(f"XREF_{spec.name.upper()}")
            if raw is None:
                continue
            current = getattr(defaults, spec.name)
            if isinstance(current, bool):
                values[spec.name] = _as_bool(raw)
            elif isinstance(current, int):
                values[spec.name] = int(raw)
            elif isinstance(current, float):
                values[spec.name] = float(raw)
            else:
                values[spec.name] = raw
        urls = dict(DEFAULT_SOURCE_URLS)
        for list_id in urls:
            override = env.get(f"XREF_SOURCE_URL_{list_id.upper()}")
            if override:
                urls[list_id] = override
        values["source_urls"] = urls
        return cls(**values)

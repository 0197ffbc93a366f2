"""Readiness: whether this process can answer screenings now (what `/readyz` reports).

Liveness (`/healthz`) only says the process answers; readiness says a load balancer may send
it traffic: the database answers, the process holds the index of the active list versions,
and Redis answers where it is configured (jobs and shared rate limits need it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from service.screening.catalog import IndexHolder

log = logging.getLogger(__name__)

# Seconds a probe waits on Redis: a probe that hangs is a failed probe anyway.
REDIS_TIMEOUT = 2.0


@dataclass
class Readiness:
    """What was checked, and what is missing (empty when ready)."""

    checks: dict[str, str] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        """Gives the names of the checks that did not pass."""
        return [name for name, state in self.checks.items() if state != "ok"]


def check_readiness(*, engine: Engine, holder: IndexHolder, redis_url: str) -> Readiness:
    """Gives the state of the database, this process's index and Redis.

    An index that is missing or behind the active versions is (re)built in the background,
    so the probe itself stays quick and a later probe finds the process ready.
    """
    readiness = Readiness()
    try:
        with Session(engine) as session:
            session.connection().execute(text("SELECT 1"))
            readiness.checks["database"] = "ok"
            held = holder.holds_active(session)
    except DBAPIError as error:
        log.warning("readiness: database unavailable: %s", error)
        readiness.checks["database"] = "unavailable"
        # Without the database nobody can tell which versions are active.
        readiness.checks["index"] = "unknown"
    else:
        readiness.checks["index"] = "ok" if held else "loading"
        if not held:
            holder.warm_in_background(engine)
    if redis_url:
        client = Redis.from_url(redis_url, socket_timeout=REDIS_TIMEOUT,
                                socket_connect_timeout=REDIS_TIMEOUT)
        try:
            client.ping()
            readiness.checks["redis"] = "ok"
        except RedisError as error:
            log.warning("readiness: redis unavailable: %s", error)
            readiness.checks["redis"] = "unavailable"
        finally:
            client.close()
    return readiness

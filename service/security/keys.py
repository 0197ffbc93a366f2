"""API keys: creation, listing, revocation, and identifying the caller a credential stands for.

A key is `xref_` and 43 URL-safe characters (256 random bits). Only its sha256 is stored: with
that much entropy a plain hash cannot be reversed, and it lets a request's key be found by one
indexed look-up instead of checking every stored hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from service.errors import InvalidInput, NotFound
from service.models import ApiKey, utcnow

# read: entities, documents, lists; screen: screening, comparison, jobs, watchlists;
# admin: writes, imports, refreshes, keys and the audit log; metrics: GET /metrics alone, for
# a Prometheus scraper that should read nothing else. No scope implies another.
SCOPES = ("read", "screen", "admin", "metrics")
KEY_PREFIX = "xref_"
ADMIN_TOKEN_ACTOR = "admin-token"
# last_used_at is written at most this often per key, so a busy key is not a write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Caller:
    """Who a request's credential stands for: the actor the audit log records, and its scopes."""

    actor: str
    scopes: frozenset[str]

    def allows(self, scope: str) -> bool:
        """Gives whether the caller holds `scope`."""
        return scope in self.scopes


def hash_key(key: str) -> str:
    """Gives the sha256 hex digest under which a key is stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def normalize_scopes(scopes: Iterable[str]) -> list[str]:
    """Gives the scopes deduplicated in their canonical order; 422 naming any unknown one."""
    wanted = {scope.strip() for scope in scopes if scope.strip()}
    unknown = sorted(wanted - set(SCOPES))
    if unknown:
        raise InvalidInput(f"Unknown scope(s): {', '.join(unknown)}; use {', '.join(SCOPES)}.",
                           details={"fields": {"scopes": [f"Unknown scope: {s}" for s in unknown]}})
    if not wanted:
        raise InvalidInput("Give at least one scope.",
                           details={"fields": {"scopes": ["Give at least one scope."]}})
    return [scope for scope in SCOPES if scope in wanted]


def create_key(name: str, scopes: Iterable[str], *, session: Session) -> tuple[ApiKey, str]:
    """Gives the new key's record and the key itself, which is shown once and not kept."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("Give the key a name of 1 to 100 characters.",
                           details={"fields": {"name": ["Length must be between 1 and 100."]}})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    record = ApiKey(id="k_" + secrets.token_hex(8), name=name, key_hash=hash_key(key),
                    scopes=normalize_scopes(scopes))
    session.add(record)
    session.flush()
    return record, key


def list_keys(*, session: Session, include_revoked: bool = True) -> list[ApiKey]:
    """Gives every key record, oldest first (revoked ones too unless told otherwise)."""
    query = select(ApiKey).order_by(col(ApiKey.created_at), col(ApiKey.id))
    if not include_revoked:
        query = query.where(col(ApiKey.revoked_at).is_(None))
    return list(session.exec(query))


def revoke_key(key_id: str, *, session: Session) -> ApiKey:
    """Gives the key record, revoked from now on (a second revocation keeps the first date)."""
    record = session.get(ApiKey, key_id)
    if record is None:
        raise NotFound(f"No API key '{key_id}'.")
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        session.add(record)
        session.flush()
    return record


def caller_of_key(key_id: str, *, session: Session) -> Caller | None:
    """Gives the caller a key id stands for now, or None if the key is unknown or revoked.

    A console session holds the key's id, not the key: its scopes and revocation are read
    again on every page, so revoking a key ends its sessions too.
    """
    record = session.get(ApiKey, key_id)
    if record is None or record.revoked_at is not None:
        return None
    return Caller(record.id, frozenset(record.scopes))


def identify(credential: str, *, session: Session, admin_token: str,
             now: datetime | None = None) -> Caller | None:
    """Gives the caller the credential stands for, or None for an unknown or revoked key.

    Records the key's use in last_used_at (at most once a minute); the caller commits.
    """
    # With no token configured nothing matches it: an empty credential is not the admin.
    if admin_token and hmac.compare_digest(credential.encode(), admin_token.encode()):
        return Caller(ADMIN_TOKEN_ACTOR, frozenset(SCOPES))
    if not credential.startswith(KEY_PREFIX):
        return None
    digest = hash_key(credential)
    record = session.exec(select(ApiKey).where(ApiKey.key_hash == digest)).first()
    # The database matched on the digest; comparing again in constant time costs nothing and
    # keeps the check independent of how the database compares strings.
    if record is None or not hmac.compare_digest(record.key_hash, digest):
        return None
    if record.revoked_at is not None:
        return None
    now = now or utcnow()
    if record.last_used_at is None or now - record.last_used_at >= LAST_USED_RESOLUTION:
        # Left in session.dirty for the caller to commit.
        record.last_used_at = now
        session.add(record)
    return Caller(record.id, frozenset(record.scopes))

"""Secrets at rest (webhook signing secrets), encrypted with Fernet from XREF_SECRET_KEY.

XREF_SECRET_KEY holds one or more Fernet keys, comma-separated: the first encrypts, every one
decrypts. Rotating is therefore: put a new key first, run `xref secrets rotate` (which
re-encrypts every stored secret with it), then drop the old key. A stored secret is
`fernet:<token>`; a value without the prefix was stored in plain text before encryption
arrived, is still read, and is encrypted by the next `xref secrets rotate`.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from service.errors import ServiceError

PREFIX = "fernet:"


class SecretKeyMissing(ServiceError):
    """Secrets cannot be stored: no XREF_SECRET_KEY."""

    status = 503
    code = "secret_key_missing"


class SecretUnreadable(ServiceError):
    """A stored secret was encrypted with a key XREF_SECRET_KEY no longer holds."""

    status = 500
    code = "secret_unreadable"


def new_key() -> str:
    """Gives a fresh Fernet key (what `xref secrets new-key` prints)."""
    return Fernet.generate_key().decode()


def _cipher(secret_key: str) -> MultiFernet:
    keys = [key.strip() for key in secret_key.split(",") if key.strip()]
    if not keys:
        raise SecretKeyMissing("Webhook secrets are stored encrypted: set XREF_SECRET_KEY "
                               "(`xref secrets new-key` makes one).")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as error:
        # Refused at start rather than when the first secret is written.
        raise SecretKeyMissing("XREF_SECRET_KEY is not a list of Fernet keys (32 url-safe "
                               "base64-encoded bytes each).") from error


def check_key(secret_key: str) -> None:
    """Raises SecretKeyMissing unless `secret_key` holds usable Fernet keys."""
    _cipher(secret_key)


def is_sealed(stored: str) -> bool:
    """Gives whether a stored value is encrypted (rather than legacy plain text)."""
    return stored.startswith(PREFIX)


def seal(plain: str, secret_key: str) -> str:
    """Gives the value to store for a secret: encrypted with the first key."""
    return PREFIX + _cipher(secret_key).encrypt(plain.encode()).decode()


def unseal(stored: str, secret_key: str) -> str:
    """Gives the secret a stored value holds (legacy plain text is given back as it is)."""
    if not is_sealed(stored):
        return stored
    try:
        return _cipher(secret_key).decrypt(stored[len(PREFIX):].encode()).decode()
    except InvalidToken as error:
        raise SecretUnreadable("A stored secret was encrypted with a key XREF_SECRET_KEY no "
                               "longer holds; put that key back after the new one.") from error


def reseal(stored: str, secret_key: str) -> str:
    """Gives the stored value re-encrypted with the first key (legacy plain text encrypted)."""
    if not is_sealed(stored):
        return seal(stored, secret_key)
    try:
        return PREFIX + _cipher(secret_key).rotate(stored[len(PREFIX):].encode()).decode()
    except InvalidToken as error:
        raise SecretUnreadable("A stored secret was encrypted with a key XREF_SECRET_KEY no "
                               "longer holds; put that key back after the new one.") from error

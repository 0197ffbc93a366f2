"""Webhook secrets at rest: encrypted with Fernet from XREF_SECRET_KEY, rotated by
`xref secrets rotate`, and no start outside development with webhooks but no key."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

import pytest
import responses
from click.testing import CliRunner
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import text
from sqlmodel import Session, select

from service import monitoring
from service.app import SecretKeyRequired, create_app
from service.cli import main
from service.config import Settings
from service.models import AlertDelivery
from tests.conftest import ADMIN_TOKEN, TEST_SECRET_KEY, import_excerpt, make_settings

HOOK = "https://hooks.example.org/xref"
SECRET = "a-shared-secret-of-some-length"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
NAMES = [{"id": "soleimani", "name": "Qasem Soleimani"}]


def _create(client, **extra: object) -> dict:  # type: ignore[no-untyped-def]
    response = client.post("/v1/watchlists", headers=AUTH,
                           json={"name": "customers", "names": NAMES, **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _stored(session: Session) -> list[str]:
    return list(session.connection().execute(
        text("SELECT webhook_secret FROM watchlists WHERE webhook_secret IS NOT NULL "
             "ORDER BY id")).scalars())


def _deliver(session: Session, secret_key: str) -> list[responses.Call]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as hooks:
        hooks.post(HOOK, status=204)
        monitoring.deliver_due(session=session,
                               settings=Settings(secret_key=secret_key, webhook_backoff=0))
        return list(hooks.calls)


def _signed_with(call: responses.Call, secret: str) -> bool:
    body = call.request.body
    body = body if isinstance(body, bytes) else body.encode()
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return call.request.headers.get("X-Xref-Signature") == f"sha256={expected}"


def test_secrets_are_unreadable_in_the_database(client, session: Session) -> None:  # type: ignore[no-untyped-def]
    import_excerpt(session, "sdn-2024-05")
    _create(client, webhook_url=HOOK, webhook_secret=SECRET)
    [stored] = _stored(session)
    assert stored.startswith("fernet:") and SECRET not in stored
    session.commit()
    calls = _deliver(session, TEST_SECRET_KEY)
    assert calls and all(_signed_with(call, SECRET) for call in calls)


def test_rotation_re_encrypts_every_secret_with_the_new_key(
        client, session: Session, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    import_excerpt(session, "sdn-2024-05")
    _create(client, webhook_url=HOOK, webhook_secret=SECRET)
    legacy = _create(client, webhook_url=HOOK, webhook_secret="stored-before-encryption")
    # A secret written in plain text before encryption arrived.
    session.connection().execute(text("UPDATE watchlists SET webhook_secret = :s WHERE id = :i"),
                                 {"s": "stored-before-encryption", "i": legacy["id"]})
    session.commit()
    new = Fernet.generate_key().decode()

    rotated = runner.invoke(main, ["secrets", "rotate"],
                            env={"XREF_SECRET_KEY": f"{new},{TEST_SECRET_KEY}"})
    assert rotated.exit_code == 0, rotated.output
    assert "re-encrypted 2 webhook secrets" in rotated.output
    session.expire_all()
    stored = _stored(session)
    assert all(s.startswith("fernet:") for s in stored)
    assert not any(SECRET in s or "stored-before-encryption" in s for s in stored)
    # The old key can be dropped: the new one alone reads (and signs with) every secret.
    calls = _deliver(session, new)
    assert len(calls) == 2
    assert sorted(_signed_with(c, SECRET) for c in calls) == [False, True]
    assert any(_signed_with(c, "stored-before-encryption") for c in calls)

    refused = runner.invoke(main, ["secrets", "rotate"], env={"XREF_SECRET_KEY": ""})
    assert refused.exit_code != 0 and "XREF_SECRET_KEY" in refused.output


def test_a_secret_under_a_dropped_key_is_never_sent_unsigned(
        client, session: Session) -> None:  # type: ignore[no-untyped-def]
    import_excerpt(session, "sdn-2024-05")
    _create(client, webhook_url=HOOK, webhook_secret=SECRET)
    session.commit()
    assert _deliver(session, Fernet.generate_key().decode()) == []
    session.expire_all()
    errors = {d.error for d in session.exec(select(AlertDelivery)).all()}
    assert len(errors) == 1 and "no longer holds" in str(errors.pop())


def test_no_start_with_webhooks_and_no_key_outside_development(
        make_app: Callable[..., Flask], seeded_database_url: str, session: Session) -> None:
    # No webhooks yet: nothing to protect, the service starts.
    keyless = make_app(secret_key="")
    refused = keyless.test_client().post(
        "/v1/watchlists", headers=AUTH,
        json={"name": "w", "names": NAMES, "webhook_url": HOOK, "webhook_secret": SECRET})
    assert refused.status_code == 503
    assert refused.get_json()["error"]["code"] == "secret_key_missing"
    _create(make_app().test_client(), webhook_url=HOOK)
    with pytest.raises(SecretKeyRequired, match="XREF_SECRET_KEY"):
        create_app(make_settings(seeded_database_url, secret_key=""))
    # On a laptop a public stand-in key is used instead.
    app = create_app(make_settings(seeded_database_url, secret_key="", env="development"))
    app.extensions["xref.engine"].dispose()
    with pytest.raises(Exception, match="Fernet"):
        create_app(make_settings(seeded_database_url, secret_key="not-a-key"))

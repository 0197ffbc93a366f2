"""Watchlists: saved names re-screened whenever a list version activates, and their alerts.

Which version of each list every watchlist was last screened against is recorded
(`watchlist_screenings`); `rescreen_pending` screens every watchlist against each active
version it has not seen yet and turns the differences in its hits into alerts: `new_hit` (a
name now matches an entry), `cleared` (it no longer does) and `changed` (it still does, with
another score or matched name). Any process can call it after any activation — the import
command, a refresh, the job runner's loop, an `xref worker` — and each watchlist × version is
done exactly once: the bookmark is moved with a conditional UPDATE (or a first INSERT) in the
same transaction as the alerts, so a second process racing for it changes nothing.

Alerts of watchlists with a webhook are queued as deliveries, POSTed after the commit by
`deliver_due`, signed with HMAC-SHA256 and retried with growing waits.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from service import audit, metrics, secretbox
from service.config import Settings
from service.errors import InvalidInput, NotFound, ServiceError
from service.http import http_session
from service.matching.algorithm import MATCHER
from service.matching.details import NO_DETAILS, Details, query_details
from service.models import (
    Alert,
    AlertDelivery,
    Review,
    Watchlist,
    WatchlistHit,
    WatchlistItem,
    WatchlistScreening,
    utcnow,
)
from service.reviews import FALSE_POSITIVE, Pair, entry_content, pair_of, reviews_for
from service.screening.catalog import LoadedIndex, VersionInfo, build_index
from service.screening.screen import ScreeningRequest, screen_names

log = logging.getLogger(__name__)

SYSTEM = "system"
SIGNATURE_HEADER = "X-Xref-Signature"
# Candidates looked at per name: a watchlist name rarely matches more entries than this.
HIT_LIMIT = 20
# Deliveries sent per call of `deliver_due`; the rest wait for the next one.
DELIVERY_BATCH = 100


@dataclass(frozen=True)
class WatchItem:
    """A name to save in a watchlist."""

    id: str
    name: str
    kind: str | None = None
    # Birth dates, nationalities, countries, identifiers and gender, normalised.
    details: Details = NO_DETAILS


def create_watchlist(name: str, items: Sequence[WatchItem], *, session: Session, actor: str,
                     loaded: LoadedIndex, store_names: bool, max_names: int,
                     webhook_url: str | None = None, webhook_secret: str | None = None,
                     secret_key: str = "") -> Watchlist:
    """Gives a new watchlist, already screened against the active versions.

    Its first hits are alerts too (`new_hit`): nobody has been told about them yet. The
    webhook secret is stored encrypted with `secret_key` (SecretKeyMissing without one).
    """
    if not items:
        raise InvalidInput("A watchlist needs at least one name.")
    if len(items) > max_names:
        raise InvalidInput(f"A watchlist holds at most {max_names:,} names.",
                           details={"max_names": max_names})
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise InvalidInput(f"The id '{item.id}' is given twice.", details={"id": item.id})
        seen.add(item.id)
    watchlist = Watchlist(id=uuid.uuid4().hex, name=name, actor=actor, webhook_url=webhook_url,
                          webhook_secret=(secretbox.seal(webhook_secret, secret_key)
                                          if webhook_secret else None))
    session.add(watchlist)
    session.flush()
    session.connection().execute(insert(WatchlistItem), [
        {"watchlist_id": watchlist.id, "item_id": i.id, "name": i.name, "kind": i.kind,
         "details": i.details.to_values() if i.details else None}
        for i in items])
    for version in loaded.versions:
        _rescreen(watchlist, version, None, session=session, loaded=loaded,
                  store_names=store_names)
    return watchlist


def get_watchlist(watchlist_id: str, *, session: Session) -> Watchlist:
    """Gives the watchlist, or raises NotFound."""
    watchlist = session.get(Watchlist, watchlist_id)
    if watchlist is None:
        raise NotFound(f"No watchlist '{watchlist_id}'.")
    return watchlist


def list_watchlists(*, session: Session) -> list[Watchlist]:
    """Gives every watchlist, oldest first."""
    return list(session.exec(select(Watchlist).order_by(col(Watchlist.created_at))).all())


def delete_watchlist(watchlist_id: str, *, session: Session) -> None:
    """Deletes the watchlist, its names, hits and alerts (its audit records stay)."""
    session.delete(get_watchlist(watchlist_id, session=session))


@dataclass(frozen=True)
class WatchlistView:
    """A watchlist with its names, the versions it was last screened against and its hits."""

    watchlist: Watchlist
    items: list[WatchlistItem]
    screened: list[WatchlistScreening]
    hits: list[WatchlistHit]


def watchlist_view(watchlist: Watchlist, *, session: Session) -> WatchlistView:
    """Gives the watchlist with its names (by id), versions screened (by list) and hits."""
    items = session.exec(select(WatchlistItem).where(
        col(WatchlistItem.watchlist_id) == watchlist.id).order_by(col(WatchlistItem.id))).all()
    screened = session.exec(select(WatchlistScreening).where(
        col(WatchlistScreening.watchlist_id) == watchlist.id)
        .order_by(col(WatchlistScreening.list_id))).all()
    hits = session.exec(select(WatchlistHit).where(
        col(WatchlistHit.watchlist_id) == watchlist.id)
        .order_by(col(WatchlistHit.item_id), col(WatchlistHit.list_id),
                  col(WatchlistHit.list_key))).all()
    return WatchlistView(watchlist, list(items), list(screened), list(hits))


def rescreen_pending(*, session: Session, loaded: LoadedIndex | None = None,
                     store_names: bool = True) -> list[Alert]:
    """Gives the alerts of screening every watchlist against each active version it has not
    been screened against yet (in the caller's transaction; deliver webhooks after commit).

    `loaded` must be an index of the active versions; without one it is built here.
    """
    watchlists = list_watchlists(session=session)
    if not watchlists:
        return []
    bookmarks = {(s.watchlist_id, s.list_id): s.version_id
                 for s in session.exec(select(WatchlistScreening)).all()}
    index = loaded or build_index(session)
    alerts: list[Alert] = []
    for watchlist in watchlists:
        for version in index.versions:
            last = bookmarks.get((watchlist.id, version.list_id))
            if last == version.version:
                continue
            alerts += _rescreen(watchlist, version, last, session=session, loaded=index,
                                store_names=store_names)
    return alerts


def _take_bookmark(watchlist_id: str, version: VersionInfo, last: int | None, *,
                   session: Session) -> bool:
    """Moves the watchlist's bookmark for the list to the version; False if another did."""
    if last is not None:
        return session.exec(
            update(WatchlistScreening)
            .where(col(WatchlistScreening.watchlist_id) == watchlist_id,
                   col(WatchlistScreening.list_id) == version.list_id,
                   col(WatchlistScreening.version_id) == last)
            .values(version_id=version.version, screened_at=utcnow(),
                    matcher_name=MATCHER.NAME, matcher_version=MATCHER.VERSION)
        ).rowcount == 1
    try:
        with session.begin_nested():
            session.add(WatchlistScreening(watchlist_id=watchlist_id, list_id=version.list_id,
                                           version_id=version.version,
                                           matcher_name=MATCHER.NAME,
                                           matcher_version=MATCHER.VERSION))
        return True
    except IntegrityError:
        return False


def _rescreen(watchlist: Watchlist, version: VersionInfo, last: int | None, *,
              session: Session, loaded: LoadedIndex, store_names: bool) -> list[Alert]:
    if not _take_bookmark(watchlist.id, version, last, session=session):
        return []
    items = session.exec(select(WatchlistItem).where(
        col(WatchlistItem.watchlist_id) == watchlist.id).order_by(col(WatchlistItem.id))).all()
    requests = [ScreeningRequest(i.name, i.item_id, i.kind,
                                 query_details(**i.details) if i.details else NO_DETAILS)
                for i in items]
    results = screen_names(requests, loaded=loaded, lists=[version.list_id], limit=HIT_LIMIT)
    audit.record_screening(
        "watchlist", [r.name for r in requests], audit.Counts.of(results), session=session,
        actor=SYSTEM, list_versions=[version.to_dict()], store_names=store_names,
        lists=[version.list_id], reference=watchlist.id)

    names = {i.item_id: i.name for i in items}
    now: dict[tuple[str, str], tuple[float, str]] = {}
    for result in results:
        for match in result.matches:
            if match.match:
                key = (result.request.id or "", match.name.list_key)
                if key not in now or match.score > now[key][0]:
                    now[key] = (match.score, match.name.name)
    before = {(h.item_id, h.list_key): (h.score, h.matched_name)
              for h in session.exec(select(WatchlistHit).where(
                  col(WatchlistHit.watchlist_id) == watchlist.id,
                  col(WatchlistHit.list_id) == version.list_id)).all()}

    alerts: list[Alert] = []

    def alert(kind: str, key: tuple[str, str], hit: tuple[float, str],
              changed_since_review: bool = False) -> None:
        alerts.append(Alert(watchlist_id=watchlist.id, item_id=key[0], name=names[key[0]],
                            kind=kind, list_id=version.list_id, list_key=key[1],
                            matched_name=hit[1], score=round(hit[0], 4),
                            version_id=version.version,
                            changed_since_review=changed_since_review))

    dismissed = _false_positives(names, version, session=session)
    for key in sorted(now.keys()):
        review = dismissed.get(pair_of(names[key[0]], version.list_id, key[1]))
        if review is not None:
            # An analyst judged this pair a false positive: say nothing more about it unless
            # the entry itself changed, in this version, from what the analyst saw.
            content = entry_content(version.list_id, key[1], version.version, session=session)
            if content != review.entry_sha256 and (
                    key not in before or content != entry_content(
                        version.list_id, key[1], last, session=session)):
                alert("changed" if key in before else "new_hit", key, now[key],
                      changed_since_review=True)
        elif key not in before:
            alert("new_hit", key, now[key])
        else:
            (score, matched), (old_score, old_matched) = now[key], before[key]
            if round(score, 4) != round(old_score, 4) or matched != old_matched:
                alert("changed", key, now[key])
    for key in sorted(before.keys() - now.keys()):
        if key[0] in names:
            alert("cleared", key, before[key])

    session.exec(delete(WatchlistHit).where(
        col(WatchlistHit.watchlist_id) == watchlist.id,
        col(WatchlistHit.list_id) == version.list_id))
    if now:
        session.connection().execute(insert(WatchlistHit), [
            {"watchlist_id": watchlist.id, "item_id": item_id, "list_id": version.list_id,
             "list_key": list_key, "matched_name": matched, "score": score,
             "version_id": version.version}
            for (item_id, list_key), (score, matched) in now.items()])
    session.add_all(alerts)
    session.flush()
    if watchlist.webhook_url:
        session.add_all(AlertDelivery(alert_id=a.id, url=watchlist.webhook_url)  # type: ignore[arg-type]
                        for a in alerts)
    if alerts:
        log.info("watchlist %s against %s v%s: %d alerts", watchlist.id, version.list_id,
                 version.version, len(alerts))
    return alerts


def _false_positives(names: dict[str, str], version: VersionInfo, *, session: Session
                     ) -> dict[Pair, Review]:
    """Gives the false-positive reviews in force for the watchlist's names on the list."""
    return {pair: review for pair, review in reviews_for(names.values(), session=session).items()
            if review.decision == FALSE_POSITIVE and review.list_id == version.list_id}


def list_alerts(*, session: Session, watchlist_id: str | None = None,
                since: datetime | None = None, kind: str | None = None, limit: int = 1000,
                newest_first: bool = False) -> list[Alert]:
    """Gives the alerts matching the filters, oldest first (or newest), at most `limit`."""
    query = select(Alert)
    if watchlist_id:
        query = query.where(col(Alert.watchlist_id) == watchlist_id)
    if since is not None:
        query = query.where(col(Alert.created_at) >= since)
    if kind:
        query = query.where(col(Alert.kind) == kind)
    order = col(Alert.id).desc() if newest_first else col(Alert.id)
    return list(session.exec(query.order_by(order).limit(limit)).all())


def webhook_alert(alert: Alert) -> dict[str, Any]:
    """Gives the alert as a webhook receives it.

    Built here, not by the API's schemas: the job runner or a worker sends it, not a request.
    It is the same form as the API's alert (`service.api.schemas.AlertOut`, with no review);
    tests/monitoring keeps the two equal, and receivers rely on it staying as it is.
    """
    return {
        "id": alert.id,
        "watchlist_id": alert.watchlist_id,
        "item_id": alert.item_id,
        "name": alert.name,
        "kind": alert.kind,
        "list": alert.list_id,
        "list_key": alert.list_key,
        "matched_name": alert.matched_name,
        "score": alert.score,
        "version": alert.version_id,
        "created_at": alert.created_at.isoformat(),
        "changed_since_review": alert.changed_since_review,
        # No review is looked up at delivery; the key stays so the body has the API's form.
        "review": None,
    }


def signature(secret: str, body: bytes) -> str:
    """Gives the signature header value of a webhook body: sha256=<HMAC-SHA256 hex>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver_due(*, session: Session, settings: Settings, http: requests.Session | None = None,
                now: datetime | None = None) -> int:
    """Gives how many webhook deliveries were attempted now (each due one, once).

    Commits after each delivery: a POST cannot be taken back, so its record must not wait
    on, or roll back with, the others. A failed attempt is retried after
    `webhook_backoff` × 2^(attempts-1) seconds, up to `webhook_attempts` attempts.
    """
    moment = now or utcnow()
    due = session.exec(
        select(AlertDelivery, Alert, Watchlist)
        .join(Alert, col(Alert.id) == col(AlertDelivery.alert_id))
        .join(Watchlist, col(Watchlist.id) == col(Alert.watchlist_id))
        .where(col(AlertDelivery.status) == "pending",
               col(AlertDelivery.next_attempt_at) <= moment)
        .order_by(col(AlertDelivery.id)).limit(DELIVERY_BATCH)).all()
    # No transaction stays open across the HTTP calls.
    session.commit()
    # The attempts are counted here, so the session itself must not retry behind our back.
    client = http or http_session(dataclasses.replace(settings, http_retries=0))
    for delivery, alert, watchlist in due:
        body = json.dumps({"alert": webhook_alert(alert),
                           "watchlist": {"id": watchlist.id, "name": watchlist.name}},
                          sort_keys=True).encode()
        headers = {"Content-Type": "application/json",
                   "X-Xref-Delivery": str(delivery.id)}
        delivery.attempts += 1
        try:
            if watchlist.webhook_secret:
                secret = secretbox.unseal(watchlist.webhook_secret, settings.effective_secret_key)
                headers[SIGNATURE_HEADER] = signature(secret, body)
            response = client.post(delivery.url, data=body, headers=headers,
                                   timeout=settings.http_timeout)
            delivery.http_status = response.status_code
            ok = 200 <= response.status_code < 300
            delivery.error = None if ok else f"HTTP {response.status_code}"
        except requests.RequestException as error:
            ok, delivery.error = False, str(error)[:2000]
        except ServiceError as error:
            # A secret that cannot be read: never send the alert unsigned.
            ok, delivery.error = False, error.message
        if ok:
            delivery.status, delivery.delivered_at = "delivered", utcnow()
        elif delivery.attempts >= settings.webhook_attempts:
            delivery.status = "failed"
        else:
            delivery.next_attempt_at = utcnow() + timedelta(
                seconds=settings.webhook_backoff * 2 ** (delivery.attempts - 1))
        session.add(delivery)
        session.commit()
        metrics.WEBHOOK_DELIVERIES.labels(
            "retry" if delivery.status == "pending" else delivery.status).inc()
    return len(due)


def webhooks_configured(*, session: Session) -> bool:
    """Gives whether any watchlist delivers to a webhook."""
    found = session.exec(select(Watchlist.id)
                         .where(col(Watchlist.webhook_url).is_not(None)).limit(1)).first()
    return found is not None


def reseal_webhook_secrets(*, session: Session, secret_key: str) -> int:
    """Gives how many webhook secrets were re-encrypted with the first key of `secret_key`
    (plain-text ones from before encryption included); the caller commits."""
    secretbox.check_key(secret_key)
    count = 0
    for watchlist in session.exec(select(Watchlist)
                                  .where(col(Watchlist.webhook_secret).is_not(None))).all():
        assert watchlist.webhook_secret is not None
        watchlist.webhook_secret = secretbox.reseal(watchlist.webhook_secret, secret_key)
        session.add(watchlist)
        count += 1
    return count

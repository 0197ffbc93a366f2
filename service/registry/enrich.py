"""Live look-ups: ask the US CSL search API and the OpenSanctions match API about an entity.

Each answer is stored as an enrichment record (source, query, time, HTTP status, the hits
with their source ids and programs, sha256 of the raw body) and an SDN hit of the CSL
becomes a suggested link for an admin to confirm or reject. It reads an entity and suggests
its links, so it is the registry's (above the lists), not the lists'.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import requests
from sqlmodel import Session, select

from service.config import Settings
from service.http import http_session
from service.models import Enrichment, Entity, EntityLink, EntityName
from service.registry.entities import get_entity
from service.textkeys import search_key

# The CSL names its OFAC SDN source this way; its entity_number is the SDN ent_num.
CSL_SDN_SOURCE = "Specially Designated Nationals"
OPENSANCTIONS_SCHEMAS = {"person": "Person", "organization": "Organization",
                         "vessel": "Vessel", "aircraft": "Airplane"}


def configured_sources(settings: Settings) -> list[str]:
    """Gives the look-up APIs that have a key configured."""
    sources = []
    if settings.csl_api_key:
        sources.append("us_csl")
    if settings.opensanctions_api_key:
        sources.append("opensanctions")
    return sources


def _csl_lookup(http: requests.Session, settings: Settings, entity: Entity, name: str
                ) -> requests.Response:
    return http.get(settings.csl_api_url,
                    params={"name": name, "fuzzy_name": "true", "size": "100"},
                    headers={"subscription-key": settings.csl_api_key},
                    timeout=settings.http_timeout)


def _csl_hits(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [{
        "source_id": str(result.get("id", "")),
        "name": result.get("name"),
        "programs": list(result.get("programs") or []),
        "source_list": result.get("source"),
        "entity_number": (str(result["entity_number"])
                          if result.get("entity_number") not in (None, "") else None),
    } for result in body.get("results", [])]


def _opensanctions_lookup(http: requests.Session, settings: Settings, entity: Entity,
                          name: str) -> requests.Response:
    query = {"schema": OPENSANCTIONS_SCHEMAS.get(entity.kind, "LegalEntity"),
             "properties": {"name": [name]}}
    return http.post(settings.opensanctions_api_url, json={"queries": {"q1": query}},
                     headers={"Authorization": f"ApiKey {settings.opensanctions_api_key}"},
                     timeout=settings.http_timeout)


def _opensanctions_hits(body: dict[str, Any]) -> list[dict[str, Any]]:
    answer = (body.get("responses") or {}).get("q1") or {}
    return [{
        "source_id": result.get("id"),
        "name": result.get("caption"),
        "programs": list((result.get("properties") or {}).get("programId") or
                         (result.get("properties") or {}).get("program") or []),
        "source_list": ",".join(result.get("datasets") or []),
        "score": result.get("score"),
        "match": result.get("match"),
    } for result in answer.get("results", [])]


LOOKUPS: dict[str, tuple[Callable[..., requests.Response],
                         Callable[[dict[str, Any]], list[dict[str, Any]]]]] = {
    "us_csl": (_csl_lookup, _csl_hits),
    "opensanctions": (_opensanctions_lookup, _opensanctions_hits),
}


def enrich_entity(entity_id: str, *, session: Session, settings: Settings,
                  http: requests.Session | None = None) -> list[Enrichment]:
    """Looks every distinct name of the entity up in each configured API; gives the records."""
    entity = get_entity(entity_id, session=session)
    sources = configured_sources(settings)
    if not sources:
        return []
    client = http or http_session(settings)
    names: dict[str, str] = {}
    for row in session.exec(select(EntityName).where(EntityName.entity_id == entity_id)).all():
        names.setdefault(row.search_key, row.name)
    records = []
    for source in sources:
        lookup, read_hits = LOOKUPS[source]
        for name in names.values():
            record = Enrichment(entity_id=entity_id, source=source, query=name)
            try:
                response = lookup(client, settings, entity, name)
                record.http_status = response.status_code
                record.body_sha256 = hashlib.sha256(response.content).hexdigest()
                if response.status_code == 200:
                    record.hits = read_hits(response.json())
                elif response.status_code == 429:
                    record.error = "rate limited (429) after retries"
                else:
                    record.error = f"HTTP {response.status_code}"
            except requests.RequestException as error:
                record.error = f"{type(error).__name__}: {error}"
            except ValueError as error:
                record.error = f"answer is not JSON: {error}"
            session.add(record)
            records.append(record)
            _suggest_links(entity, record, session=session)
    session.flush()
    return records


def _suggest_links(entity: Entity, record: Enrichment, *, session: Session) -> None:
    """Turns an SDN hit of the CSL whose name matches into a suggested link."""
    if record.source != "us_csl":
        return
    wanted = search_key(record.query)
    for hit in record.hits:
        if not hit.get("entity_number") or CSL_SDN_SOURCE not in (hit.get("source_list") or ""):
            continue
        if search_key(hit.get("name") or "") != wanted:
            continue
        exists = session.exec(select(EntityLink).where(
            EntityLink.entity_id == entity.id, EntityLink.list_id == "us_ofac_sdn",
            EntityLink.list_key == hit["entity_number"])).first()
        if exists is None:
            session.add(EntityLink(entity_id=entity.id, list_id="us_ofac_sdn",
                                   list_key=hit["entity_number"], status="suggested",
                                   matched_name=hit.get("name")))

"""Refreshing lists from their official URLs: download, then the same all-or-nothing import.

Downloads are conditional (ETag / Last-Modified of the active version: a 304 makes no new
version), capped in size, checked against their Content-Length, and written to a temporary
folder; nothing reaches the database unless every file downloads and parses.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import requests
from sqlmodel import Session

from service.config import Settings
from service.errors import NotFound, UpstreamError
from service.http import http_session
from service.lists.catalog import LISTS, ensure_lists
from service.lists.entry import ListFormatError
from service.lists.importer import ImportOutcome, import_list
from service.models import ListVersion, SanctionsList, utcnow


@dataclass
class RefreshOutcome:
    """What a refresh did: `updated`, `unchanged` (same content) or `not_modified` (304)."""

    list_id: str
    status: str
    version: ListVersion | None
    imported: ImportOutcome | None = None


def source_urls(list_id: str, settings: Settings) -> list[str]:
    """Gives the configured download URLs of a list (primary file first)."""
    if list_id not in LISTS:
        raise NotFound(f"Unknown list '{list_id}'.", details={"known": sorted(LISTS)})
    urls = settings.source_urls.get(list_id, "").split()
    if not urls:
        raise NotFound(f"No download URL is configured for '{list_id}'.")
    return urls


def _download(http: requests.Session, url: str, target: Path, *, settings: Settings,
              conditional: dict[str, str]) -> requests.Response | None:
    """Downloads `url` into `target`; gives None when the server says 304 Not Modified."""
    try:
        response = http.get(url, headers=conditional, stream=True,
                            timeout=settings.http_timeout)
    except requests.RequestException as error:
        raise UpstreamError(f"Download of {url} failed: {error}",
                            details={"url": url}) from error
    with response:
        if response.status_code == 304:
            return None
        if response.status_code != 200:
            raise UpstreamError(f"{url} answered HTTP {response.status_code}.",
                                details={"url": url, "status": response.status_code})
        content_type = response.headers.get("Content-Type", "")
        if content_type.startswith("text/html"):
            raise UpstreamError(f"{url} answered with an HTML page, not a list file.",
                                details={"url": url, "content_type": content_type})
        expected = response.headers.get("Content-Length")
        if expected and expected.isdigit() and int(expected) > settings.download_max_bytes:
            raise UpstreamError(f"{url} is larger than the {settings.download_max_bytes} byte "
                                "cap.", details={"url": url, "size": int(expected)})
        received = 0
        try:
            with target.open("wb") as handle:
                for block in response.iter_content(1 << 16):
                    received += len(block)
                    if received > settings.download_max_bytes:
                        raise UpstreamError(
                            f"{url} is larger than the {settings.download_max_bytes} byte cap.",
                            details={"url": url})
                    handle.write(block)
        except (requests.RequestException, OSError) as error:
            raise UpstreamError(f"Download of {url} broke off: {error}",
                                details={"url": url}) from error
        encoded = response.headers.get("Content-Encoding")
        if expected and expected.isdigit() and not encoded and received != int(expected):
            raise UpstreamError(f"{url} was truncated: {received} of {expected} bytes.",
                                details={"url": url, "received": received,
                                         "expected": int(expected)})
        return response


def refresh_list(list_id: str, *, session: Session, settings: Settings,
                 http: requests.Session | None = None) -> RefreshOutcome:
    """Downloads the list and imports it as a new active version if its content changed."""
    urls = source_urls(list_id, settings)
    ensure_lists(session=session)
    sanctions_list = session.get(SanctionsList, list_id)
    assert sanctions_list is not None
    active = (session.get(ListVersion, sanctions_list.active_version_id)
              if sanctions_list.active_version_id else None)
    conditional: dict[str, str] = {}
    if active is not None and active.etag:
        conditional["If-None-Match"] = active.etag
    if active is not None and active.last_modified:
        conditional["If-Modified-Since"] = active.last_modified

    client = http or http_session(settings)
    fetched_at = utcnow()
    with tempfile.TemporaryDirectory(prefix=f"xref-{list_id}-") as folder:
        files: list[Path] = []
        validators: dict[str, str | None] = {"etag": None, "last_modified": None}
        for position, url in enumerate(urls):
            name = Path(urlparse(url).path).name or f"download-{position}"
            target = Path(folder) / name
            # Only the primary file is asked conditionally: the companions are published with it.
            response = _download(client, url, target, settings=settings,
                                 conditional=conditional if position == 0 else {})
            if response is None:
                return RefreshOutcome(list_id, "not_modified", active)
            if position == 0:
                validators = {"etag": response.headers.get("ETag"),
                              "last_modified": response.headers.get("Last-Modified")}
            files.append(target)
        try:
            outcome = import_list(list_id, files, session=session, sources=urls,
                                  fetched_at=fetched_at, etag=validators["etag"],
                                  last_modified=validators["last_modified"])
        except ListFormatError as error:
            raise UpstreamError(f"The download of '{list_id}' is not a valid list: "
                                f"{error.reason}",
                                details={"file": Path(error.file).name if error.file else None,
                                         "line": error.line}) from error
    if not outcome.created:
        # Same content under new validators: remember them for the next conditional GET.
        outcome.version.etag = validators["etag"] or outcome.version.etag
        outcome.version.last_modified = (validators["last_modified"]
                                         or outcome.version.last_modified)
        session.add(outcome.version)
        return RefreshOutcome(list_id, "unchanged", outcome.version, outcome)
    return RefreshOutcome(list_id, "updated", outcome.version, outcome)

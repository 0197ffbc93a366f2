"""Outgoing HTTP: one requests session with timeouts and retries with backoff.

Retries (urllib3's `Retry`) cover connection errors, 5xx and 429 answers, and honour
`Retry-After`; every call also has a timeout, so a silent server cannot hang an import.
"""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from service.config import Settings

USER_AGENT = "xref-service/0.1 (+sanctions cross-reference)"
RETRY_STATUSES = (429, 500, 502, 503, 504)


def http_session(settings: Settings) -> requests.Session:
    """Gives a requests session that retries with exponential backoff."""
    retry = Retry(
        total=settings.http_retries,
        connect=settings.http_retries,
        read=settings.http_retries,
        status=settings.http_retries,
        backoff_factor=settings.http_backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD", "POST"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session

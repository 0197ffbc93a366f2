"""The shared vocabulary agrees with the matcher's own kinds and with the contract."""

from __future__ import annotations

from pathlib import Path

import yaml

from service import terms
from service.matching import normalize

SPEC = yaml.safe_load((Path(__file__).resolve().parents[1] / "openapi.yaml").read_text())
SCHEMAS = SPEC["components"]["schemas"]


def test_screen_kinds_are_the_kinds_the_matcher_tells_apart() -> None:
    matcher_kinds = {normalize.PERSON, normalize.ORGANIZATION, normalize.VESSEL,
                     normalize.AIRCRAFT}
    assert set(terms.SCREEN_KINDS) == matcher_kinds
    assert set(terms.SCREEN_KINDS) < set(terms.KINDS)


def test_the_contract_states_the_same_kinds() -> None:
    assert SCHEMAS["Kind"]["enum"] == list(terms.KINDS)
    assert SCHEMAS["ScreenKind"]["enum"] == [*terms.SCREEN_KINDS, None]


def test_the_contract_states_the_same_limits() -> None:
    screen = SCHEMAS["ScreenRequest"]["properties"]
    assert screen["names"]["maxItems"] == terms.MAX_NAMES_PER_REQUEST
    assert screen["names"]["items"]["properties"]["name"]["maxLength"] == terms.MAX_NAME_LENGTH
    assert screen["lists"]["maxItems"] == terms.MAX_LISTS_PER_REQUEST
    assert screen["lists"]["items"]["maxLength"] == terms.MAX_LIST_ID_LENGTH
    assert screen["limit"]["maximum"] == terms.MAX_LIMIT
    assert screen["limit"]["default"] == terms.DEFAULT_LIMIT

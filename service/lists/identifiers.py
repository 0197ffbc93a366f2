"""Official cross-references between lists, read from what each list itself publishes.

Every identifier is written the way OpenSanctions writes its `referents`, so that one string
means one designation whichever file it was read from:

- `ofac-<n>`: OFAC's entity number. It is the key of the SDN and consolidated (non-SDN)
  lists alike (one numbering for both), the `entity_number` of a US CSL row whose source is a
  Treasury (OFAC) list, and an OpenSanctions referent.
- `unsc-<n>`: a UN Security Council record's DATAID, in the UN XML and in OpenSanctions
  referents.
- `unsc-ref-<reference number>`: the UN's own reference number (`QDe.115`), the UN list's key.

CSL rows of the Commerce and State lists carry no such number (their `_id` is a hash), so
they are bridged only through the matcher.
"""

from __future__ import annotations

import re
from typing import Any

OFAC = "ofac"
UNSC = "unsc"
UNSC_REFERENCE = "unsc-ref"

# The lists keyed by OFAC's entity number.
_OFAC_KEYED = ("us_ofac_sdn", "us_ofac_cons")
# OpenSanctions referents this service can follow to one of its own lists.
_REFERENT = re.compile(r"(ofac|unsc)-(\d+)\Z")
_NUMBER = re.compile(r"\d+\Z")
# CSL sources run by OFAC name the Treasury Department ("Specially Designated Nationals
# (SDN) - Treasury Department"); their `entity_number` is OFAC's.
_TREASURY = "treasury department"


def official_identifiers(list_id: str, key: str, data: dict[str, Any]) -> list[str]:
    """Gives the cross-list identifiers of one entry (its stored `ListEntry` dict), sorted."""
    found: set[str] = set()
    extra: dict[str, Any] = data.get("extra") or {}
    if list_id in _OFAC_KEYED and _NUMBER.match(key):
        found.add(f"{OFAC}-{key}")
    elif list_id == "us_csl":
        number = str(extra.get("entity_number") or "").strip()
        sources = extra.get("sources") or [extra.get("source") or ""]
        if _NUMBER.match(number) and any(_TREASURY in str(s).lower() for s in sources):
            found.add(f"{OFAC}-{number}")
    elif list_id == "un_sc":
        data_id = str(extra.get("un_dataid") or "").strip()
        if _NUMBER.match(data_id):
            found.add(f"{UNSC}-{data_id}")
        found.add(f"{UNSC_REFERENCE}-{key}")
    elif list_id == "opensanctions":
        for referent in extra.get("referents") or []:
            match = _REFERENT.match(str(referent).strip().lower())
            if match:
                found.add(f"{match.group(1)}-{match.group(2)}")
    return sorted(found)


"""The service's shared vocabulary and request limits, written once.

The domain, the API's schemas and the CLI all check names against these; openapi.yaml states
the same values for callers (tests/api/test_contract.py compares them). The matcher keeps its
own copy of the kinds it tells apart (`service.matching.normalize`), as it imports nothing
from the service; tests/test_terms.py keeps the two equal.
"""

from __future__ import annotations

# What an entity or a list entry is. "other" is a list entry of no kind the matcher tells
# apart (a CSL record of an unknown type, say).
KINDS = ("person", "organization", "vessel", "aircraft", "other")
# The kinds a screened name may carry: those the matcher tells apart. A screening with a kind
# leaves out entries of other kinds.
SCREEN_KINDS = ("person", "organization", "vessel", "aircraft")

# The lists the service knows, by id.
LISTS: dict[str, str] = {
    "us_ofac_sdn": "OFAC Specially Designated Nationals and Blocked Persons List",
    "us_ofac_cons": "OFAC Consolidated Sanctions List (non-SDN)",
    "un_sc": "UN Security Council Consolidated List",
    "us_csl": "US Consolidated Screening List (trade.gov)",
    "opensanctions": "OpenSanctions (FollowTheMoney entities)",
}
# Lists that gather other lists' entries (OpenSanctions repeats OFAC, the UN and many more).
# Their names come after the official lists' in the screening index, and their entries after
# the official lists' at equal scores: where a name of each ties, the official list's entry
# is the one scored and shown first.
AGGREGATOR_LISTS = ("opensanctions",)
# The registry's own names are screened as a list of their own, under this id.
REGISTRY_LIST = "registry"

# One request screens at most this many names; a bigger batch is a job (`/v1/jobs`).
MAX_NAMES_PER_REQUEST = 1000
# Longer than any real name: a longer one is a pasted paragraph, not a name.
MAX_NAME_LENGTH = 500
# Candidates given per screened name unless the caller asks for more, and at most.
DEFAULT_LIMIT = 5
MAX_LIMIT = 50
# How many lists one screening may name, and how long a list id may be.
MAX_LISTS_PER_REQUEST = 20
MAX_LIST_ID_LENGTH = 50

"""Fixtures of the documents cross-reference tests.

- `listed`: the seeded database with a real SDN excerpt imported as the active version of
  `us_ofac_sdn` (the registry's pinned entries plus entries the registry does not have:
  AL-MUHANDIS, Abu Mahdi; HARAKAT AL-NUJABA; Cuba's MINISTRY OF INTERIOR, a namesake; see
  fixtures/make_sdn_excerpt.py), and the seed documents cross-referenced against it, as
  `xref seed` does after importing its snapshot.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from service.db import make_engine
from service.documents.xref import cross_reference_documents
from service.usecases.lists import import_list_version

SDN_EXCERPT = Path(__file__).resolve().parent / "fixtures" / "sdn-2024-05"


@pytest.fixture
def listed(seeded_database_url: str) -> str:
    engine = make_engine(seeded_database_url)
    with Session(engine) as session:
        import_list_version("us_ofac_sdn", [SDN_EXCERPT], session=session,
                            data_date=date(2024, 5, 3))
        cross_reference_documents(session=session)
        session.commit()
    engine.dispose()
    return seeded_database_url

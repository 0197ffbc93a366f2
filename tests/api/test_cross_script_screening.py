"""Screening across scripts over HTTP: a UN excerpt whose records write their names both in
the original script and in Latin (tests/fixtures/matching/un_original_script_excerpt.xml),
imported without the original-script names, so that an Arabic-script query can only reach
an entry through its Latin names."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from service.usecases.lists import import_list_version

EXCERPT = Path(__file__).resolve().parents[1] / "fixtures" / "matching" / \
    "un_original_script_excerpt.xml"


@pytest.fixture
def client(client: FlaskClient, admin_headers: dict) -> FlaskClient:
    client.environ_base["HTTP_AUTHORIZATION"] = admin_headers["Authorization"]
    return client


def _original_script_names() -> dict[str, str]:
    """Gives each record's NAME_ORIGINAL_SCRIPT by reference number."""
    root = ElementTree.parse(EXCERPT).getroot()
    return {record.findtext("REFERENCE_NUMBER", ""): record.findtext("NAME_ORIGINAL_SCRIPT", "")
            for record in root.iter() if record.tag in ("INDIVIDUAL", "ENTITY")}


@pytest.fixture
def latin_only_un(session: Session, tmp_path: Path) -> None:
    """Imports the excerpt as the active UN version, original-script names removed."""
    tree = ElementTree.parse(EXCERPT)
    for record in tree.getroot().iter():
        original = record.find("NAME_ORIGINAL_SCRIPT")
        if original is not None:
            record.remove(original)
    latin_only = tmp_path / "un_latin_only.xml"
    tree.write(latin_only, encoding="utf-8", xml_declaration=True)
    import_list_version("un_sc", [latin_only], session=session)
    session.commit()


@pytest.mark.parametrize("key", ["IQi.004", "IQi.014", "IQi.019", "TAi.137"])
def test_an_arabic_script_name_finds_its_latin_entry_first_with_the_skeleton_shown(
    client: FlaskClient, latin_only_un: None, key: str
) -> None:
    query = _original_script_names()[key]
    response = client.get("/v1/screen", query_string={"name": query})
    assert response.status_code == 200, response.get_json()
    first = response.get_json()["results"][0]["matches"][0]
    assert (first["list"], first["list_key"], first["match"]) == ("un_sc", key, True)
    forms = [pair["met_on"] for pair in first["explanation"]["aligned"]]
    assert forms and all(form["form"] == "consonant skeleton" for form in forms)
    # The two sides met on one consonant skeleton at least once.
    assert any(form["name1"] == form["name2"] for form in forms)

"""The mention finder and the claim finder on their own, over a small index."""

from __future__ import annotations

import pytest

from service.documents.claims import find_claims
from service.documents.mentions import find_mentions
from service.matching.index import IndexedName, NameIndex


def _index() -> NameIndex:
    names = [
        IndexedName("registry", "kataib-hezbollah", "Kataib Hezbollah", "Kataib Hezbollah",
                    "organization", (), entity_id="kataib-hezbollah"),
        IndexedName("registry", "islamic-state", "IS", "Islamic State", "organization", (),
                    entity_id="islamic-state"),
        IndexedName("registry", "qassem-soleimani", "Soleimani", "Qassem Soleimani", "person",
                    (), entity_id="qassem-soleimani"),
        IndexedName("registry", "qassem-soleimani", "Qassem Soleimani", "Qassem Soleimani",
                    "person", (), entity_id="qassem-soleimani"),
        IndexedName("registry", "muqtada-al-sadr", "Mr Sadr", "Muqtada al-Sadr", "person", (),
                    entity_id="muqtada-al-sadr"),
        IndexedName("us_ofac_sdn", "17154", "MIDDLE EAST BANK", "MIDDLE EAST BANK",
                    "organization", ()),
        IndexedName("us_ofac_sdn", "1", "PEACE", "PEACE", "vessel", ()),
        IndexedName("us_ofac_sdn", "2", "HAMAS", "HAMAS", "organization", ("SDGT",)),
    ]
    return NameIndex.build(names)


def _texts(text: str) -> list[str]:
    return [m.text for m in find_mentions(text, _index())]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fighters of Kata'ib Hizbollah said", ["Kata'ib Hizbollah"]),
        ("fighters of KATAIB HEZBOLLAH said", ["KATAIB HEZBOLLAH"]),
        ("Gen. Qasem Suleimani’s men", ["Qasem Suleimani"]),
        ("Suleimani said", ["Suleimani"]),
        ("this is IS territory, Is it?", ["IS"]),
        ("Mr Sadr’s militia marched through Sadr City", ["Sadr"]),
        ("the Middle East is at war", []),
        ("Peace Brigades and Hamas", ["Hamas"]),
        ("peace and Peace", []),
    ],
)
def test_mentions(text: str, expected: list[str]) -> None:
    assert _texts(text) == expected


def test_offsets_are_exact_and_overlaps_keep_the_longest() -> None:
    text = "Yesterday Qassem\nSoleimani, then Soleimani again."
    mentions = find_mentions(text, _index())
    assert [m.text for m in mentions] == ["Qassem\nSoleimani", "Soleimani"]
    for mention in mentions:
        assert text[mention.start:mention.end] == mention.text
        assert mention.entity_id == "qassem-soleimani"


@pytest.mark.parametrize(
    ("sentence", "about", "claim"),
    [
        ("Treasury designated Qassem Soleimani in 2007.", "Qassem Soleimani", "designated"),
        ("Kataib Hezbollah, a U.S.-designated terrorist entity, fought.", "Kataib Hezbollah",
         "designated"),
        ("Qassem Soleimani, who ran Kataib Hezbollah, was sanctioned.", "Qassem Soleimani",
         "designated"),
        ("Hamas was never designated, they said.", "Hamas", "not_designated"),
        ("Hamas is not on any sanctions list.", "Hamas", "not_designated"),
        ("Kataib Hezbollah is an FTO.", "Kataib Hezbollah", "designated"),
    ],
)
def test_claims_go_to_the_entity_the_sentence_is_about(sentence: str, about: str,
                                                       claim: str) -> None:
    (found,) = find_claims(sentence, find_mentions(sentence, _index()))
    assert (found.mention.text, found.claim) == (about, claim)
    assert (found.start, found.end) == (0, len(sentence))


def test_no_claim_without_a_cue_or_a_mention() -> None:
    text = "Qassem Soleimani met Hamas. Some groups are designated terrorists."
    assert find_claims(text, find_mentions(text, _index())) == []


def test_a_long_text_finds_every_mention() -> None:
    # How fast a long text is scanned is measured by `make bench` (bench/documents_bench.py),
    # beside its target, not by a timed test on a shared machine.
    text = ("Kataib Hezbollah and Qassem Soleimani met Peace Brigades in Baghdad. " * 1500)
    mentions = find_mentions(text, _index())
    assert len(mentions) == 3000
    assert mentions[-1].end <= len(text)

"""Names across scripts: the Arabic-script reader, its alignment with Latin spellings, ICU
transliteration, syllabic scripts, retrieval and explanations.

Real names only: the records of tests/fixtures/matching/un_original_script_excerpt.xml (UN
list records that write their names both ways) and the OpenSanctions fixture."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from service.matching.frequencies import skeleton_weight
from service.matching.index import IndexedName, NameIndex
from service.matching.normalize import normalize_name
from service.matching.scorer import compare
from service.matching.scripts import (
    abjad_latin_similarity,
    arabic_script_words,
    icu_latin,
    korean_key,
    meeting_key,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXCERPT = FIXTURES / "matching" / "un_original_script_excerpt.xml"
OPENSANCTIONS = FIXTURES / "lists" / "opensanctions_yente_t1_entities.ftm.json"


def _records() -> dict[str, tuple[str, str, str]]:
    """Gives (original-script name, Latin name, kind) by UN reference number."""
    records = {}
    for record in ElementTree.parse(EXCERPT).getroot().iter():
        if record.tag not in ("INDIVIDUAL", "ENTITY"):
            continue
        latin = " ".join(" ".join(record.findtext(field, "") for field in (
            "FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")).split())
        kind = "person" if record.tag == "INDIVIDUAL" else "organization"
        records[record.findtext("REFERENCE_NUMBER", "")] = (
            " ".join(record.findtext("NAME_ORIGINAL_SCRIPT", "").split()), latin, kind)
    return records


RECORDS = _records()


# --- the Arabic-script reader -----------------------------------------------------------------

@pytest.mark.parametrize(("word", "words"), [
    ("التكريتي", ["al", "tkryty"]),  # the article written on to the word, apart
    ("عبدالرحمن", ["abd", "al", "rhmn"]),  # "servant of" joined to the next name
    ("خيرالله", ["khyr", "allah"]),  # a divine name joined to the name before
    ("صلاحالدين", ["slah", "al", "din"]),
    ("والمسلمين", ["wa", "al", "mslmyn"]),  # "and" and the article on one word
    ("محمدعبد", ["mhmd", "abd"]),  # "abd" joined to the name before it
    ("بن", ["bin"]), ("ابن", ["ibn"]), ("ابو", ["abu"]), ("ام", ["umm"]),
    ("حاجی", ["haji"]), ("ملا", ["mullah"]),  # titles, in the spellings dropped as titles
    ("ساجدة", ["sajida"]),  # tāʾ marbūṭa as "a"; the CāCiC pattern's unwritten "i"
    ("حامد", ["hamid"]), ("زاده", ["zada"]), ("شاه", ["shah"]),  # final hāʾ: vowel or h
    ("عمر", ["emr"]),  # a word-initial ʿayn before a consonant carries a vowel
])
def test_arabic_script_words_are_read_as_latin_spellings_write_them(
    word: str, words: list[str]
) -> None:
    assert arabic_script_words(word) == words


@pytest.mark.parametrize(("written", "plain"), [
    ("سليــوة", "سليوة"),  # tatweel
    ("مُحَمَّد", "محمد"),  # short-vowel marks and shadda
    ("آخوند\u200cزاده", "آخوندزاده"),  # the Persian zero-width non-joiner
    ("کاکا", "كاكا"),  # Persian kāf
    ("یحیی", "يحيى"),  # Persian yāʾ; alif maqṣūra
    ("إبراهيم", "ابراهيم"),  # hamza seats
])
def test_letter_forms_marks_and_joiners_read_alike(written: str, plain: str) -> None:
    assert arabic_script_words(written) == arabic_script_words(plain)


# --- Arabic script against Latin -------------------------------------------------------------

@pytest.mark.parametrize("key", sorted(RECORDS))
def test_each_original_script_name_matches_its_own_latin_name(key: str) -> None:
    original, latin, kind = RECORDS[key]
    if key in ("QDe.011", "QDe.089"):
        pytest.skip("translated, not transliterated: LIBYAN/MOROCCAN … GROUP")
    assert compare(original, latin, kind).match, (original, latin)


@pytest.mark.parametrize(("one", "other"), [
    ("IQi.002", "IQi.003"),  # brothers: Qusay and Uday Saddam Hussein
    ("QDi.353", "QDi.354"),  # brothers: Ali and Tarak ben Taher
    ("IQi.001", "IQi.061"),  # father and son: Saddam Hussein, Ali Saddam Hussein
    ("IQi.001", "IQi.002"),  # father and son
    ("QDe.011", "QDe.089"),  # two fighting groups whose names share three words
])
def test_different_people_and_groups_written_in_arabic_do_not_match(
    one: str, other: str
) -> None:
    (first, first_latin, kind), (second, second_latin, _) = RECORDS[one], RECORDS[other]
    assert not compare(first, second, kind).match
    # Nor across scripts.
    assert not compare(first, second_latin, kind).match
    assert not compare(first_latin, second, kind).match


def test_a_long_vowel_the_script_writes_must_be_in_the_latin_spelling() -> None:
    # "حسين" (Husayn) writes a yāʾ that "Hasan" has not: one letter of three consonants.
    husayn = arabic_script_words("حسين")[0]
    assert abjad_latin_similarity(husayn, "husain") == 1.0
    assert abjad_latin_similarity(husayn, "hasan") < 0.7


def test_a_long_rare_part_weighs_more_than_a_short_common_one() -> None:
    # "التكريتي" (al-Tikriti) of IQi.004 and "علي" (ʿAlī) opening IQi.061.
    tikriti = normalize_name(RECORDS["IQi.004"][0]).parts[-1]
    ali = normalize_name(RECORDS["IQi.061"][0]).parts[0]
    assert tikriti.skeleton == "tkrt" and ali.skeleton == "l"
    assert skeleton_weight(tikriti.skeleton, len(tikriti.text)) > \
        skeleton_weight(ali.skeleton, len(ali.text))
    assert skeleton_weight("tkrt", 6) > skeleton_weight("mhmd", 4)  # … and Muhammad


def test_both_sides_meet_on_one_consonant_key() -> None:
    original, latin, kind = RECORDS["IQi.014"]  # Saif al-Din Fulayyih Hassan Taha al-Rawi
    arabic_keys = [part.skeleton for part in normalize_name(original, kind).parts]
    latin_keys = [part.skeleton for part in normalize_name(latin, kind).parts]
    assert arabic_keys == latin_keys
    assert meeting_key("tikriti") == meeting_key("tkryty") == "tkrt"


def test_the_explanation_shows_the_form_both_sides_met_on() -> None:
    original, latin, kind = RECORDS["IQi.019"]  # Abd al-Tawwab Mullah Huwaysh
    aligned = compare(original, latin, kind).explanation["aligned"]
    assert aligned
    for pair in aligned:
        met_on = pair["met_on"]
        assert met_on["form"] == "consonant skeleton"
        assert met_on["similarity"] == pair["similarity"]
    # Huwaysh: the consonants h and sh (written "x", one letter for one sound).
    assert {"name1": "hx", "name2": "hx"}.items() <= aligned[-1]["met_on"].items()


# --- other scripts ------------------------------------------------------------------------------

def test_cyrillic_goes_through_icu_with_the_language_s_romanisation() -> None:
    original, latin, kind = RECORDS["QDi.290"]  # Умаров Доку Хаматович
    assert icu_latin("Хаматович") == "Khamatovich"  # BGN/PCGN: х as kh
    assert compare(original, latin, kind).match
    # Belarusian (ў, і and no и) in the forms of the Russian names.
    assert icu_latin("Паўлаўна") == "pawlawna"


def _opensanctions_names(schema: str) -> list[list[str]]:
    with OPENSANCTIONS.open(encoding="utf-8") as handle:
        return [json.loads(line)["properties"].get("name", []) for line in handle
                if json.loads(line)["schema"] == schema]


def test_a_cyrillic_name_of_the_opensanctions_fixture_matches_its_latin_one() -> None:
    names = [name for names in _opensanctions_names("Person") for name in names]
    cyrillic = [name for name in names if any("\u0400" <= char <= "\u04ff" for char in name)]
    assert cyrillic
    latin = [name for name in names if name.isascii()]
    for name in cyrillic:
        assert any(compare(name, other, "person").match for other in latin), name


# --- retrieval ---------------------------------------------------------------------------------

def _index(arabic: bool) -> NameIndex:
    names = []
    for key, (original, latin, kind) in RECORDS.items():
        written = original if arabic else latin
        if arabic and not any("\u0600" <= char <= "\u06ff" for char in original):
            continue
        names.append(IndexedName("un_sc", key, written, latin, kind, ()))
    return NameIndex.build(names)


@pytest.mark.parametrize("key", ["IQi.004", "IQi.014", "IQi.056", "TAi.040", "TAi.137"])
def test_screening_finds_an_entry_from_either_script(key: str) -> None:
    original, latin, kind = RECORDS[key]
    found = _index(arabic=False).search(original, kind=kind)
    assert found and found[0].match and found[0].name.list_key == key
    found = _index(arabic=True).search(latin, kind=kind)
    assert found and found[0].match and found[0].name.list_key == key


def test_korean_romanisation_systems_fold_to_one_key() -> None:
    # Spellings of one name within UN records: KPi.024 "Kim Young-Cheol" and "KIM YONG CHOL",
    # KPi.078 "Ri Eun Song" and "RI U’N SO’NG", KPi.007 "CHANG MYONG-CHIN" and "Jang Myong-Jin".
    assert korean_key("youngcheol") == korean_key("yongchol")
    assert korean_key("eunsong") == korean_key("unsong")
    assert korean_key("changmyongchin") == korean_key("jangmyongjin")
    assert korean_key("kim") != korean_key("ri")


def test_a_name_in_kana_matches_its_latin_spellings_on_sounded_consonants() -> None:
    with (FIXTURES / "matching" / "opensanctions_kana_excerpt.ftm.json").open(
            encoding="utf-8") as handle:
        entities = [json.loads(line) for line in handle]
    assert len(entities) == 6
    forms = []
    for entity in entities:
        names = entity["properties"]["name"] + entity["properties"].get("alias", [])
        kana = [name for name in names if any("\u30a0" <= char <= "\u30ff" for char in name)]
        latin = [name for name in names if name.isascii()]
        assert kana and latin
        matches = [compare(written, other, "person") for written in kana for other in latin]
        assert any(match.match for match in matches), kana
        forms += [pair["met_on"] for match in matches for pair in
                    match.explanation["aligned"] if "met_on" in pair]
    assert forms and all(form["form"] == "sounded consonants" for form in forms)


def _kana_entities() -> list[tuple[str, list[str], list[str]]]:
    """Gives (id, kana names, Latin names) of the OpenSanctions kana excerpt's persons."""
    with (FIXTURES / "matching" / "opensanctions_kana_excerpt.ftm.json").open(
            encoding="utf-8") as handle:
        entities = [json.loads(line) for line in handle]
    found = []
    for entity in entities:
        names = entity["properties"]["name"] + entity["properties"].get("alias", [])
        found.append((entity["id"],
                      [n for n in names if any("\u30a0" <= char <= "\u30ff" for char in n)],
                      [n for n in names if n.isascii()]))
    return found


def test_screening_a_name_in_kana_finds_the_latin_entry() -> None:
    entities = _kana_entities()
    index = NameIndex.build([IndexedName("opensanctions", key, name, latin[0], "person", ())
                             for key, _, latin in entities for name in latin])
    for key, kana, _ in entities:
        for written in kana:
            found = index.search(written, kind="person")
            assert found and found[0].match and found[0].name.list_key == key, written

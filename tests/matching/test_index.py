"""Index tests on real SDN entries (names, kinds and programs as the list gives them)."""

import pytest

from service.matching.index import IndexedName, NameIndex
from service.matching.normalize import normalize_name

SDN_NAMES = [
    IndexedName("ofac_sdn", "10481", "SOLEIMANI, Qasem", "SOLEIMANI, Qasem", "person",
                ("SDGT", "SYRIA", "NPWMD", "IRGC", "IFSR")),
    IndexedName("ofac_sdn", "10481", "SULEIMANI, Qasim", "SOLEIMANI, Qasem", "person",
                ("SDGT", "SYRIA", "NPWMD", "IRGC", "IFSR")),
    IndexedName("ofac_sdn", "21806", "SOLEIMANI, Sohrab", "SOLEIMANI, Sohrab", "person",
                ("IRAN-HR",)),
    IndexedName("ofac_sdn", "27854", "SOLEIMANI, Gholamreza", "SOLEIMANI, Gholamreza",
                "person", ("IRGC", "IRAN-HR", "IRAN-EO13876")),
    IndexedName("ofac_sdn", "11786", "QASEMI, Rostam", "QASEMI, Rostam", "person",
                ("SDGT", "NPWMD", "IRGC", "IFSR")),
    IndexedName("ofac_sdn", "28004", "AL-KHAZALI, Qais", "AL-KHAZALI, Qais", "person",
                ("SDGT", "GLOMAG")),
    IndexedName("ofac_sdn", "28005", "AL-KHAZALI, Laith", "AL-KHAZALI, Laith", "person",
                ("SDGT", "GLOMAG")),
    IndexedName("ofac_sdn", "11461", "AL-MUHANDIS, Abu Mahdi", "AL-MUHANDIS, Abu Mahdi",
                "person", ("IRAQ3",)),
    IndexedName("ofac_sdn", "11462", "KATA'IB HIZBALLAH", "KATA'IB HIZBALLAH",
                "organization", ("FTO", "SDGT", "IRAQ3")),
    IndexedName("ofac_sdn", "11462", "KATA'IB HIZBALLAH FI AL-IRAQ", "KATA'IB HIZBALLAH",
                "organization", ("FTO", "SDGT", "IRAQ3"), weak=True),
    IndexedName("ofac_sdn", "28283", "ASA'IB AHL AL-HAQ", "ASA'IB AHL AL-HAQ", "organization",
                ("SDGT",)),
    IndexedName("ofac_sdn", "28283", "AAH", "ASA'IB AHL AL-HAQ", "organization", ("SDGT",),
                weak=True),
    IndexedName("ofac_sdn", "26945", "KHAMENEI, Ali Husseini", "KHAMENEI, Ali Husseini",
                "person", ("IRAN-EO13876",)),
    IndexedName("ofac_sdn", "27848", "KHAMENEI, Mojtaba", "KHAMENEI, Mojtaba", "person",
                ("IRAN-EO13876",)),
    # As the UN consolidated list of 2026-02-27 gives it (tests/fixtures/lists).
    IndexedName("un_sc", "QDi.001", "MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE",
                "MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE", "person", ("Al-Qaida",)),
]


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex.build(SDN_NAMES)


def test_the_right_entry_comes_first(index: NameIndex) -> None:
    results = index.search("Qassem Suleimani")
    assert results[0].name.list_key == "10481"
    assert results[0].match
    assert all(not r.match for r in results[1:])


def test_results_are_one_per_entry_keeping_its_best_name(index: NameIndex) -> None:
    results = index.search("Qasim Suleimani", limit=10)
    keys = [(r.name.list_id, r.name.list_key) for r in results]
    assert len(keys) == len(set(keys))
    assert results[0].name.name == "SULEIMANI, Qasim"
    assert results[0].score == max(r.score for r in results)


def test_organisation_found_from_a_news_spelling(index: NameIndex) -> None:
    results = index.search("Kataib Hizbullah", kind="organization")
    assert results[0].name.list_key == "11462"
    assert results[0].match


def test_other_scripts_find_the_latin_entry(index: NameIndex) -> None:
    assert index.search("قاسم سليماني")[0].name.list_key == "10481"
    assert index.search("Каис аль-Хазали")[0].name.list_key == "28004"


def test_a_relative_with_the_same_family_name_is_not_a_match(index: NameIndex) -> None:
    results = index.search("Qais al Khazali", limit=5)
    assert results[0].name.list_key == "28004"
    laith = [r for r in results if r.name.list_key == "28005"]
    assert not laith or not laith[0].match


def test_kind_and_list_filters(index: NameIndex) -> None:
    assert all(r.name.kind == "organization"
               for r in index.search("Hizballah", kind="organization", min_score=0.0))
    assert not index.search("Qasem Soleimani", kind="organization")
    only_un = index.search("Mohammed Zidane", lists={"un_sc"}, min_score=0.0)
    assert only_un and all(r.name.list_id == "un_sc" for r in only_un)
    assert index.search("Mohammed Zidane", lists={"ofac_sdn"}, min_score=0.0) == []


def test_weak_aliases_need_the_whole_alias(index: NameIndex) -> None:
    results = index.search("AAH Trading Company", kind="organization")
    assert not any(r.match and r.name.name == "AAH" for r in results)


def test_threshold_and_explanation_are_passed_through(index: NameIndex) -> None:
    result = index.search("Qasem Soleimani", threshold=1.01)[0]
    assert not result.match
    assert result.explanation["threshold"] == 1.01
    assert result.explanation["name2"]["original"] == result.name.name


def test_empty_query_gives_no_results(index: NameIndex) -> None:
    assert index.search("") == []
    assert index.search("---") == []


def test_arabic_script_with_the_article_written_on_finds_the_latin_entry(
    index: NameIndex,
) -> None:
    results = index.search("قيس الخزعلي", kind="person")
    assert results[0].name.list_key == "28004"
    assert results[0].match


def test_cold_and_remembered_look_ups_give_the_same_results(index: NameIndex) -> None:
    queries = ["Qassem Suleimani", "Kataib Hizbullah", "Ali Khamenei", "قاسم سليماني"]
    index.clear_lookup_cache()
    cold = [[(r.name.name, r.score) for r in index.search(q)] for q in queries]
    warm = [[(r.name.name, r.score) for r in index.search(q)] for q in queries]
    assert cold == warm
    assert all(cold)


def test_split_query_parts_are_joined_to_find_the_entry(index: NameIndex) -> None:
    # "Soleim ani": neither half is a listed part; written together it is.
    results = index.search("Qasem Soleim ani", kind="person")
    assert results[0].name.list_key == "10481"


def test_kind_and_list_filters_leave_only_eligible_names(index: NameIndex) -> None:
    assert index.search("Kataib Hizbullah", kind="person") == [] or all(
        r.name.kind in (None, "person") for r in index.search("Kataib Hizbullah", kind="person"))
    assert index.search("Qasem Soleimani", lists={"un_sc"}) == []
    assert index.search("Qasem Soleimani", lists={"ofac_sdn", "un_sc"})[0].name.list_key == \
        "10481"


def test_every_returned_match_is_explained(index: NameIndex) -> None:
    for result in index.search("Qais al Khazali", limit=5):
        assert result.explanation["score"] == round(result.score, 4)
        assert result.explanation["aligned"]
        assert result.explanation["threshold"] == 0.8


def test_a_saved_index_mapped_back_answers_the_same(index: NameIndex, tmp_path) -> None:  # type: ignore[no-untyped-def]
    index.save(tmp_path / "saved")
    mapped = NameIndex.open(tmp_path / "saved")
    assert len(mapped) == len(index)
    for query in ("Qassem Suleimani", "Kataib Hizbullah", "قيس الخزعلي", "AAH Trading Company",
                  "Qasem Soleim ani"):
        assert [(r.name, r.score, r.explanation) for r in mapped.search(query)] == \
            [(r.name, r.score, r.explanation) for r in index.search(query)]


def test_an_index_of_another_storage_format_is_not_read(index: NameIndex, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    index.save(tmp_path / "saved")
    header = json.loads((tmp_path / "saved" / "header.json").read_text())
    header["format"] = -1
    (tmp_path / "saved" / "header.json").write_text(json.dumps(header))
    with pytest.raises(ValueError, match="storage format"):
        NameIndex.open(tmp_path / "saved")


def _same_arrays(first: NameIndex, second: NameIndex) -> bool:
    import numpy as np

    return first.header == second.header and first._arrays.keys() == second._arrays.keys() \
        and all(np.array_equal(values, second._arrays[name])
                for name, values in first._arrays.items())


def test_a_build_without_a_process_pool_normalises_the_names_itself(
        index: NameIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.matching import parallel

    def no_pool(*_: object, **__: object) -> None:
        raise OSError("no semaphores here")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", no_pool)
    assert _same_arrays(NameIndex.build(SDN_NAMES, workers=2), index)


def test_a_build_whose_pool_breaks_goes_on_without_it(
        index: NameIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures.process import BrokenProcessPool

    from service.matching import parallel

    class BrokenPool:
        def __init__(self, *_: object, **__: object) -> None:
            pass

        def submit(self, *_: object) -> None:
            raise BrokenProcessPool("a process was killed")

        def shutdown(self, **_: object) -> None:
            pass

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", BrokenPool)
    monkeypatch.setattr(parallel, "BATCH_NAMES", 4)
    assert _same_arrays(NameIndex.build(SDN_NAMES, workers=2), index)


def test_names_normalised_by_a_pool_give_the_same_index(
        index: NameIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.matching import parallel

    monkeypatch.setattr(parallel, "BATCH_NAMES", 4)  # several batches, some waiting
    assert _same_arrays(NameIndex.build(SDN_NAMES, workers=2), index)


def test_a_typo_in_a_later_spelling_of_a_part_still_finds_its_names() -> None:
    # Both as the SDN writes them: "Pavlovich" comes first and gives the part's phonetic
    # key; "Pavlovitch" has the same key, and a swap in it ("Pavlovicth") breaks the folding
    # of "tch": only the deletions of that second spelling meet the typo.
    names = [
        IndexedName("ofac_sdn", "23948", "POLOZOV, Sergey Pavlovich",
                    "POLOZOV, Sergey Pavlovich", "person", ("CYBER2",)),
        IndexedName("ofac_sdn", "15892", "PROKOPENKO, Ivan Pavlovitch",
                    "PROKOPENKO, Ivan Pavlovitch", "person", ("MAGNIT", "RUSSIA-EO14024")),
    ]
    index = NameIndex.build(names)
    positions, _ = index._candidates(normalize_name("Pavlovicth", "person"))
    assert sorted(index.name_at(int(p)).list_key for p in positions) == ["15892", "23948"]

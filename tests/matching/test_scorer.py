"""Pairwise scorer tests on names from the source documents and real SDN spellings."""

from service.matching.scorer import DEFAULT_THRESHOLD, compare


def test_source_document_spelling_matches_the_sdn_spelling() -> None:
    result = compare("Qassem Suleimani", "SOLEIMANI, Qasem", "person")
    assert result.match
    assert DEFAULT_THRESHOLD <= result.score <= 1.0


def test_organisation_transliteration_variants_match() -> None:
    assert compare("Kataib Hizbullah", "KATA'IB HIZBALLAH", "organization").match
    assert compare("Kataib Hezbollah", "KATA'IB HIZBALLAH", "organization").match
    assert compare("Asaib Ahl al-Haq", "ASA'IB AHL AL-HAQ", "organization").match


def test_article_written_apart_glued_or_absent_is_the_same_name() -> None:
    assert compare("Qays al Khazali", "AL-KHAZALI, Qays", "person").match
    assert compare("Qais Alkhazali", "AL-KHAZALI, Qais", "person").match
    assert compare("Qais Khazali", "AL-KHAZALI, Qais", "person").match


def test_a_different_given_name_with_the_same_family_name_does_not_match() -> None:
    assert not compare("Qais al Khazali", "AL-KHAZALI, Laith", "person").match
    assert not compare("Qassem Suleimani", "SOLEIMANI, Sohrab", "person").match
    assert not compare("Ali Khamenei", "KHAMENEI, Mojtaba", "person").match


def test_a_different_fathers_name_in_a_long_name_does_not_match() -> None:
    listed = "Abu Mahdi bin Jamal al-Muhandis"
    assert compare("Abu Mahdi bin Jamal al-Muhandis", listed, "person").match
    assert not compare("Abu Mahdi bin Hadi al-Muhandis", listed, "person").match


def test_bearer_and_father_swapped_is_another_person() -> None:
    assert compare("Musab bin Omair", "Musab Bin Omair", "person").match
    assert not compare("Omair bin Musab", "Musab Bin Omair", "person").match


def test_other_scripts_find_the_latin_spelling() -> None:
    assert compare("قاسم سليماني", "SOLEIMANI, Qasem", "person").match
    assert compare("Касем Сулеймани", "SOLEIMANI, Qasem", "person").match
    assert compare("Али Хаменеи", "KHAMENEI, Ali", "person").match


def test_a_title_is_dropped_and_explained() -> None:
    result = compare("Ayatollah Ali Khamenei", "KHAMENEI, Ali Husseini", "person")
    assert result.match
    assert result.explanation["name1"]["titles_dropped"] == ["ayatollah"]


def test_a_shorter_form_of_a_listed_name_still_matches() -> None:
    assert compare("Ali Khamenei", "KHAMENEI, Ali Husseini", "person").match


def test_one_word_does_not_identify_a_person() -> None:
    assert not compare("Soleimani", "SOLEIMANI, Qasem", "person").match


def test_legal_form_differences_do_not_stop_an_organisation_match() -> None:
    assert compare("Kata'ib Hizballah LLC", "KATA'IB HIZBALLAH", "organization").match


def test_explanation_lists_normal_forms_alignment_unmatched_parts_and_penalties() -> None:
    result = compare("Qais al Khazali", "AL-KHAZALI, Laith", "person")
    explanation = result.explanation
    assert explanation["name1"]["parts"] == ["qais", "khazali"]
    assert explanation["name2"]["normalized"] == "laith khazali"
    assert explanation["name2"]["reordered"] is True
    assert {"name1_part": "khazali", "name2_part": "khazali", "similarity": 1.0,
            "weight": 1.0} in explanation["aligned"]
    assert [u["part"] for u in explanation["unmatched_name1"]] == ["qais"]
    assert [u["part"] for u in explanation["unmatched_name2"]] == ["laith"]
    assert {p["penalty"] for p in explanation["penalties"]} >= {"conflicting_parts"}
    assert explanation["threshold"] == DEFAULT_THRESHOLD
    assert explanation["score"] == round(result.score, 4)


def test_threshold_can_be_given_per_call() -> None:
    loose = compare("Qais al Khazali", "AL-KHAZALI, Laith", "person", threshold=0.0)
    assert loose.match
    assert loose.explanation["threshold"] == 0.0


def test_scores_stay_in_range_for_odd_input() -> None:
    for left, right in [("", "SOLEIMANI, Qasem"), ("???", "!!!"), ("A", "B")]:
        result = compare(left, right)
        assert 0.0 <= result.score <= 1.0
        assert not result.match


def test_arabic_script_names_with_the_article_written_on_find_the_latin_spelling() -> None:
    assert compare("قيس الخزعلي", "AL-KHAZALI, Qais", "person").match
    assert compare("أبو مهدي المهندس", "AL-MUHANDIS, Abu Mahdi", "person").match
    # The article no longer hides a different given name.
    assert not compare("قيس الخزعلي", "AL-KHAZALI, Laith", "person").match


def test_explanation_figures_are_rounded_to_four_decimals() -> None:
    explanation = compare("Qassem Suleimani", "SOLEIMANI, Qasem", "person").explanation
    figures = [pair["similarity"] for pair in explanation["aligned"]]
    figures += [pair["weight"] for pair in explanation["aligned"]]
    assert figures
    assert all(figure == round(figure, 4) for figure in figures)


def test_comparing_without_explanation_gives_the_same_score() -> None:
    pairs = [("Qais al Khazali", "AL-KHAZALI, Laith"), ("Kataib Hezbollah", "KATA'IB HIZBALLAH")]
    for left, right in pairs:
        explained = compare(left, right)
        plain = compare(left, right, explain=False)
        assert plain.score == explained.score
        assert plain.explanation == {}


def test_theophoric_compounds_match_however_they_are_written() -> None:
    assert compare("Jamal al-Din al-Khazali", "Jamaluddin Khazali", "person").match
    assert compare("Nizamudin Khazali", "Nizam-ud-Din al-Khazali", "person").match
    assert compare("Jamal Dine Trading", "JAMAL AL-DIN TRADING", "organization").match


def test_compounds_with_different_stems_are_different_names() -> None:
    # "Servant of the Rich" and "servant of the Praised": alike as words, not as names.
    different = compare("Abdulghani Khazali", "Abdulhamid Khazali", "person")
    assert not different.match
    aligned = [pair for pair in different.explanation["aligned"]
               if pair["name1_part"] == "abdulghani"]
    assert not aligned  # the two compounds are not aligned as one part
    assert compare("Abdulghani Khazali", "Abdul Ghani al-Khazali", "person").match

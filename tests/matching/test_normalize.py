"""Normaliser unit tests, on names from the source documents and real SDN spellings."""

from service.matching.normalize import normalize_name
from service.matching.phonetics import phonetic_key, skeleton_key
from service.matching.vocabulary import canonical_abd


def parts(name: str, kind: str | None = None) -> list[str]:
    return [part.text for part in normalize_name(name, kind).parts]


def test_last_comma_first_is_reordered_and_article_dropped() -> None:
    normalized = normalize_name("AL-KHAZALI, Qais", "person")
    assert [p.text for p in normalized.parts] == ["qais", "khazali"]
    assert normalized.reordered
    assert "al" in normalized.particles


def test_legal_form_after_comma_is_not_a_given_name() -> None:
    normalized = normalize_name("ANGLO-CARIBBEAN CO., LTD.", "organization")
    assert not normalized.reordered
    assert [p.text for p in normalized.parts] == ["anglo", "caribbean"]
    assert normalized.legal_forms == ("limited",)


def test_titles_are_dropped_and_reported() -> None:
    normalized = normalize_name("Maj. Gen. Qassem Suleimani", "person")
    assert [p.text for p in normalized.parts] == ["qassem", "suleimani"]
    assert normalized.titles == ("maj", "gen")
    assert parts("Ayatollah Ali Khamenei", "person") == ["ali", "khamenei"]


def test_a_given_name_that_looks_like_a_title_elsewhere_is_kept() -> None:
    # Titles are only dropped at the start: "General" later in a name is a name word.
    assert parts("General Motors Company", "organization") == ["general", "motors"]
    assert parts("Al Green", "person") == ["al", "green"]


def test_apostrophes_and_ayn_marks_do_not_split_words() -> None:
    assert parts("KATA'IB HIZBALLAH", "organization") == ["kataib", "hizballah"]
    assert parts("ASA'IB AHL AL-HAQ", "organization") == ["asaib", "ahl", "haq"]
    assert parts("Asa‘ib Ahl al-Haq", "organization") == ["asaib", "ahl", "haq"]


def test_abd_compounds_are_fused_in_one_spelling() -> None:
    assert parts("Abd al Rahman") == parts("Abdulrahman") == ["abdulrahman"]
    assert canonical_abd("abdurrahman") == "abdulrahman"
    assert canonical_abd("abdelaziz") == "abdulaziz"


def test_patronymic_markers_are_dropped_and_roles_kept() -> None:
    normalized = normalize_name("Musab Bin Omair", "person")
    assert [p.text for p in normalized.parts] == ["musab", "omair"]
    assert normalized.roles == ("bearer", "father")


def test_scripts_are_transliterated() -> None:
    assert parts("Касем Сулеймани", "person") == ["kasem", "suleymani"]
    arabic = normalize_name("قاسم سليماني", "person")
    assert all(part.abjad for part in arabic.parts)
    assert [p.skeleton for p in arabic.parts] == ["ksm", "slmn"]


def test_fullwidth_and_case_are_folded() -> None:
    assert parts("ＳＯＬＥＩＭＡＮＩ, Qasem", "person") == ["qasem", "soleimani"]


def test_phonetic_key_folds_transliteration_variants() -> None:
    assert phonetic_key("qasem") == phonetic_key("kasem") == phonetic_key("ghasem")
    assert phonetic_key("suleimani") == phonetic_key("soleimani")
    assert phonetic_key("qassem") == phonetic_key("qasem")
    assert phonetic_key("hussein") != phonetic_key("hassan")
    assert skeleton_key(phonetic_key("muhandis")) == "mhnds"


def test_organisation_numbers_and_dotted_initials() -> None:
    assert parts("Brigade Forty-Four", "organization") == ["brigade", "44"]
    assert parts("A.B.C. Trading Co.", "organization") == ["abc", "trading"]

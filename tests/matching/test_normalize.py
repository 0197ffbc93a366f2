"""Normaliser unit tests, on names from the source documents and real SDN spellings."""

from service.matching.normalize import clear_caches, normalize_name
from service.matching.phonetics import phonetic_key
from service.matching.scripts import meeting_key
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


def test_mexican_sa_de_cv_after_comma_is_a_legal_form() -> None:
    # As the SDN writes it (entry 7162).
    normalized = normalize_name("VALPARK, S.A. DE C.V.", "organization")
    assert not normalized.reordered
    assert [p.text for p in normalized.parts] == ["valpark"]
    assert normalized.legal_forms == ("joint_stock",)


def test_legal_forms_are_recognised_with_a_typo_or_without_company() -> None:
    # SDN entry 7161's name, and Russian forms as the SDN writes them, as people type them.
    listed = normalize_name("OPERADORA VALPARK, S.A. DE C.V.", "organization")
    for typed in ("OPERADORA VALPARK S.A. DE C.V.", "OPERADORA VALPARK SA CV"):
        assert normalize_name(typed).legal_forms == listed.legal_forms
        assert parts(typed) == ["operadora", "valpark"]
    for typed, form in (("JOINT STOCK COMPNAY", "joint_stock"),
                        ("JOINT STOCK", "joint_stock"),
                        ("CLOSED JOINT STOCK", "joint_stock"),
                        ("OBSHCHESTVO S OGRANICHENNOI OTVETSTVENOSTYU", "limited"),
                        ("LIMITED LIABILITY COMAPNY", "limited")):
        assert normalize_name(f"{typed} VALPARK").legal_forms == (form,), typed
        assert parts(f"{typed} VALPARK") == ["valpark"], typed


def test_short_words_and_names_are_not_read_as_typed_legal_forms() -> None:
    # Short words are never read as typos, and a name of its own is kept.
    assert parts("COMPANI") == ["compani"]
    assert parts("SOLEIMANI, Qasem", "person") == ["qasem", "soleimani"]


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
    assert meeting_key("muhandis") == "mhnds"


def test_organisation_numbers_and_dotted_initials() -> None:
    assert parts("Brigade Forty-Four", "organization") == ["brigade", "44"]
    assert parts("A.B.C. Trading Co.", "organization") == ["abc", "trading"]


def test_phonetic_key_folds_letter_groups_before_single_letters() -> None:
    # "kh" is folded before "q", "ee" before "e"; "x" is spelt "ks"; doubled letters once.
    assert phonetic_key("khamenei") == "hamini"
    assert phonetic_key("sheeba") == phonetic_key("shiba")
    assert phonetic_key("alexei") == "aliksi"
    assert phonetic_key("mukhtar") != phonetic_key("muktar")


def test_skeleton_drops_vowels_and_doubled_consonants() -> None:
    assert meeting_key("abbas") == "bs"
    assert meeting_key("hezbollah") == meeting_key("hizballah")


def test_arabic_script_article_and_abd_are_read_as_latin_spellings_write_them() -> None:
    # "al-Muhandis" and "Abd al-Rahman" in Arabic script: the article is split off and
    # dropped, "عبد" becomes the "abd" of a compound.
    muhandis = normalize_name("أبو مهدي المهندس", "person")
    assert "al" in muhandis.particles
    assert muhandis.parts[-1].skeleton == "mhnds"
    assert parts("عبد الرحمن", "person")[0].startswith("abdul")
    # "الله" is a word of its own, not the article and "له".
    assert "al" not in normalize_name("الله", "person").particles


def test_arabic_word_final_ta_marbuta_reads_as_a() -> None:
    assert normalize_name("حمزة", "person").parts[0].skeleton == \
        normalize_name("Hamza", "person").parts[0].skeleton


def test_ascii_fast_path_gives_the_tokens_of_the_word_by_word_path() -> None:
    assert parts("QasemSoleimani", "person") == ["qasem", "soleimani"]
    assert parts("KATA`IB HIZBALLAH & Co.", "organization") == ["kataib", "hizballah"]
    assert parts("Asa'ib Ahl al-Haq", "organization") == parts("Asa‘ib Ahl al-Haq",
                                                                "organization")


def test_clear_caches_gives_equal_results_afterwards() -> None:
    before = normalize_name("SOLEIMANI, Qasem", "person")
    clear_caches()
    after = normalize_name("SOLEIMANI, Qasem", "person")
    assert after is not before
    assert after.parts == before.parts
    assert after.describe() == before.describe()


def test_description_is_a_fresh_dict_each_time() -> None:
    normalized = normalize_name("Qais al-Khazali", "person")
    first = normalized.describe()
    first["original"] = "changed"
    assert normalized.describe()["original"] == "Qais al-Khazali"


def test_ascii_and_general_phonetic_paths_agree() -> None:
    # ASCII keys are folded with byte tables, others with str.translate: the same folds.
    from service.matching.phonetics import _LETTER_FOLDS, undoubled

    for token in ("xaviero", "qwyeo", "soleimani", "ghasem", "pfvgab", "dzhokhar"):
        folded = token
        for source, target in (("kh", "h"), ("gh", "k"), ("dzh", "j")):
            folded = folded.replace(source, target)
        assert phonetic_key(token) == undoubled(folded.translate(_LETTER_FOLDS))
    assert phonetic_key("qwyeo\u00e9") == "kviu\u00e9"


def test_part_keys_are_the_keys_make_part_gives() -> None:
    from service.matching.normalize import make_part, part_keys

    for text, abjad in [("alkhazali", False), ("patrushev", False), ("lkhzly", True),
                        ("mohammed", False), ("x5", False)]:
        part = make_part(text, abjad)
        assert part_keys(text, abjad) == (part.phonetic, part.skeleton, part.bare)


def test_organisation_abbreviations_are_expanded_with_or_without_numbers() -> None:
    assert parts("Anglo-Caribbean Intl. Co.", "organization") == ["anglo", "caribbean",
                                                                   "international"]
    assert parts("Anglo-Caribbean Mfg. Fifth", "organization") == ["anglo", "caribbean",
                                                                   "manufacturing", "5"]
    # A person's name keeps its words: "St" is a name part there, not "Saint".
    assert parts("Ali St", "person") == ["ali", "st"]


def test_apostrophes_in_any_script_join_and_punctuation_splits() -> None:
    assert parts("Kata’ib Hizballah", "organization") == ["kataib", "hizballah"]
    assert parts("KATA'IB-HIZBALLAH", "organization") == ["kataib", "hizballah"]
    assert parts("Asa`ib Ahl al-Haq", "organization") == ["asaib", "ahl", "haq"]


def test_theophoric_compounds_written_apart_are_one_part() -> None:
    assert parts("Jamal al-Din al-Khazali", "person") == ["jamaluddin", "khazali"]
    assert parts("Jamal-ud-Din Khazali", "person") == ["jamaluddin", "khazali"]
    assert parts("Rahim Ullah Khazali", "person") == ["rahimullah", "khazali"]
    # After a bare name "Din" is a name of its own, not the half of a compound.
    assert parts("Mohammad Din Khazali", "person") == ["mohammad", "din", "khazali"]

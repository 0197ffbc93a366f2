"""General linguistic knowledge the normaliser uses: titles, particles, legal forms, numbers.

Every entry here is general knowledge of how names are written (honorifics, Arabic and
European particles, company legal forms in the languages sanctions lists use); none is taken
from, or aimed at, a particular listed name or test case. All entries are lower-case ASCII,
as they appear after transliteration.
"""

from __future__ import annotations

import re
from typing import Final

from service.matching.phonetics import deletions, phonetic_key

# Titles dropped only at the start of a name: elsewhere they may be real name parts
# ("Major" and "General" are surnames, "President" a street or company word).
LEADING_TITLES: Final[frozenset[str]] = frozenset({
    "mr", "mrs", "ms", "miss", "mister", "messrs", "mme", "mlle", "herr", "frau", "sr", "sra",
    "monsieur", "madame", "mademoiselle", "senor", "senora", "signor", "signora", "gospodin",
    "dr", "doctor", "prof", "professor", "sir", "dame", "lord", "lady", "hon", "honorable",
    "honourable", "rev", "reverend", "fr", "father", "excellency",
    "gen", "general", "lt", "lieutenant", "col", "colonel", "maj", "major", "capt", "captain",
    "cmdr", "commander", "adm", "admiral", "brig", "brigadier", "sgt", "sergeant", "cpl",
    "marshal", "field", "gov", "governor", "sen", "senator", "rep", "minister", "eng",
    "engineer", "president", "presidente", "praesident", "prasident", "prezident", "prezydent",
    "presidentti", "presiden", "predsjednik", "presedintele", "elnok", "emir", "imam", "qari",
    "mufti", "dato", "datuk",
    # Vessel prefixes (motor vessel, motor tanker, steamship, fishing vessel).
    "mv", "mt", "ss", "fv",
})

# Religious and honorific titles dropped wherever they stand: lists put them mid-name too.
HONORIFICS: Final[frozenset[str]] = frozenset({
    "sheikh", "shaikh", "shaykh", "sheik", "shaik", "cheikh", "haji", "hajji", "hadji", "alhaji",
    "alhaj", "mullah", "mulla", "molla", "mawlawi", "maulawi", "mawlavi", "maulvi", "molvi",
    "maulana", "mawlana", "ayatollah", "ayatullah", "ayatolah", "hojatoleslam", "hojjatoleslam",
    "hujjatulislam",
})

# The Arabic definite article as a separate word (after hyphens are split off).
ARTICLES: Final[frozenset[str]] = frozenset({"al", "el", "ul"})
# Articles that may be glued to the following word ("Alkhazali").
ATTACHED_ARTICLES: Final[tuple[str, ...]] = ("al", "el")
# The article assimilated to a following sun letter ("ad-Din", "as-Sayyid", "ash-Shami").
SUN_LETTER_ARTICLES: Final[frozenset[str]] = frozenset({
    "ad", "ar", "as", "ash", "at", "az", "an", "ath", "adh", "ed", "er", "es", "esh", "et",
    "ez", "en", "ud", "ur", "us", "un", "uz",
})
# "Son of" / "daughter of" markers between a given name and a father's or family name.
PATRONYMIC_MARKERS: Final[frozenset[str]] = frozenset({
    "bin", "ibn", "bn", "ben", "bint", "binti", "ould", "walad",
})
# The markers that are never a given name themselves ("Ben" is one).
ARABIC_PATRONYMICS: Final[frozenset[str]] = frozenset({
    "bin", "ibn", "bn", "bint", "binti", "ould",
})
# Forms of "abd" ("servant of") that start a compound with the next word.
ABD_FORMS: Final[frozenset[str]] = frozenset({
    "abd", "abdel", "abdul", "abdal", "abdol", "abdu", "abdur",
})
# European nobiliary and connecting particles inside personal names.
NOBILIARY_PARTICLES: Final[frozenset[str]] = frozenset({
    "von", "van", "der", "den", "de", "da", "di", "du", "dos", "das", "do", "del", "della",
    "des", "la", "le", "ter", "ten", "zu", "y", "e",
})
# Connecting words of organisation names ("Bank of China", "Marks and Spencer").
ORGANIZATION_STOPWORDS: Final[frozenset[str]] = frozenset({
    "the", "of", "and", "for", "in", "on", "at", "to", "de", "des", "du", "la", "le", "les",
    "el", "los", "las", "del", "der", "die", "das", "und", "y", "et", "e", "i", "da", "do",
    "dos", "di", "della", "och", "og", "en",
})

# Words that are particles wherever they stand; kept as parts only at a name's start.
PARTICLE_WORDS: Final[frozenset[str]] = (
    ARTICLES | PATRONYMIC_MARKERS | SUN_LETTER_ARTICLES | NOBILIARY_PARTICLES
)

_ABD_ARTICLE: Final = re.compile(r"^[aeiou](?:l|([dnrstz])(?=\1))")


def canonical_abd(token: str, fused: bool = False) -> str:
    """Gives an "abd" compound in one spelling of its article ("abd al rahman",
    "abdurrahman", "abdelrahman" → "abdulrahman"), the one most often written."""
    rest = token[3:]
    stripped = _ABD_ARTICLE.sub("", rest)
    # `fused`: "abd" and the next word were written apart, so the rest is a name for sure.
    if len(stripped) >= 3 and (stripped != rest or fused):
        return "abdul" + stripped
    return token


# Theophoric compounds: "servant of" and a divine name ("Abdulhamid"), or a name and "of the
# faith" or "of God" ("Shamsuddin", "Hamidullah"). Each is one name part: written apart
# ("Abd al-Hamid", "Saif al-Din", "Hamid Ullah") it is written together, in the spelling most
# often seen (`canonical_abd`, `COMPOUND_HALVES`). Two compounds of one kind whose stems, the
# other halves, differ outright are different names however alike the whole words look:
# "Abdulhamid" and "Abdulghani", "Shamsuddin" and "Shahabuddin".
ABD_KIND: Final = "abdul"  # as `canonical_abd` writes every "abd" compound
FAITH_KIND: Final = "uddin"
GOD_KIND: Final = "ullah"
# The halves written as words of their own, and the suffix a compound is written with.
COMPOUND_HALVES: Final[dict[str, str]] = {
    "din": FAITH_KIND, "deen": FAITH_KIND, "dine": FAITH_KIND, "uddin": FAITH_KIND,
    "eddin": FAITH_KIND, "eddine": FAITH_KIND, "addin": FAITH_KIND, "eldin": FAITH_KIND,
    "aldin": FAITH_KIND, "uldin": FAITH_KIND,
    "allah": GOD_KIND, "ullah": GOD_KIND, "ollah": GOD_KIND,
}
# Halves that make a compound only after an article or link ("Saif al-Din", "Saif-ud-Din"):
# after a bare name, "Din" is a name of its own ("Mohammad Din").
HALVES_AFTER_LINK_ONLY: Final = frozenset({"din", "deen", "dine"})
# Articles and linking syllables between a name and its half ("Saif-ud-Din", "Shahab-u-Din").
COMPOUND_LINKS: Final = frozenset({"al", "el", "ul", "ol", "ad", "ed", "ud", "id", "u", "e"})
# The shortest name that forms a compound with a half written apart ("Taj al-Din").
MIN_COMPOUND_NAME: Final = 3
# The halves as written on to a name, in the spellings of Arabic, Persian, Urdu, Pashto and
# Turkish names ("Nureldine", "Emadoddin", "Bahattin", "Asadollahi"), longest first. Not
# "-adin", "-odin", "-idin", "-alla": they end other names ("Saladin", "Mujahidin").
_COMPOUND_ENDINGS: Final[tuple[tuple[str, str], ...]] = tuple(sorted(
    [(ending, FAITH_KIND) for ending in (
        "uddeen", "uldeen", "aldeen", "eldeen", "eddine", "aldine", "eldine", "uldine",
        "uddin", "eddin", "iddin", "oddin", "addin", "aldin", "eldin", "uldin", "udeen",
        "edine", "ettin", "attin", "ittin", "uttin", "udin", "edin")]
    + [(ending, GOD_KIND) for ending in (
        "ullahi", "allahi", "ollahi", "ullah", "allah", "ollah", "illah", "ulla", "ulah")],
    key=lambda pair: -len(pair[0]),
))
# The last letters of every ending: a cheap first test before the endings themselves.
_ENDING_TAILS: Final = tuple(sorted({ending[-2:] for ending, _ in _COMPOUND_ENDINGS}))
# Stems compared apart only from this long: short ones are too often the divine name itself
# ("abdul" + "lah") or vowel variants of one name ("Abdulhaq", "Abdulheq").
MIN_COMPARED_STEM: Final = 4


def compound_stem(token: str) -> tuple[str, str] | None:
    """Gives (kind, stem) of a theophoric compound whose stem is long enough to compare
    ("abdulhamid" → ("abdul", "hamid"), "shamsuddin" → ("uddin", "shams")), or None."""
    if token.startswith(ABD_KIND):
        if len(token) - len(ABD_KIND) >= MIN_COMPARED_STEM:
            return ABD_KIND, token[len(ABD_KIND):]
        return None
    if not token.endswith(_ENDING_TAILS):
        return None
    for ending, kind in _COMPOUND_ENDINGS:
        if token.endswith(ending):
            if len(token) - len(ending) >= MIN_COMPARED_STEM:
                return kind, token[:-len(ending)]
            return None
    return None


# Legal-form words up to this long are looked up as written, longer ones by phonetic key.
SHORT_LEGAL_FORM_WORD: Final = 4


# Legal-form words at least this long are recognised with one typo (a letter dropped, added,
# changed or two swapped: "compnay", "otvetstvenostyu"), as people type them.
TYPO_LEGAL_FORM_WORD: Final = 7


def _spelt_key(word: str) -> str:
    """Gives the look-up key of a legal-form word as written: phonetic for words, exact for
    short ones."""
    # Spelling variants of long words ("otvetstvennostyu", "otvetstvennostiu") must agree,
    # but folding short abbreviations would confuse them ("ooo" and the initial "o").
    return phonetic_key(word) if len(word) > SHORT_LEGAL_FORM_WORD else word


def _form_key(word: str) -> str:
    """Gives the look-up key of a legal-form word: its own key, or the key of the long
    legal-form word it is one typo from (`TYPO_LEGAL_FORM_WORD`)."""
    key = _FORM_KEYS.get(word)
    if key is not None:
        return key
    key = _spelt_key(word)
    if len(word) >= TYPO_LEGAL_FORM_WORD and key not in _LONG_FORM_KEYS:
        # Keys one deletion apart either way, or sharing a deletion: one edit. (An ambiguous
        # deletion maps to "", left out with the ones that map to nothing.)
        near = {found for deletion in deletions(key) | {key}
                if (found := _TYPO_KEYS.get(deletion))}
        if len(near) == 1:
            key = near.pop()
    if len(_FORM_KEYS) >= _FORM_KEYS_REMEMBERED:
        _FORM_KEYS.clear()
    _FORM_KEYS[word] = key
    return key


def _forms(canonical: str, *phrases: str) -> dict[tuple[str, ...], str]:
    return {tuple(_spelt_key(w) for w in phrase.split()): canonical for phrase in phrases}


# Legal forms → canonical class. Classes group forms that mean the same kind of company
# across languages, so "AG" ≡ "Aktiengesellschaft" and "OOO" ≡ "LLC", while "AG" ≢ "GmbH".
LEGAL_FORMS: Final[dict[tuple[str, ...], str]] = {
    **_forms(
        "limited",
        "ltd", "limited", "llc", "l l c", "limited liability company", "limited company",
        "co ltd", "company limited", "ooo", "obshchestvo s ogranichennoi otvetstvennostiu",
        "obshchestvo s ogranichennoy otvetstvennostyu", "tov", "too", "gmbh",
        "gesellschaft mit beschrankter haftung", "srl", "sarl", "sro", "s r o", "spolka z o o",
        "sp z o o", "sp zoo", "sp z oo", "spolka z ograniczona odpowiedzialnoscia", "pte",
        "pte ltd",
        "pvt", "pvt ltd", "private limited", "pty", "pty ltd", "bv", "kft", "doo", "d o o",
        "societatea cu raspundere limitata", "sociedad de responsabilidad limitada",
        "ltda", "limitada", "s de rl", "s de rl de cv", "sdn bhd", "bhd", "berhad", "lp", "llp",
        "kg",
        "limited partnership", "fze", "fzco", "fzc", "fz llc", "fzllc", "free zone establishment",
        "free zone company", "wll", "w l l", "eood", "ood",
    ),
    **_forms(
        "joint_stock",
        "jsc", "ojsc", "cjsc", "pjsc", "ao", "oao", "zao", "pao", "jsco", "jstc",
        "joint stock company", "open joint stock company", "closed joint stock company",
        "public joint stock company", "aktsionernoe obshchestvo",
        "otkrytoe aktsionernoe obshchestvo", "zakrytoe aktsionernoe obshchestvo",
        "publichnoe aktsionernoe obshchestvo", "ag", "aktiengesellschaft", "sa", "s a",
        "societe anonyme", "sociedad anonima", "spa", "societa per azioni", "nv",
        # A joint-stock company written without "company".
        "joint stock", "open joint stock", "closed joint stock", "public joint stock",
        # Mexico's sociedad anónima de capital variable, with and without its "de".
        "sa de cv", "s a de c v", "sa cv", "s a c v", "sociedad anonima de capital variable",
        "sapi de cv",
        "naamloze vennootschap", "plc", "public limited company", "asa", "ab", "oy", "oyj",
        "se", "psc", "pjs", "ad", "a d", "dd", "d d", "as", "a s", "tas",
    ),
    **_forms(
        "company",
        "co", "company", "corp", "corporation", "inc", "incorporated", "cie", "cia",
        "compania", "companhia", "compagnie", "kk", "kabushiki kaisha",
    ),
    **_forms("nonprofit", "ano", "ngo", "nko"),
}
# The keys of the long legal-form words, and the keys one deletion from each (a deletion
# shared by two words is no evidence for either).
_LONG_FORM_KEYS: Final = frozenset(key for phrase in LEGAL_FORMS for key in phrase
                                   if len(key) >= TYPO_LEGAL_FORM_WORD - 1)
_AMBIGUOUS: Final = ""


def _typo_keys() -> dict[str, str]:
    found: dict[str, str] = {}
    for key in _LONG_FORM_KEYS:
        for deletion in deletions(key) | {key}:
            found[deletion] = key if found.get(deletion, key) == key else _AMBIGUOUS
    return found


_TYPO_KEYS: Final = _typo_keys()
# Words' keys remembered (then forgotten all at once): a list's names repeat their words.
_FORM_KEYS: dict[str, str] = {}
_FORM_KEYS_REMEMBERED: Final = 100_000
_MAX_LEGAL_FORM_WORDS: Final = max(len(phrase) for phrase in LEGAL_FORMS)
_LEGAL_FORM_FIRST_KEYS: Final = frozenset(phrase[0] for phrase in LEGAL_FORMS)


def legal_form_at(
    tokens: list[str], start: int, keys: list[str] | None = None
) -> tuple[int, str | None]:
    """Gives (token count, canonical class) of the longest legal form at `start`, or (0, None).

    `keys` are the tokens' look-up keys (`legal_form_keys`) when the caller has them already.
    """
    if keys is None:
        keys = legal_form_keys(tokens[start:start + _MAX_LEGAL_FORM_WORDS])
        start_key = 0
    else:
        start_key = start
    if keys[start_key] not in _LEGAL_FORM_FIRST_KEYS:
        return 0, None
    window = tuple(keys[start_key:start_key + _MAX_LEGAL_FORM_WORDS])
    for length in range(len(window), 0, -1):
        canonical = LEGAL_FORMS.get(window[:length])
        if canonical is not None:
            return length, canonical
    return 0, None


def legal_form_keys(tokens: list[str]) -> list[str]:
    """Gives the legal-form look-up key of each token."""
    return [_form_key(token) for token in tokens]


# The short words that start a legal form (their key is the word itself).
SHORT_LEGAL_FORM_STARTS: Final = frozenset(
    key for key in _LEGAL_FORM_FIRST_KEYS if len(key) <= SHORT_LEGAL_FORM_WORD)


def may_start_legal_form(word: str) -> bool:
    """Gives whether a legal form may start with this word."""
    return _form_key(word) in _LEGAL_FORM_FIRST_KEYS


def may_hold_legal_form(keys: list[str]) -> bool:
    """Gives whether any of these look-up keys can start a legal form."""
    return not _LEGAL_FORM_FIRST_KEYS.isdisjoint(keys)


# Number words and ordinals (English), for "First Bank" ≡ "1st Bank", "Forty-Four" ≡ "44".
NUMBER_WORDS: Final[dict[str, int]] = {
    word: value
    for value, words in enumerate([
        ("zero",), ("one", "first"), ("two", "second"), ("three", "third"),
        ("four", "fourth"), ("five", "fifth"), ("six", "sixth"), ("seven", "seventh"),
        ("eight", "eighth"), ("nine", "ninth"), ("ten", "tenth"), ("eleven", "eleventh"),
        ("twelve", "twelfth"), ("thirteen", "thirteenth"), ("fourteen", "fourteenth"),
        ("fifteen", "fifteenth"), ("sixteen", "sixteenth"), ("seventeen", "seventeenth"),
        ("eighteen", "eighteenth"), ("nineteen", "nineteenth"),
    ])
    for word in words
}
NUMBER_WORDS.update({
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "twentieth": 20, "thirtieth": 30, "fortieth": 40,
    "fiftieth": 50, "hundred": 100,
})

# Roman numerals of two or more letters (single "I", "V", "X" are more often initials).
ROMAN_NUMERALS: Final[dict[str, int]] = {
    numeral: value
    for value, numeral in enumerate(
        ["", "", "ii", "iii", "iv", "", "vi", "vii", "viii", "ix", "", "xi", "xii", "xiii",
         "xiv", "xv", "xvi", "xvii", "xviii", "xix", "xx"]
    )
    if numeral
}

# Abbreviations common in organisation names.
ABBREVIATIONS: Final[dict[str, str]] = {
    "intl": "international", "int": "international", "natl": "national", "mfg": "manufacturing",
    "assn": "association", "assoc": "association", "bros": "brothers", "dept": "department",
    "govt": "government", "univ": "university", "inst": "institute", "ind": "industries",
    "inds": "industries", "svcs": "services", "svc": "service", "hldgs": "holdings",
    "hldg": "holding", "grp": "group", "mgmt": "management", "tech": "technology",
    "co-op": "cooperative", "coop": "cooperative", "st": "saint", "ste": "sainte",
}

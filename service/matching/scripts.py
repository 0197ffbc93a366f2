"""Names written in other scripts, brought to where they meet their Latin spellings.

By what a script writes:

- Arabic script (Arabic, Persian, Urdu, Pashto) writes consonants and long vowels but not short
  vowels, and joins the article and some compounds to the next word. `arabic_script_words`
  reads a word letter by letter into ASCII with one code per letter class (the Persian and
  Urdu letters folded into their Arabic ones, hamza seats, tāʾ marbūṭa, alif maqṣūra, tatweel,
  diacritics and joiners handled), splits the article and the joined halves of compounds
  ("عبد…", "…الله", "…الدين") off as the words Latin spellings write, and gives "bin", "ibn",
  "abu", "umm", "abd" in the spellings the rest of the normaliser knows.
  `abjad_latin_similarity` then aligns the letters of such a word with a Latin spelling: each
  Arabic letter may stand for the small set of Latin spellings it is written with (ق as q, k,
  g; ح as h; و as w, u, o, v; ي as y, i, e), short vowels the Arabic does not write cost
  nothing, a long vowel it writes but the Latin drops costs nearly as much as a consonant
  either side lacks. Hebrew is read by the same letter classes.
- Alphabets with vowels are transliterated by ICU (PyICU) where it writes names as their
  Latin spellings do: Cyrillic with the BGN/PCGN romanisation of the language its letters
  show (Russian, Ukrainian, Belarusian), Armenian, Georgian, and Japanese kana; the other
  scripts through anyascii (and all of them if ICU is missing).
- Syllabic scripts (Han, Hangul, kana) and the abugidas of South-East Asia sound a name out
  syllable by syllable: `syllabic_latin_similarity` compares it with a Latin spelling on
  consonant classes, and Hangul also on the folds of the Korean romanisation systems.

`meeting_key` is the form both sides reduce to for retrieval: the consonants by class, with
vowels, w, y and the unwritten letters gone, so that "التكريتي" and "al-Tikriti" both give
"tkrt". Index look-ups use it; scoring uses the finer alignment.
"""

from __future__ import annotations

import threading
from typing import Any, Final

from anyascii import anyascii
from rapidfuzz.distance import OSA

from service.matching.phonetics import undoubled, undoubled_ascii

_osa_distance: Final = OSA.distance

# ICU's transliterators, made on first use per script (their construction parses rule sets).
_ICU_RULES: Final = {
    "russian": "Russian-Latin/BGN; Latin-ASCII",
    "ukrainian": "Ukrainian-Latin/BGN; Latin-ASCII",
    "belarusian": "Belarusian-Latin/BGN; Latin-ASCII",
    "any": "Any-Latin; Latin-ASCII",
}
# One set per thread: an ICU transliterator keeps working state while it runs, and the service
# screens in several threads (web workers, job runners).
_THREAD_TRANSLITERATORS: Final = threading.local()
# Letters only one Cyrillic language writes: they pick its romanisation.
_UKRAINIAN_LETTERS: Final = frozenset("їєґЇЄҐ")
_BELARUSIAN_LETTERS: Final = frozenset("ўЎ")
_UKRAINIAN_OR_BELARUSIAN: Final = frozenset("іІ")


def _transliterator(language: str) -> Any:
    """Gives the calling thread's ICU transliterator for a language key, or None without
    PyICU."""
    made: dict[str, Any] | None = getattr(_THREAD_TRANSLITERATORS, "made", None)
    if made is None:
        made = _THREAD_TRANSLITERATORS.made = {}
    if language in made:
        return made[language]
    try:
        import icu
    except ImportError:  # pragma: no cover - PyICU is a dependency; anyascii stands in
        transliterator = None
    else:
        transliterator = icu.Transliterator.createInstance(_ICU_RULES[language])
    made[language] = transliterator
    return transliterator


def _cyrillic_language(word: str) -> str:
    """Gives which Cyrillic romanisation fits a word, by the letters it writes."""
    letters = set(word)
    if letters & _UKRAINIAN_LETTERS:
        return "ukrainian"
    if letters & _BELARUSIAN_LETTERS:
        return "belarusian"
    if letters & _UKRAINIAN_OR_BELARUSIAN:
        # "і" without "ї", "є", "ґ": Ukrainian when it also writes "и", which Belarusian has
        # not (it writes "і" and "ы").
        return "ukrainian" if letters & set("иИ") else "belarusian"
    return "russian"


def is_cyrillic(char: str) -> bool:
    code = ord(char)
    return 0x0400 <= code <= 0x052F


# Scripts ICU romanises as Latin spellings of names are written (BGN/PCGN for Cyrillic by
# language; Armenian, Georgian; kana, with its small letters: ジャ "ja", not "jiya"): others
# (Indic scripts, whose inherent final vowel anyascii drops as Hindi does; Han, which ICU
# writes syllable by syllable; Thai, Burmese, Ethiopic, …) read better through anyascii.
_ICU_SCRIPT_RANGES: Final = ((0x0400, 0x052F), (0x0530, 0x058F), (0x10A0, 0x10FF),
                             (0x1C90, 0x1CBF), (0x3040, 0x30FF), (0x31F0, 0x31FF))


def icu_latin(word: str) -> str:
    """Gives the ASCII transliteration of a word: ICU for the scripts above, anyascii for
    the rest (and for all without PyICU)."""
    language = ""
    for char in word:
        if char.isalpha():
            code = ord(char)
            if is_cyrillic(char):
                language = _cyrillic_language(word)
            elif any(low <= code <= high for low, high in _ICU_SCRIPT_RANGES):
                language = "any"
            break
    transliterator = _transliterator(language) if language else None
    if transliterator is None:
        return anyascii(word)
    # ICU marks a small kana it has no romanisation for with "~" (ドゥ "do~u"): a letter of
    # the word, not a break in it.
    latin = transliterator.transliterate(word).replace("~", "")
    if language == "belarusian":
        latin = _russian_forms(latin)
    # ICU leaves what it has no rule for (rare letters, symbols): anyascii takes the rest.
    return latin if latin.isascii() else anyascii(latin)


def _russian_forms(latin: str) -> str:
    """Gives a romanised Belarusian word in the forms of the Russian names that Latin
    spellings of Belarusian names mostly follow: Belarusian says "dz" and "ts" where Russian
    says a soft "d" and "t" (dzekanne, tsekanne: Tsimafei, Timofei), and writes "u" where
    Russian writes "v" before a consonant at the start of a word (Uladzislau, Vladislav)."""
    lowered = latin.lower()
    lowered = lowered.replace("dzi", "di").replace("dze", "de").replace("tsi", "ti") \
        .replace("tse", "te")
    if len(lowered) > 2 and lowered[0] == "u" and lowered[1] not in "aeiouy":
        lowered = "v" + lowered[1:]
    return lowered


# --- Arabic script -------------------------------------------------------------------------

# Each Arabic-script letter as one ASCII code of its class. Persian, Urdu and Pashto letters
# are written as the Arabic letters they are said as; alif maqṣūra as yāʾ, as Persian and
# Urdu write it (the alignment reads a final one as "a" too); alif with or without hamza
# alike, since writers often leave the hamza out ("a" aligns with any Latin vowel); ʿayn
# and hamza elsewhere are not written in Latin spellings, or only as apostrophes. "dh" is
# the class of the dental fricatives and emphatics (ذ ض ظ: d, dh, z, th in Latin).
_ARABIC_LETTERS: Final[dict[str, str]] = {
    "ا": "a", "آ": "a", "أ": "a", "ٱ": "a", "إ": "a", "ؤ": "", "ئ": "", "ء": "",
    "ب": "b", "پ": "p", "ت": "t", "ٹ": "t", "ث": "th", "ج": "j", "چ": "ch", "ح": "h",
    "خ": "kh", "د": "d", "ڈ": "d", "ډ": "d", "ذ": "dh", "ر": "r", "ڑ": "r", "ړ": "r",
    "ز": "z", "ژ": "zh", "ږ": "zh", "ځ": "z", "س": "s", "ش": "sh", "ښ": "sh", "څ": "s",
    "ص": "s", "ض": "dh", "ط": "t", "ظ": "dh", "ع": "", "غ": "gh", "ف": "f", "ڤ": "v",
    "ق": "q", "ك": "k", "ک": "k", "گ": "g", "ګ": "g", "ڨ": "g", "ڭ": "g", "ل": "l",
    "م": "m", "ن": "n", "ں": "n", "ڼ": "n", "ه": "h", "ھ": "h", "ہ": "h", "ۀ": "h",
    "ة": "a", "ۃ": "a", "و": "w", "ۇ": "w", "ۆ": "w", "ۄ": "w", "ي": "y", "ی": "y",
    "ې": "y", "ۍ": "y", "ے": "y", "ۓ": "y", "ى": "y"
}
# Short-vowel marks, shadda, sukun, small high letters, tatweel and joiners: not letters.
_ARABIC_SILENT: Final = frozenset(
    [chr(code) for code in range(0x064B, 0x0660)] + [chr(code) for code in range(0x06D6, 0x06EE)]
    + ["\u0640", "\u200c", "\u200d", "\u200e", "\u200f", "\u0670"]
)
_ALIF_LAM: Final = "ال"
# The shortest word (article included) in which a leading "ال" is the article: "الله"
# (Allah) and "الی" are words of their own.
_MIN_ARTICLE_WORD: Final = 5
# Words of naming that Latin spellings write as words of their own, in the spellings the
# normaliser's vocabulary knows: "son of", "father of", "mother of", "servant of", God, and
# "al-Din" (of the faith), which is written on to a name as well as apart.
_ARABIC_NAME_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "بن": ("bin",), "ابن": ("ibn",), "بنت": ("bint",), "ابو": ("abu",), "ابي": ("abi",),
    "ام": ("umm",), "عبد": ("abd",), "الله": ("allah",), "اله": ("allah",),
    "الدين": ("al", "din"), "ال": ("al",), "آل": ("al",),
    # Titles, in the spellings the normaliser drops as titles ("حاجي" Haji, "ملا" Mullah).
    "حاجي": ("haji",), "حاج": ("haji",), "الحاج": ("alhaj",), "ملا": ("mullah",),
    "قاري": ("qari",), "شيخ": ("sheikh",), "الشيخ": ("sheikh",), "مولوي": ("mawlawi",),
    "مولانا": ("maulana",),
}
# The titles among them (the normaliser drops these, and only these, from Arabic-script names).
ARABIC_SCRIPT_TITLES: Final = frozenset(
    {"haji", "alhaj", "mullah", "qari", "sheikh", "mawlawi", "maulana"})
# Prefixes written on to the next name ("عبدالرحمن", "ابوبكر"): split off when a name of at
# least this many letters follows.
_JOINED_PREFIXES: Final = (("عبد", "abd"), ("ابو", "abu"))
_MIN_JOINED_REST: Final = 2
# Halves written on to the end of a name ("خيرالله", "صلاحالدين").
# "عبد" ends a word when the writer joined it to the name before ("محمدعبد البصير").
_JOINED_SUFFIXES: Final = (("الدين", ("al", "din")), ("الله", ("allah",)), ("عبد", ("abd",)))
# The conjunction "and" written on to a word with the article ("والمسلمين": wa al-Muslimin).
_AND_ARTICLE: Final = "وال"
_MIN_JOINED_STEM: Final = 2


def _arabic_letters(word: str) -> str:
    """Gives a word with Persian, Urdu and Pashto letters and hamza seats as the Arabic letters
    the name-word tables use (ی → ي, ک → ك, أ → ا), marks and joiners removed."""
    kept = []
    for char in word:
        if char in _ARABIC_SILENT:
            continue
        if char in "أإآٱ":
            char = "ا"
        elif char in "یېۍےۓى":
            # (alif maqṣūra too: Persian and Urdu write it for a final yāʾ, "حاجى")
            char = "ي"
        elif char in "کګ":
            char = "ك"
        elif char in "ھہۀ":
            char = "ه"
        kept.append(char)
    return "".join(kept)


def _arabic_ascii(letters: str) -> str:
    """Gives the ASCII codes of Arabic-script letters (anything else through anyascii)."""
    codes = []
    last = len(letters) - 1
    for position, char in enumerate(letters):
        code = _ARABIC_LETTERS.get(char)
        if char == "ع" and position == 0 and last > 0 and letters[1] not in "اآأ":
            # A word-initial ʿayn before a consonant carries a short vowel that Latin
            # spellings write ("علي" Ali, "عمر" Umar, "عثمان" Uthman): written "e", a short
            # vowel to the alignment, so that no name loses its first sound ("mr").
            code = "e"
        elif code is None:
            code = anyascii(char)
        elif char in "هھہ" and position == last and position > 1:
            # A word-final hāʾ is mostly the ending said "a"/"e" ("زاده" zada, "زينيه"
            # Zeiniye), also written in Latin as "ah"/"eh": a vowel that may show an "h".
            # After a long ā it is a consonant ("شاه" Shah).
            code = "a" if letters[position - 1] != "ا" else "h"
        codes.append(code)
    return "".join(codes)


def arabic_script_words(word: str) -> list[str]:
    """Gives the ASCII words of one Arabic-script word, as Latin spellings write it apart
    ("التكريتي" → "al", "tkryty"; "عبدالرحمن" → "abd", "al", "rhmn"; "خيرالله" → "khyr",
    "allah")."""
    # Forms the original writes itself (hamza seats) matter for the ASCII codes, the
    # folded letters for recognising name words: both are kept.
    letters = _arabic_letters(word)
    originals = "".join(char for char in word if char not in _ARABIC_SILENT)
    if len(originals) != len(letters):
        originals = letters
    return _split_arabic(letters, originals)


def _split_arabic(letters: str, originals: str) -> list[str]:
    if not letters:
        return []
    named = _ARABIC_NAME_WORDS.get(letters)
    if named is not None:
        return list(named)
    for prefix, spelling in _JOINED_PREFIXES:
        if letters.startswith(prefix) and len(letters) - len(prefix) >= _MIN_JOINED_REST \
                and letters != prefix:
            rest = len(prefix)
            if prefix == "عبد" and letters[rest] in "ا" and len(letters) - rest < 4:
                break  # "عبدان" and the like: a name of its own
            return [spelling, *_split_arabic(letters[rest:], originals[rest:])]
    for suffix, halves in _JOINED_SUFFIXES:
        if letters.endswith(suffix) and len(letters) - len(suffix) >= _MIN_JOINED_STEM:
            stem = len(letters) - len(suffix)
            return [*_split_arabic(letters[:stem], originals[:stem]), *halves]
    if letters.startswith(_AND_ARTICLE) and len(letters) > _MIN_ARTICLE_WORD:
        return ["wa", *_split_arabic(letters[1:], originals[1:])]
    if letters.startswith(_ALIF_LAM) and len(letters) >= _MIN_ARTICLE_WORD:
        return ["al", *_split_arabic(letters[2:], originals[2:])]
    return [_with_participle_vowel(letters, _arabic_ascii(originals))]


# Letters that are long vowels or their seats, and word endings that are vowels.
_VOWEL_LETTERS: Final = frozenset("اوي")
_VOWEL_ENDINGS: Final = frozenset("ةي")


def _with_participle_vowel(letters: str, codes: str) -> str:
    """Gives the codes of a word of the pattern CāCiC (the active participle: ʿĀbid, Ḥāmid,
    Khālid, Ṭāhir, also with the endings -a, -ī: Sājida, Kāẓimī) with the short "i" the
    pattern puts before its last consonant, which Arabic script does not write but every
    Latin spelling does: "حامد" is "hamid", not "hamd" (and "عابد", "abid", is then no
    "abd", the "servant of" that starts a compound)."""
    stem = letters[:-1] if letters[-1:] in _VOWEL_ENDINGS and len(letters) == 5 else letters
    if len(stem) != 4 or stem[1] != "ا" or stem[2] in _VOWEL_LETTERS \
            or stem[3] in _VOWEL_LETTERS or stem[3] in "ه" or not codes.isalpha():
        return codes
    last = _ARABIC_LETTERS.get(stem[3], "")
    # The codes end with the last consonant's code and the ending's.
    ending = codes[len(codes) - (len(letters) - len(stem)):] if len(letters) > len(stem) else ""
    body = codes[:len(codes) - len(ending)]
    if not last or not body.endswith(last):
        return codes
    return body[:len(body) - len(last)] + "i" + last + ending


# Hebrew letters as the codes of the Arabic-script letters of the same classes (vav and
# yod are the semivowels and long vowels w and y; pe is p or f, "ph"; tsadi "ts").
_HEBREW_LETTERS: Final[dict[str, str]] = {
    "א": "a", "ב": "b", "ג": "g", "ד": "d", "ה": "h", "ו": "w", "ז": "z", "ח": "kh",
    "ט": "t", "י": "y", "כ": "k", "ך": "k", "ל": "l", "מ": "m", "ם": "m", "נ": "n", "ן": "n",
    "ס": "s", "ע": "", "פ": "ph", "ף": "ph", "צ": "ts", "ץ": "ts", "ק": "q", "ר": "r",
    "ש": "sh", "ת": "t",
}


def is_arabic_script(char: str) -> bool:
    code = ord(char)
    return 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0x08A0 <= code <= 0x08FF \
        or 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF


def abjad_words(word: str) -> list[str]:
    """Gives the ASCII words of a word in a script that writes no short vowels: Arabic script
    by `arabic_script_words`, Hebrew by its letter classes, others through anyascii."""
    first = next((char for char in word if char.isalpha()), "")
    if first and is_arabic_script(first):
        return arabic_script_words(word)
    if first and 0x05D0 <= ord(first) <= 0x05EA:
        codes = "".join(_HEBREW_LETTERS.get(char, "") if "\u05d0" <= char <= "\u05ea"
                        else anyascii(char) for char in word if not "\u0591" <= char <= "\u05c7")
        return [codes] if codes else []
    return [anyascii(word)]


# --- Alignment of an Arabic-script word with a Latin spelling ---------------------------------

# The Latin spellings each ASCII code of an Arabic-script letter stands for, with their cost
# (0: the usual spellings; more: spellings of other dialects or languages, or near sounds).
_VOWELS: Final = frozenset("aeiou")
_SPELLINGS: Final[dict[str, dict[str, float]]] = {
    # Long vowels and hamza seats (alif, wāw, yāʾ): a vowel or semivowel spelling.
    # (also tāʾ marbūṭa, said "-at" before the noun it is joined to: "Asbat al-Ansar")
    "a": {"a": 0.0, "aa": 0.0, "e": 0.0, "o": 0.0, "i": 0.0, "u": 0.0, "ah": 0.0, "eh": 0.0,
          "at": 0.2},
    "w": {"w": 0.0, "u": 0.0, "o": 0.0, "v": 0.0, "ou": 0.0, "oo": 0.0, "uu": 0.0, "ow": 0.0,
          "ew": 0.3, "f": 0.5},
    "y": {"y": 0.0, "i": 0.0, "e": 0.0, "ee": 0.0, "ii": 0.0, "iy": 0.0, "ey": 0.0, "ie": 0.0,
          "ai": 0.0, "j": 0.3},
    "b": {"b": 0.0, "p": 0.3, "v": 0.3},
    "p": {"p": 0.0, "b": 0.3},
    "t": {"t": 0.0, "th": 0.2, "d": 0.5},
    "th": {"th": 0.0, "t": 0.0, "s": 0.0, "ts": 0.3, "z": 0.5},
    "j": {"j": 0.0, "dj": 0.0, "g": 0.0, "dzh": 0.0, "zh": 0.3, "y": 0.3},
    "ch": {"ch": 0.0, "tch": 0.0, "tsh": 0.0, "c": 0.3, "sh": 0.3, "j": 0.5},
    "h": {"h": 0.0, "kh": 0.3, "ch": 0.5},
    "kh": {"kh": 0.0, "h": 0.0, "x": 0.0, "ch": 0.0, "k": 0.3, "q": 0.5, "g": 0.5},
    "d": {"d": 0.0, "dh": 0.0, "t": 0.5},
    "dh": {"dh": 0.0, "d": 0.0, "z": 0.0, "th": 0.0, "zh": 0.0, "dz": 0.0, "s": 0.5},
    "r": {"r": 0.0},
    "z": {"z": 0.0, "s": 0.3, "dh": 0.3, "zh": 0.3},
    "zh": {"zh": 0.0, "j": 0.0, "z": 0.0, "g": 0.3, "sh": 0.5},
    "s": {"s": 0.0, "c": 0.0, "ts": 0.3, "z": 0.3, "th": 0.3},
    "sh": {"sh": 0.0, "ch": 0.0, "sch": 0.0, "s": 0.5, "j": 0.5},
    "gh": {"gh": 0.0, "g": 0.0, "r": 0.5, "q": 0.3, "k": 0.5, "kh": 0.3},
    "f": {"f": 0.0, "ph": 0.0, "v": 0.0, "p": 0.3},
    "v": {"v": 0.0, "w": 0.0, "f": 0.0},
    "q": {"q": 0.0, "k": 0.0, "g": 0.0, "gh": 0.0, "c": 0.0, "ck": 0.0, "kh": 0.3},
    "k": {"k": 0.0, "c": 0.0, "ck": 0.0, "q": 0.0, "g": 0.3, "kh": 0.3, "ch": 0.3},
    "g": {"g": 0.0, "gu": 0.0, "gh": 0.0, "k": 0.3, "j": 0.3},
    "l": {"l": 0.0},
    # Hebrew pe and tsadi.
    "ph": {"p": 0.0, "f": 0.0, "ph": 0.0},
    "ts": {"ts": 0.0, "tz": 0.0, "z": 0.0, "s": 0.3, "c": 0.3},
    "m": {"m": 0.0, "n": 0.5},
    "n": {"n": 0.0, "m": 0.5},
}
# Codes of two letters that stand for one Arabic-script letter.
_DIGRAPH_CODES: Final = frozenset(code for code in _SPELLINGS if len(code) == 2)
# Cost of a letter one side has and the other does not: a consonant in full; a long vowel the
# Arabic writes and the Latin drops nearly as much (Latin spellings write long vowels:
# "Hasan" is "حسن", not "حسين");
# a short vowel the Latin writes nothing, since Arabic script does not write it; an "h" or a
# semivowel only the Latin writes a little (a final "-ah", a doubled "yy").
# Each letter the alignment could not pair counts this many times over: names have few
# consonants, and one that differs in a name of three ("حسين", "Hassan") is another name.
DISAGREEMENT_SCALE: Final = 1.5
MISSING_CONSONANT: Final = 1.0
# A final letter read as the other vowel ending spellings give it (see `_aligned_similarity`).
FINAL_VOWEL_VARIANT: Final = 0.2
MISSING_LONG_VOWEL: Final = 0.8
EXTRA_LATIN_SOFT: Final = 0.3
_SOFT_LATIN: Final = frozenset("hwy'")
# Weight of a long vowel in a word's length, against 1 for a consonant: it tells less.
_LONG_VOWEL_LENGTH: Final = 0.5
_LONG_VOWELS: Final = frozenset("awy")
# Remembered alignments (emptied when full): list names are compared with many queries.
ALIGNMENT_CACHE_SIZE: Final = 100_000
_ALIGNMENTS: Final[dict[tuple[str, str], float]] = {}


def _arabic_units(text: str) -> list[str]:
    """Gives the letter codes of an ASCII Arabic-script word ("khyrullah" → kh, y, r, u, l,
    l, a, h): a lower-case vowel other than "a" comes from a known spelling ("abdul…") and
    is a short vowel."""
    units: list[str] = []
    position = 0
    while position < len(text):
        pair = text[position:position + 2]
        if pair in _DIGRAPH_CODES:
            units.append(pair)
            position += 2
        else:
            units.append(text[position])
            position += 1
    return units


def abjad_latin_similarity(abjad: str, latin: str) -> float:
    """Gives how well an Arabic-script word (its ASCII codes) and a Latin spelling agree, in
    [0, 1]: one minus the cheapest alignment's cost over the longer length (consonants 1,
    long vowels ½)."""
    key = (abjad, latin)
    similarity = _ALIGNMENTS.get(key)
    if similarity is None:
        similarity = _align_cost(abjad, latin)
        if len(_ALIGNMENTS) >= ALIGNMENT_CACHE_SIZE:
            _ALIGNMENTS.clear()
        _ALIGNMENTS[key] = similarity
    return similarity


def clear_alignment_cache() -> None:
    """Forgets the alignments made so far (for cold timings)."""
    _ALIGNMENTS.clear()


# Digraph codes that may also be two letters' codes side by side ("sh" is ش, or ص and ح
# as in "صحراوي"), and how many such places are tried both ways.
_SPLITTABLE: Final = frozenset({"sh", "th", "kh", "dh", "gh", "zh", "ts"})
MAX_SPLIT_TRIES: Final = 3


def _align_cost(abjad: str, latin: str) -> float:
    """Gives the similarity of the best reading of the codes (digraph or two letters)."""
    units = _arabic_units(abjad)
    ambiguous = [index for index, unit in enumerate(units) if unit in _SPLITTABLE]
    best = _aligned_similarity(units, latin)
    if not ambiguous or len(ambiguous) > MAX_SPLIT_TRIES or best >= 1.0:
        return best
    for mask in range(1, 1 << len(ambiguous)):
        split: list[str] = []
        for index, unit in enumerate(units):
            if index in ambiguous and mask >> ambiguous.index(index) & 1:
                split.append(unit[0])
                split.append(unit[1])
            else:
                split.append(unit)
        similarity = _aligned_similarity(split, latin)
        if similarity > best:
            best = similarity
    return best


def _aligned_similarity(units: list[str], latin: str) -> float:
    rows = len(units)
    columns = len(latin)
    infinity = 1e9
    # cost[i][j]: cheapest alignment of the first i units with the first j Latin letters.
    cost = [[infinity] * (columns + 1) for _ in range(rows + 1)]
    cost[0][0] = 0.0
    for i in range(rows + 1):
        unit = units[i - 1] if i else ""
        spellings = _SPELLINGS.get(unit) if i else None
        short_vowel = i > 0 and unit in _VOWELS and unit != "a"
        for j in range(columns + 1):
            here = cost[i][j]
            if i == 0 and j == 0:
                continue
            best = infinity
            if j:
                # A Latin letter the Arabic does not write: a short vowel is free.
                letter = latin[j - 1]
                extra = 0.0 if letter in _VOWELS else \
                    EXTRA_LATIN_SOFT if letter in _SOFT_LATIN else MISSING_CONSONANT
                if j >= 2 and latin[j - 2] == letter:
                    extra = 0.0  # a doubled letter: the Arabic writes it once (shadda)
                best = cost[i][j - 1] + extra
            if i:
                # An Arabic letter the Latin does not write.
                if short_vowel:
                    missing = 0.0
                elif unit in _LONG_VOWELS:
                    missing = MISSING_LONG_VOWEL
                elif i >= 2 and units[i - 2] == unit:
                    missing = 0.0  # the same letter twice ("الله"): one Latin letter
                else:
                    missing = MISSING_CONSONANT
                candidate = cost[i - 1][j] + missing
                if candidate < best:
                    best = candidate
                if j:
                    for length in (1, 2, 3):
                        if length > j:
                            break
                        spelling = latin[j - length:j]
                        if short_vowel:
                            price = 0.0 if length == 1 and spelling in _VOWELS else -1.0
                        elif spellings is not None:
                            price = spellings.get(spelling, -1.0)
                            if price < 0.0 and i == rows:
                                if unit == "y" and spelling == "a":
                                    # Persian and Urdu write a final alif maqṣūra as yāʾ
                                    # ("عیسی" ʿĪsā).
                                    price = FINAL_VOWEL_VARIANT
                                elif unit == "a" and spelling == "h":
                                    # A final tāʾ marbūṭa or hāʾ said at a pause: "h".
                                    price = FINAL_VOWEL_VARIANT

                            if price < 0.0 and length == 2 and spelling[0] == spelling[1]:
                                price = spellings.get(spelling[0], -1.0)  # doubled
                        else:
                            price = 0.0 if spelling == unit else -1.0
                        if price < 0.0:
                            if length == 1 and latin[j - 1] not in _VOWELS \
                                    and not short_vowel and unit not in _LONG_VOWELS:
                                price = MISSING_CONSONANT  # one consonant for another
                            else:
                                continue
                        candidate = cost[i - 1][j - length] + price
                        if candidate < best:
                            best = candidate
            if best < here:
                cost[i][j] = best
    total = cost[rows][columns]
    abjad_length = 0.0
    for unit in units:
        if unit in _LONG_VOWELS:
            abjad_length += _LONG_VOWEL_LENGTH
        elif unit not in _VOWELS:
            abjad_length += 1.0
    latin_length = 0.0
    previous = ""
    for letter in latin:
        if letter not in _VOWELS and letter != previous:  # a doubled letter counts once
            latin_length += _LONG_VOWEL_LENGTH if letter in _SOFT_LATIN else 1.0
        previous = letter
    longer = abjad_length if abjad_length > latin_length else latin_length
    if longer <= 0.0:
        return 1.0 if total == 0.0 else 0.0
    similarity = 1.0 - DISAGREEMENT_SCALE * total / longer
    return similarity if similarity > 0.0 else 0.0


# --- The shared retrieval key ---------------------------------------------------------------

# Letter groups written as one sound in Latin spellings and in the ASCII codes of Arabic
# script, each replaced by an upper-case stand-in for its class, so that no replacement makes a
# new group ("tkh" must not become "th"); "x" is "ks" first.
_KEY_GROUPS: Final = (
    ("sch", "X"), ("tch", "X"), ("sh", "X"), ("ch", "X"), ("zh", "Z"), ("kh", "H"),
    ("gh", "K"), ("ph", "F"), ("th", "T"), ("dh", "D"), ("dj", "J"), ("ck", "K"),
)
# Classes: velars (q, k, c, g) one, labials b/p one and f/v one, sh "x"; vowels, w and y (long
# vowels or nothing) and apostrophes gone; the stand-ins lower-cased.
_KEY_FOLDS: Final = str.maketrans("qcgpvXZHKFTDJ", "kkkbfxzhkftdj", "aeiouwy'`")
_KEY_BYTE_FOLDS: Final = bytes.maketrans(b"qcgpvXZHKFTDJ", b"kkkbfxzhkftdj")
_KEY_BYTE_DROPS: Final = b"aeiouwy'`"


def meeting_key(text: str) -> str:
    """Gives the consonant classes of a lower-case ASCII word, Latin or Arabic-script codes
    alike ("tikriti", "tkryty" → "tkrt"), doubled letters once and a final h dropped."""
    key = text.replace("x", "ks") if "x" in text else text
    if "h" in key or "c" in key or "j" in key:
        for group, code in _KEY_GROUPS:
            if group in key:
                key = key.replace(group, code)
    if key.isascii():
        # Byte tables: a plain look-up, several times faster than str.translate (every new
        # name part gets a key).
        folded = undoubled_ascii(key.encode().translate(_KEY_BYTE_FOLDS, _KEY_BYTE_DROPS))
    else:
        folded = undoubled(key.translate(_KEY_FOLDS))
    if len(folded) > 1 and folded.endswith("h"):
        folded = folded[:-1]
    return folded or text


# --- Syllabic scripts against Latin spellings -------------------------------------------------

# Names of other languages written in Hangul, kana or Han characters are sounded out syllable
# by syllable: a vowel after every consonant ("taufiku" for Tawfiq), one liquid for l and r,
# dentals and affricates where the name has d or t (kana and Han write "chi", "ji" for "ti",
# "di"), "ng" or "n" for a syllable's nasal. Their romanisations meet a Latin spelling on
# these classes.
_LOAN_GROUPS: Final = (
    ("sch", "t"), ("tch", "t"), ("ng", "n"), ("ch", "t"), ("sh", "t"), ("ts", "t"),
    ("th", "t"), ("ph", "b"), ("kh", "k"), ("gh", "k"), ("dz", "t"),
)
_LOAN_FOLDS: Final = str.maketrans("rpfvdjzsxqgc", "lbbbtttttkkk", "aeiouyhw'")
# Keys shorter than this agree with too many names to say anything.
MIN_LOAN_KEY: Final = 3
# Key equality counts as much as phonetic-key equality does; near keys a little less.
LOAN_EQUAL_SIMILARITY: Final = 0.95
LOAN_DISCOUNT: Final = 0.05


def loan_key(text: str) -> str:
    """Gives the consonant classes a syllable-by-syllable romanisation and a Latin spelling
    are compared on ("taufiku", "tawfiq" → "tbk")."""
    key = text
    for group, code in _LOAN_GROUPS:
        if group in key:
            key = key.replace(group, code)
    return undoubled(key.translate(_LOAN_FOLDS))


def syllabic_latin_similarity(syllabic: str, latin: str, source: str = "") -> float:
    """Gives how well the romanisation of a word in a syllabic script (`source`: the word as
    written) and a Latin spelling agree: on their consonant classes (0 when either has fewer
    than three), and for Korean also on the folds of its romanisation systems."""
    similarity = _key_similarity(loan_key(syllabic), loan_key(latin), MIN_LOAN_KEY)
    if source and "\uac00" <= source[0] <= "\ud7af":
        korean = _key_similarity(korean_key(syllabic), korean_key(latin), 1)
        if korean > similarity:
            similarity = korean
    return similarity


def _key_similarity(key: str, other: str, shortest: int) -> float:
    if len(key) < shortest or len(other) < shortest:
        return 0.0
    if key == other:
        return LOAN_EQUAL_SIMILARITY
    longer = len(key) if len(key) > len(other) else len(other)
    similarity = 1.0 - _osa_distance(key, other) / longer - LOAN_DISCOUNT
    return similarity if similarity > 0.0 else 0.0


# Korean names are written in Latin by several systems: the Revised Romanisation ("Jeong",
# "Seong", "Geum", "Gim"), McCune-Reischauer and common usage ("Chong", "Jung", "Sung",
# "Kum", "Kim"). They differ in the back vowels (eo, o, u, eu, written for one another) and
# in voiced or voiceless consonants (g/k, d/t, b/p, j/ch), which this key folds; l and r
# are one Hangul letter.
_KOREAN_VOWELS: Final = (("yeo", "yo"), ("eo", "o"), ("eu", "o"), ("oo", "o"), ("u", "o"),
                         ("ee", "i"))
_KOREAN_FOLDS: Final = str.maketrans("gdbjr", "ktpcl", "-'")


def korean_key(text: str) -> str:
    """Gives a romanised Korean syllable sequence with the differences of the romanisation
    systems folded ("youngcheol", "yongchol" → "yonkcol")."""
    key = text.replace("ch", "c").replace("sh", "s") if "h" in text else text
    for vowels, vowel in _KOREAN_VOWELS:
        if vowels in key:
            key = key.replace(vowels, vowel)
    return undoubled(key.translate(_KOREAN_FOLDS))


def alternate_meeting_key(abjad: str) -> str | None:
    """Gives the consonant key of an Arabic-script word as Persian, Urdu and Turkish
    spellings say it, where that differs: ذ ض ظ as z, ث as s ("فضل" Fazl beside Fadl)."""
    if "dh" not in abjad and "th" not in abjad:
        return None
    key = meeting_key(abjad.replace("dh", "z").replace("th", "s"))
    return key if key != meeting_key(abjad) else None

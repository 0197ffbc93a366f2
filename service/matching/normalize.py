"""Name normalisation: any script to comparable Latin name parts.

A name goes through these steps, each of which is reported back so the scorer can explain
itself:

1. Unicode NFKC (full-width letters, ligatures, compatibility forms);
2. ``LAST, First`` reordering when the part after the comma is not a legal form;
3. per word: camel-case splitting of Latin words (``VladimirPutin``), transliteration to
   ASCII (``scripts.py``: Arabic script and Hebrew by letter class, with the article,
   compounds and name words split off as Latin spellings write them; Cyrillic, Armenian,
   Georgian and kana by ICU; Greek, Han, Hangul and the rest by anyascii); pure-ASCII names
   skip NFKC and transliteration and are tokenised whole;
4. apostrophes and ʿayn/hamza marks removed inside words (``Kata'ib`` → ``kataib``), dots,
   hyphens and other punctuation split words; dotted initials of organisations are joined
   (``A.B.C.`` → ``abc``);
5. casefolding;
6. titles and honorifics dropped (``Gen.``, ``Dr.``, ``Ayatollah``, ``Sheikh`` …);
7. Arabic particles handled as such: the article (``al-``, ``el-``, sun-letter forms such as
   ``ad-Din``), patronymic markers (``bin``, ``ibn``, ``bint``, ``ould``) are dropped, and
   ``abd`` + article + word compounds are fused (``Abd al Rahman`` ≡ ``Abdulrahman``);
8. organisation legal forms recognised (``LLC``, ``Ltd``, ``JSC``, ``Aktiengesellschaft``…)
   and replaced by a canonical class kept apart from the name parts;
9. each remaining part gets a phonetic key (folding common transliteration variation:
   q/k/gh, kh/h, ou/u, ee/i, e/i, o/u, y/i, dh/d, w/v, double letters) and a consonant
   skeleton (``scripts.meeting_key``: where names from scripts that do not write short
   vowels meet their Latin spellings, in retrieval and in explanations).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

from anyascii import anyascii

from service.matching import vocabulary as vocab
from service.matching.frequencies import MIN_WEIGHT, part_weight, skeleton_weight
from service.matching.phonetics import clear_phonetic_cache, phonetic_key
from service.matching.scripts import (
    ARABIC_SCRIPT_TITLES,
    abjad_words,
    clear_alignment_cache,
    icu_latin,
    meeting_key,
)

# Kinds the matcher knows; anything else is treated like None (unknown).
PERSON: Final = "person"
ORGANIZATION: Final = "organization"
VESSEL: Final = "vessel"
AIRCRAFT: Final = "aircraft"
_MATCHER_KINDS: Final = frozenset({PERSON, ORGANIZATION, VESSEL, AIRCRAFT})

# Apostrophes, ʿayn and hamza marks, acute/grave accents used as apostrophes: they sit inside a
# word ("Kata'ib", "Qa`ida") and must not split it.
_APOSTROPHES: Final = re.compile(r"['`´‘’ʼʻʿʾʹ′]")
# Dotted initials such as "A.B.C." or "o.O.O." (joined for organisations).
_DOTTED_INITIALS: Final = re.compile(r"\b(?:[^\W\d_]\.){2,}(?![^\W\d_])")
# Lower-case letter followed by an upper-case one that starts a word of 3+ letters.
_CAMEL_BOUNDARY: Final = re.compile(r"(?<=[a-z]{3})(?=[A-Z][a-z]{2,})|(?<=[a-z]{3})(?=[A-Z]{2,}\b)")
_LOWER_UPPER: Final = re.compile(r"[a-z][A-Z]")
_NON_ALNUM: Final = re.compile(r"[^a-z0-9]+")
# ASCII bytes to token bytes: letters lower-cased, digits kept, anything else a separator.
_ASCII_TOKEN_BYTES: Final = bytes(
    ord(chr(code).lower()) if chr(code).isalnum() and code < 128 else ord(" ")
    for code in range(256)
)
_ORDINAL: Final = re.compile(r"^(\d+)(?:st|nd|rd|th|er|e|eme|ый|ая)$")
# Modern Greek digraphs romanised by sound ("Πούτιν" → Putin, "Ντ" → D), before anyascii
# transliterates letter by letter.
_GREEK_DIGRAPH_SOUNDS: Final = {"ου": "u", "ού": "u", "μπ": "b", "ντ": "d", "γκ": "g", "γγ": "ng"}
_GREEK_DIGRAPHS: Final = re.compile("|".join(_GREEK_DIGRAPH_SOUNDS), re.IGNORECASE)
_MIDDLE_DOTS: Final = re.compile(r"[·・•‧]")
# Digits standing for look-alike letters inside a person's name ("Ig0r Sech1n").
_LOOKALIKE_DIGITS: Final = str.maketrans("013457892", "oieastbgz")

# Scripts that do not write short vowels: names from them are compared on consonants.
_ABJAD_RANGES: Final = ((0x0590, 0x05FF), (0x0600, 0x06FF), (0x0700, 0x074F), (0x0750, 0x077F),
                 (0x08A0, 0x08FF), (0xFB1D, 0xFB4F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
# Scripts whose transliteration comes out as capitalised syllables with no spaces.
_SYLLABIC_RANGES: Final = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xAC00, 0xD7AF),
                    (0x1100, 0x11FF), (0x3130, 0x318F), (0x3040, 0x30FF), (0x31F0, 0x31FF),
                    (0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF))
# Japanese kana and the abugidas of South-East Asia (Thai, Lao, Burmese, Khmer): sounded out
# syllable by syllable too, but a word is one name, not a family name's character and a
# given name's as in Han and Hangul.
_WHOLE_WORD_SYLLABIC_RANGES: Final = ((0x3040, 0x30FF), (0x31F0, 0x31FF), (0x0E00, 0x0EFF),
                                      (0x1000, 0x109F), (0x1780, 0x17FF))


class NamePart:
    """One comparable part of a name, with its matching keys and weight.

    A plain class with explicit equality, hashing and constructor rather than a named tuple
    or dataclass: parts are made for every new token, and compiled (setup.py) this class is
    built and read without any Python-level code. Parts are shared through caches and the
    index, so a part must never be changed once made.
    """

    __slots__ = ("text", "phonetic", "_skeleton", "weight", "abjad", "initial", "numeric",
                 "bare", "source", "compound")

    def __init__(
        self,
        text: str,
        phonetic: str,
        skeleton: str,
        weight: float,
        abjad: bool = False,
        initial: bool = False,
        numeric: bool = False,
        bare: str | None = None,
        source: str | None = None,
        compound: tuple[str, str] | None = None,
    ) -> None:
        self.text = text  # lower-case ASCII form
        self.phonetic = phonetic  # transliteration-tolerant key
        # The consonant key (`scripts.meeting_key`), "" until first asked for: comparing two
        # Latin names never needs it, screening and explanations across scripts do.
        self._skeleton = skeleton
        self.weight = weight  # rarity weight in [MIN_WEIGHT, 1]
        self.abjad = abjad  # written in a script without short vowels
        self.initial = initial  # a single letter standing for a word
        self.numeric = numeric  # contains digits: must agree exactly
        # The part without an attached Arabic article ("alkhazali" → "khazali"), if any.
        self.bare = bare
        # The original characters of a part written in a syllabic script (Han, Hangul),
        # where each character is a syllable: a different character is a different name.
        self.source = source
        # The kind and stem of a theophoric compound ("abdulhamid": "abdul", "hamid").
        self.compound = compound

    @property
    def skeleton(self) -> str:
        """Gives the part's consonant key, where names across scripts meet (made on first
        use and kept: the same value whoever asks first, so the part stays as made)."""
        skeleton = self._skeleton
        if not skeleton:
            skeleton = self._skeleton = meeting_key(self.text)
        return skeleton

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NamePart):
            return NotImplemented
        # Every other field follows from these (`make_part` derives them from the three).
        return self.text == other.text and self.abjad == other.abjad \
            and self.source == other.source

    def __hash__(self) -> int:
        return hash((self.text, self.abjad, self.source))

    def __repr__(self) -> str:
        return f"NamePart({self.text!r}, phonetic={self.phonetic!r}, weight={self.weight})"


class NormalizedName:
    """A name ready for comparison, and what normalisation did to it.

    It is shared through caches and the index, so it must never be changed once made.
    """

    __slots__ = ("original", "kind", "parts", "titles", "particles", "legal_forms",
                 "reordered", "roles", "words", "numbers", "_description")

    def __init__(
        self,
        original: str,
        kind: str | None,
        parts: tuple[NamePart, ...],
        titles: tuple[str, ...] = (),
        particles: tuple[str, ...] = (),
        legal_forms: tuple[str, ...] = (),  # canonical legal-form classes
        reordered: bool = False,
        roles: tuple[str, ...] = (),
        words: tuple[NamePart, ...] = (),
        numbers: frozenset[str] = frozenset(),
    ) -> None:
        self.original = original
        self.kind = kind
        self.parts = parts
        self.titles = titles
        self.particles = particles
        self.legal_forms = legal_forms
        self.reordered = reordered
        # Per part: "bearer" before a patronymic marker ("Salman" in "Salman bin Ali"),
        # "father" after one ("Ali"), "" otherwise.
        self.roles = roles
        # The parts to align (those without digits, unless the name is only numbers) and,
        # apart, the numbers, which must agree exactly: worked out once per name, not per
        # comparison.
        self.words = words
        self.numbers = numbers
        # The description, built on first use: a list name is explained in many comparisons.
        self._description: dict[str, object] | None = None

    def __repr__(self) -> str:
        return f"NormalizedName({self.original!r}, kind={self.kind!r}, text={self.text!r})"

    @property
    def text(self) -> str:
        """Gives the normalised name as one string of its parts."""
        return " ".join(part.text for part in self.parts)

    def describe(self) -> dict[str, object]:
        """Gives a JSON-ready description of the normalisation, for explanations (a fresh
        dict each call; its lists are shared and must not be changed)."""
        if self._description is None:
            self._description = {
                "original": self.original,
                "normalized": self.text,
                "parts": [part.text for part in self.parts],
                "titles_dropped": list(self.titles),
                "particles_dropped": list(self.particles),
                "legal_forms": list(self.legal_forms),
                "reordered": self.reordered,
            }
        return dict(self._description)


_ATTACHED_ARTICLES: Final = frozenset(vocab.ATTACHED_ARTICLES)
_GLUED_PATRONYMICS: Final = frozenset({"bin", "ben", "ibn"})

# Bits telling which normalisation steps a token may concern: a name's tokens are looked up
# once, and a step runs only when one of them may concern it.
_TITLE_FLAG: Final = 1
_PATRONYMIC_FLAG: Final = 2
_PARTICLE_FLAG: Final = 4  # an article, marker or connecting word (or sun-letter article)
_ORGANIZATION_STOPWORD_FLAG: Final = 8
_NUMBER_FLAG: Final = 16  # a number word or Roman numeral (ordinals and numerals have digits)
_ABBREVIATION_FLAG: Final = 32
_LEGAL_FORM_FLAG: Final = 64  # may start a legal form
_COMPOUND_FLAG: Final = 128  # a half of a theophoric compound written apart


def _flag_table() -> dict[str, int]:
    """Gives the step bits of every token that concerns a step (legal forms: the short
    words, whose look-up key is the word itself; longer ones are looked up by key)."""
    table: dict[str, int] = {}
    steps: list[tuple[frozenset[str], int]] = [
        (vocab.LEADING_TITLES | vocab.HONORIFICS, _TITLE_FLAG),
        (vocab.PATRONYMIC_MARKERS, _PATRONYMIC_FLAG),
        (vocab.ARTICLES | vocab.SUN_LETTER_ARTICLES | vocab.PATRONYMIC_MARKERS
         | vocab.NOBILIARY_PARTICLES, _PARTICLE_FLAG),
        (vocab.ORGANIZATION_STOPWORDS, _ORGANIZATION_STOPWORD_FLAG),
        (frozenset(vocab.NUMBER_WORDS) | frozenset(vocab.ROMAN_NUMERALS), _NUMBER_FLAG),
        (frozenset(vocab.ABBREVIATIONS), _ABBREVIATION_FLAG),
        (vocab.SHORT_LEGAL_FORM_STARTS, _LEGAL_FORM_FLAG),
        (frozenset(vocab.COMPOUND_HALVES), _COMPOUND_FLAG),
    ]
    for words, flag in steps:
        for word in words:
            table[word] = table.get(word, 0) | flag
    return table


_TOKEN_FLAGS: Final = _flag_table()


def _token_flags(tokens: list[str]) -> int:
    """Gives the bits of the steps any of the tokens may concern."""
    flags = 0
    for token in tokens:
        flags |= _TOKEN_FLAGS.get(token, 0)
        if len(token) > vocab.SHORT_LEGAL_FORM_WORD and vocab.may_start_legal_form(token):
            flags |= _LEGAL_FORM_FLAG
    return flags


assert all(len(article) == 2 for article in _ATTACHED_ARTICLES)


@lru_cache(maxsize=256)
def canonical_kind(kind: str | None) -> str | None:
    """Gives the matcher's kind for a list or API kind (None when unknown)."""
    if kind is None:
        return None
    lowered = kind.strip().lower()
    if lowered in ("person", "individual", "people"):
        return PERSON
    if lowered in ("organization", "organisation", "entity", "company", "legalentity",
                   "legal_entity", "org", "business"):
        return ORGANIZATION
    if lowered in ("vessel", "ship"):
        return VESSEL
    if lowered in ("aircraft", "airplane"):
        return AIRCRAFT
    return None


def _in_ranges(char: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in ranges)


def _script_of(word: str) -> str:
    """Gives "abjad", "syllabic", "latin" or "other" for a word, by its first letter."""
    for char in word:
        if not char.isalpha():
            continue
        if char.isascii():
            return "latin"
        if _in_ranges(char, _ABJAD_RANGES):
            return "abjad"
        if _in_ranges(char, _SYLLABIC_RANGES):
            return "syllabic"
        if 0x0370 <= ord(char) <= 0x03FF or 0x1F00 <= ord(char) <= 0x1FFF:
            return "greek"
        return "other"
    return "latin"


def _reorder_last_first(name: str) -> tuple[str, bool]:
    """Gives ``First LAST`` for ``LAST, First``, and whether it reordered."""
    if name.count(",") != 1:
        return name, False
    last, first = name.split(",")
    first_words = _NON_ALNUM.sub(" ", anyascii(first).lower()).split()
    if not first_words or not last.strip():
        return name, False
    # "ACME CO., LTD." or "BANCO X, S.A.": the tail is a legal form, not a given name.
    if vocab.legal_form_at(first_words, 0)[0] == len(first_words):
        return name, False
    return f"{first.strip()} {last.strip()}", True


def _transliterate_word(
    word: str, single_word: bool = True
) -> tuple[list[tuple[str, str | None]], bool]:
    """Gives the ASCII words of one source word, each with its syllabic-script original
    (None for other scripts), and whether the word's script is an abjad."""
    if word.isascii():
        return [(w, None) for w in _CAMEL_BOUNDARY.sub(" ", word).split()], False
    script = _script_of(word)
    if script == "latin":
        return [(w, None) for w in _CAMEL_BOUNDARY.sub(" ", anyascii(word)).split()], False
    if script == "greek":
        word = _GREEK_DIGRAPHS.sub(lambda m: _GREEK_DIGRAPH_SOUNDS[m.group(0).lower()], word)
        return [(anyascii(word), None)], False
    if script == "syllabic":
        pieces = [piece for piece in _MIDDLE_DOTS.split(word) if piece]
        if len(pieces) > 1 or not single_word or _in_ranges(word[0], _WHOLE_WORD_SYLLABIC_RANGES):
            # A name written word by word (a foreign name, with spaces or middle dots).
            return [(icu_latin(piece), piece) for piece in pieces], False
        # Han and Hangul: one character per syllable; the first is the family name, the
        # rest the given name, conventionally romanised as one word.
        letters = [char for char in word if char.isalpha()]
        if len(letters) >= 2:
            given = "".join(letters[1:])
            return [(anyascii(letters[0]), letters[0]), (anyascii(given), given)], False
        return [(anyascii(word), word)], False
    if script == "abjad":
        return [(ascii_word, None) for ascii_word in abjad_words(word)], True
    return [(icu_latin(word), None)], False


def _clean_word(word: str, organization_like: bool) -> list[str]:
    """Gives the lower-case alphanumeric tokens of ASCII text (a transliterated word, or a
    whole ASCII name)."""
    if not word.isascii():
        word = _APOSTROPHES.sub("", word)
    if organization_like and "." in word:
        word = _DOTTED_INITIALS.sub(lambda m: m.group(0).replace(".", ""), word)
    if "&" in word:
        word = word.replace("&", " and ")
    # Apostrophes dropped, letters lower-cased, anything else a separator (as for ASCII names).
    return word.encode().translate(_ASCII_TOKEN_BYTES, b"'`").decode().split()


def _abjad_vowels(token: str) -> str:
    """Gives an abjad transliteration with w/y inside the word read as the vowels u/i."""
    if len(token) <= 1:
        return token
    return token[0] + token[1:].replace("w", "u").replace("y", "i")


def _article_stripped(token: str, abjad: bool) -> str | None:
    """Gives the token without an attached article ("alkhazali" → "khazali"), or None."""
    if abjad:
        return None  # the Arabic-script reader splits the article off (scripts.py)
    # Every attached article is two letters: one prefix test instead of one per article.
    if token[:2] in _ATTACHED_ARTICLES:
        rest = token[2:]
        if len(rest) >= 4 and rest[0] not in "aeiou":
            return rest
    elif token[:3] in _GLUED_PATRONYMICS and token[3:5] in _ATTACHED_ARTICLES:
        # "son of" and the article glued on as well ("Binalshibh": bin al-Shibh).
        rest = token[5:]
        if len(rest) >= 4 and rest[0] not in "aeiou":
            return rest
    return None


# The parts and whole names made so far. Plain dictionaries emptied when full rather than LRU
# caches, whose bookkeeping costs more than a hit saves: names repeat their parts and
# screening repeats names, so the common ones are soon back. Parts of names in Latin script
# (no abjad, no syllabic source) are keyed by their text alone, the rest by all three.
PART_CACHE_SIZE: Final = 200_000
NAME_CACHE_SIZE: Final = 50_000
_PARTS: Final[dict[object, NamePart]] = {}
_NAMES: Final[dict[tuple[str, str | None], NormalizedName]] = {}


def make_part(text: str, abjad: bool = False, source: str | None = None) -> NamePart:
    """Gives the name part for one normalised token, with its keys and weight."""
    key: object = text if not abjad and source is None else (text, abjad, source)
    part = _PARTS.get(key)
    if part is None:
        part = _new_part(text, abjad, source)
        if len(_PARTS) >= PART_CACHE_SIZE:
            _PARTS.clear()
        _PARTS[key] = part
    return part


def _new_part(text: str, abjad: bool, source: str | None) -> NamePart:
    phonetic = phonetic_key(_abjad_vowels(text) if abjad else text)
    skeleton = ""
    numeric = not text.isalpha()
    bare = None if numeric else _article_stripped(text, abjad)
    # Particles kept as parts ("Al" opening a name) say almost nothing about identity.
    if text in vocab.PARTICLE_WORDS:
        weight = MIN_WEIGHT
    elif abjad:
        # Rarity by the consonant key the part meets Latin names on: the table counts Latin
        # spellings, and a short key ("mhmd") stands for many of them.
        skeleton = meeting_key(text)
        weight = skeleton_weight(skeleton, len(text))
    else:
        weight = part_weight(phonetic, len(text))
    initial = len(text) == 1 and not numeric
    compound = None if numeric else vocab.compound_stem(text)
    return NamePart(text, phonetic, skeleton, weight, abjad, initial, numeric, bare, source,
                    compound)


def part_keys(text: str, abjad: bool = False) -> tuple[str, str, str | None]:
    """Gives the look-up keys of a token as `make_part` makes them (phonetic key, skeleton,
    article-less form), without the rest of a part: for index look-ups of joined parts."""
    phonetic = phonetic_key(_abjad_vowels(text) if abjad else text)
    bare = _article_stripped(text, abjad) if text.isalpha() else None
    return phonetic, meeting_key(text), bare


def _fuse_abd_compounds(tokens: list[str], particles: list[str]) -> list[str]:
    """Gives tokens with "abd" + article + word fused into one canonical "abd…" part."""
    fused: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token in vocab.ABD_FORMS and index + 1 < len(tokens):
            following = index + 1
            while following < len(tokens) - 1 and tokens[following] in vocab.ARTICLES:
                particles.append(tokens[following])
                following += 1
            fused.append(vocab.canonical_abd("abd" + tokens[following], fused=True))
            index = following + 1
            continue
        fused.append(vocab.canonical_abd(token) if token.startswith("abd") else token)
        index += 1
    return fused


def _fuse_theophoric_compounds(tokens: list[str], particles: list[str]) -> list[str]:
    """Gives tokens with compounds of a name and a half written apart fused into one part
    ("Saif al-Din", "Saif-ud-Din" → "saifuddin"; "Nasr Allah" → "nasrullah")."""
    fused: list[str] = []
    index = 0
    last = len(tokens) - 1
    while index <= last:
        token = tokens[index]
        following = index + 1
        while following < last and tokens[following] in vocab.COMPOUND_LINKS:
            following += 1
        half = tokens[following] if following <= last else ""
        suffix = vocab.COMPOUND_HALVES.get(half)
        linked = following > index + 1
        if suffix is not None and len(token) >= vocab.MIN_COMPOUND_NAME and token.isalpha() \
                and token not in vocab.PARTICLE_WORDS and not token.startswith("abd") \
                and (linked or half not in vocab.HALVES_AFTER_LINK_ONLY):
            particles.extend(tokens[index + 1:following])
            fused.append(token + suffix)
            index = following + 1
            continue
        fused.append(token)
        index += 1
    return fused


def _is_sun_letter_article(token: str, following: str | None) -> bool:
    """Gives whether a token is an assimilated Arabic article ("ad" in "ad Din")."""
    if following is None or token not in vocab.SUN_LETTER_ARTICLES:
        return False
    consonant = token[1:]
    return following.startswith(consonant) and len(following) > len(consonant)


def _lookalike_letters(token: str) -> str:
    """Gives a person-name token with digits read as the letters they resemble."""
    if token.isalpha() or token.isdigit():
        return token
    return token.translate(_LOOKALIKE_DIGITS)


def _numbers_to_digits(tokens: list[str], roman: bool) -> list[str]:
    """Gives tokens with number words, ordinals and (optionally) Roman numerals as digits."""
    converted: list[str] = []
    after_tens_word = False  # "forty" just read: "forty four" / "forty 4" is one number
    for token in tokens:
        ordinal = _ORDINAL.match(token)
        value = vocab.NUMBER_WORDS.get(token)
        if ordinal:
            value = int(ordinal.group(1))
        elif token.isdigit():
            value = int(token)
        elif roman and value is None:
            value = vocab.ROMAN_NUMERALS.get(token)
        if value is None:
            converted.append(token)
            after_tens_word = False
            continue
        if after_tens_word and 0 < value < 10:
            converted[-1] = str(int(converted[-1]) + value)
            after_tens_word = False
        else:
            converted.append(str(value))
            after_tens_word = token.isalpha() and value >= 20 and value % 10 == 0
    return converted


def _drop_titles(
    tokens: list[str], titles: list[str], only: frozenset[str] | None = None
) -> list[str]:
    """Gives tokens without leading titles and without honorifics anywhere (only those in
    `only`, when given)."""
    kept: list[str] = []
    leading = True
    for token in tokens:
        if ((leading and token in vocab.LEADING_TITLES) or token in vocab.HONORIFICS) \
                and (only is None or token in only):
            titles.append(token)
            continue
        leading = False
        kept.append(token)
    return kept


def _split_legal_forms(tokens: list[str], legal_forms: list[str], kind: str | None) -> list[str]:
    """Gives tokens without legal-form phrases, recording each form's canonical class.

    Two-letter forms ("SA", "AB", "AG") are also name parts: they count as legal forms in
    organisation names, and at the end of names of unknown kind, never in a person's name.
    """
    keys = vocab.legal_form_keys(tokens)
    if not vocab.may_hold_legal_form(keys):
        return tokens
    kept: list[str] = []
    index = 0
    last = len(tokens) - 1
    while index < len(tokens):
        span, canonical = vocab.legal_form_at(tokens, index, keys)
        if span == 1 and len(tokens[index]) < 3 and kind != ORGANIZATION:
            if kind == PERSON or index != last:
                span = 0
        if span and canonical:
            if canonical not in legal_forms:
                legal_forms.append(canonical)
            index += span
            continue
        kept.append(tokens[index])
        index += 1
    return kept


def _patronymic_roles(tokens: list[str]) -> dict[str, str]:
    """Gives the role of the words around patronymic markers: "bearer" and "father"."""
    roles: dict[str, str] = {}
    for position in range(1, len(tokens) - 1):
        if tokens[position] in vocab.PATRONYMIC_MARKERS:
            roles.setdefault(tokens[position - 1], "bearer")
            roles.setdefault(tokens[position + 1], "father")
    return roles


def _drop_particles(tokens: list[str], kind: str | None, particles: list[str]) -> list[str]:
    """Gives tokens without articles, patronymic markers and connecting words."""
    kept: list[str] = []
    last = len(tokens) - 1
    for position, token in enumerate(tokens):
        following = tokens[position + 1] if position < last else None
        if kind != ORGANIZATION and position == 0 and token not in vocab.ARABIC_PATRONYMICS:
            # A person's first word is a given name even when it looks like a particle
            # ("Al Green", "Van Taylor", "Ben Carson"); particles stand before other words.
            kept.append(token)
            continue
        droppable = (
            token in vocab.ARTICLES
            or _is_sun_letter_article(token, following)
            or (token in vocab.PATRONYMIC_MARKERS and following is not None)
            or (kind == PERSON and token in vocab.NOBILIARY_PARTICLES and following is not None)
            or (kind != PERSON and token in vocab.ORGANIZATION_STOPWORDS)
        )
        if droppable:
            particles.append(token)
        else:
            kept.append(token)
    return kept


def _ascii_tokens(text: str, organization_like: bool) -> list[str]:
    """Gives the lower-case alphanumeric tokens of a whole ASCII name at once (the same
    tokens the word-by-word path gives)."""
    if not (text.istitle() or text.isupper() or text.islower()) and _LOWER_UPPER.search(text):
        # Only a lower-case letter followed by an upper-case one can be a camel-case join.
        text = _CAMEL_BOUNDARY.sub(" ", text)
    return _clean_word(text, organization_like)


def _script_tokens(
    words: list[str], organization_like: bool
) -> tuple[list[str], dict[str, str], bool, set[str]]:
    """Gives the tokens of words in any script, the syllabic-script original of each token
    that has one, whether any word was written in an abjad, and the tokens of the words
    that were not (a name written in both, "Akrin (أقرين)")."""
    tokens: list[str] = []
    sources: dict[str, str] = {}
    abjad_name = False
    vowelled: set[str] = set()
    for word in words:
        ascii_words, abjad = _transliterate_word(word, len(words) == 1)
        abjad_name = abjad_name or abjad
        for ascii_word, source in ascii_words:
            cleaned = _clean_word(ascii_word, organization_like)
            if source and len(cleaned) == 1:
                sources[cleaned[0]] = source
            if not abjad:
                vowelled.update(cleaned)
            tokens.extend(cleaned)
    return tokens, sources, abjad_name, vowelled if abjad_name else set()


def normalize_name(name: str, kind: str | None = None) -> NormalizedName:
    """Gives the normalised, explainable form of a name (see the module docstring)."""
    key = (name, kind)
    normalized = _NAMES.get(key)
    if normalized is None:
        normalized = _normalize(name, kind)
        if len(_NAMES) >= NAME_CACHE_SIZE:
            _NAMES.clear()
        _NAMES[key] = normalized
    return normalized


def _normalize(name: str, kind: str | None) -> NormalizedName:
    if kind is not None and kind not in _MATCHER_KINDS:
        kind = canonical_kind(kind)
    ascii_name = name.isascii()
    # NFKC changes nothing in ASCII text.
    text = name.strip() if ascii_name else unicodedata.normalize("NFKC", name).strip()
    reordered = False
    if kind != ORGANIZATION and "," in text:
        text, reordered = _reorder_last_first(text)
    organization_like = kind != PERSON

    sources: dict[str, str] = {}
    abjad_name = False
    vowelled: set[str] = set()
    if ascii_name:
        tokens = _ascii_tokens(text, organization_like)
    else:
        tokens, sources, abjad_name, vowelled = _script_tokens(text.split(), organization_like)
    all_letters = "".join(tokens).isalpha()
    if kind == PERSON and not all_letters:
        tokens = [_lookalike_letters(token) for token in tokens]
        all_letters = "".join(tokens).isalpha()

    titles: list[str] = []
    particles: list[str] = []
    legal_forms: list[str] = []
    roles: dict[str, str] = {}
    # Each step runs only when a token could concern it; a step never normalises a name
    # away entirely (the last non-empty form is kept).
    # Read off the tokens before any step: a step only removes tokens or writes ones that
    # concern no later step ("abd" compounds, digits), so a step that finds nothing to do
    # when its bit is set changes nothing.
    flags = _token_flags(tokens)
    if kind != ORGANIZATION and flags & _TITLE_FLAG:
        # Organisation names keep their first word ("General Motors", "Captain Trading").
        # Arabic-script words are titles only when written as one (scripts.py gives them in
        # Latin spelling): their letter codes may spell an abbreviation ("آدم" → "adm").
        tokens = _drop_titles(tokens, titles, ARABIC_SCRIPT_TITLES if abjad_name else None) \
            or tokens
    if "abd" in "".join(tokens) and any(token.startswith("abd") for token in tokens):
        tokens = _fuse_abd_compounds(tokens, particles) or tokens
    if flags & _COMPOUND_FLAG:
        tokens = _fuse_theophoric_compounds(tokens, particles) or tokens
    if flags & _PATRONYMIC_FLAG:
        roles = _patronymic_roles(tokens)
    if flags & _PARTICLE_FLAG or (kind != PERSON and flags & _ORGANIZATION_STOPWORD_FLAG):
        tokens = _drop_particles(tokens, kind, particles) or tokens
    if flags & _LEGAL_FORM_FLAG:
        tokens = _split_legal_forms(tokens, legal_forms, kind) or tokens
    if kind != PERSON:
        if not all_letters or flags & _NUMBER_FLAG:
            tokens = _numbers_to_digits(tokens, roman=True) or tokens
        if flags & _ABBREVIATION_FLAG:
            tokens = [vocab.ABBREVIATIONS.get(t, t) for t in tokens]

    if sources or vowelled:
        parts = tuple([make_part(token, abjad_name and token not in vowelled, sources.get(token))
                       for token in tokens])
    else:
        parts = tuple([make_part(token, abjad_name, None) for token in tokens])
    if all_letters and kind == PERSON or "".join(tokens).isalpha():
        words, numbers = parts, frozenset[str]()
    else:
        words = tuple([part for part in parts if not part.numeric])
        numbers = frozenset([part.text for part in parts if part.numeric]) if words \
            else frozenset()
    return NormalizedName(
        original=name,
        kind=kind,
        parts=parts,
        titles=tuple(titles),
        particles=tuple(particles),
        legal_forms=tuple(legal_forms),
        reordered=reordered,
        roles=tuple(roles.get(part.text, "") for part in parts) if roles else (),
        words=words or parts,
        numbers=numbers,
    )


def clear_caches() -> None:
    """Empties every normalisation cache: whole names, parts, phonetic keys and cross-script
    alignments (for cold timings; nothing else needs it, since cached results never go
    stale)."""
    _NAMES.clear()
    _PARTS.clear()
    clear_phonetic_cache()
    clear_alignment_cache()

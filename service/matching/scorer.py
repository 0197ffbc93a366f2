"""Pairwise name scoring: order-independent part alignment weighted by part rarity.

How a score comes about (each step shows in the explanation):

1. both names are normalised (see ``normalize.py``);
2. every part of one name is compared with every part of the other (rapidfuzz OSA
   similarity on the text and on the phonetic key; a letter-by-letter alignment for a name
   written without short vowels against a Latin one, consonant classes for a syllabic
   script against a Latin one (``scripts.py``); initials agree with a part that starts with
   the same letter; parts with digits must be equal), and the best pairs are aligned
   greedily, each part at most once, regardless of order; parts written together on one
   side and apart on the other ("RamiMakhlouf") are joined before aligning;
3. the score is the weighted similarity of the aligned pairs divided by the weight of all
   parts, where a part's weight is its rarity among listed names (``frequencies.py``):
   - parts left over on one side only (a middle name, a patronymic the other name lacks)
     count at ``EXTRA_PART_FACTOR`` of their weight: a shorter form of a name is still it;
   - parts left over on both sides conflict (two different given names with the same
     family name; a different father's name in a long name): they count in full and each
     conflict costs ``CONFLICT_PENALTY`` more, since they point to different people;
   - organisations with different legal-form classes (AG vs GmbH) lose ``LEGAL_FORM_PENALTY``;
4. ``match`` is ``score >= DEFAULT_THRESHOLD`` unless another threshold is given.
"""

from __future__ import annotations

from typing import Any, Final

from rapidfuzz.distance import OSA

from service.matching.normalize import (
    ORGANIZATION,
    PERSON,
    NamePart,
    NormalizedName,
    make_part,
    normalize_name,
)
from service.matching.scripts import (
    MIN_LOAN_KEY,
    abjad_latin_similarity,
    loan_key,
    syllabic_latin_similarity,
)
from service.matching.vocabulary import ARTICLES, COMPOUND_HALVES

# The edit distance behind every string similarity (bound once: innermost loops).
_osa_distance: Final = OSA.distance


def _osa(text: str, other: str, score_cutoff: float = 0.0) -> float:
    """Gives rapidfuzz's normalised OSA similarity, 0 below `score_cutoff`: worked out from
    the plain distance, whose call costs a third less than the normalised one's."""
    longer = len(text) if len(text) > len(other) else len(other)
    if not longer:
        return 1.0
    similarity = 1.0 - _osa_distance(text, other) / longer
    return similarity if similarity >= score_cutoff else 0.0

# The one decision threshold: a pair scoring at or above it is reported as a match. Chosen so
# that a name with one typo in a rare part, or with an extra middle name, still matches,
# while a different given name with the same family name does not.
DEFAULT_THRESHOLD: Final = 0.8

# Two parts are aligned only when at least this similar; below it they stay unmatched.
ALIGN_MIN_SIMILARITY: Final = 0.7
# How much an initial agreeing with a full part counts ("J." for "Joachim").
INITIAL_SIMILARITY: Final = 0.9
# Key equality under transliteration folding ("Qasem" / "Ghasem" share a phonetic key).
PHONETIC_EQUAL_SIMILARITY: Final = 0.95
# Near phonetic keys count a little less than near spellings: folding already made them close.
PHONETIC_DISCOUNT: Final = 0.05
# Weight factor of parts only one name has (see the module docstring). Lower for people,
# whose list entries carry full names (patronymics, second given names) that queries omit;
# higher for organisations, where an extra word often names a different company (a branch).
EXTRA_PART_FACTOR: Final = 0.4
EXTRA_PERSON_PART_FACTOR: Final = 0.15
# The most a comparison can score when only initials agree ("N. N." for a full name).
INITIALS_ONLY_CAP: Final = 0.5
# The most a person's one-word name can score against a longer one: one word alone does
# not identify a person (weak one-word aliases would match every "Tom").
SINGLE_PART_CAP: Final = 0.7
# Score lost per aligned pair that is one name's bearer and the other's father
# ("Salman bin Ali" vs "Ali bin Salman": two different people).
SWAPPED_ROLE_PENALTY: Final = 0.15
# Score lost when one name is the other with a child's given name before it (Arabic script).
CHILD_CHAIN_PENALTY: Final = 0.15
# Score lost when both names carry numbers that differ ("Fund III" / "Fund IV"), or when only
# one carries a number: numbered vessels and funds of one family are related, so flag them.
NUMBER_MISMATCH_PENALTY: Final = 0.1
NUMBER_EXTRA_PENALTY: Final = 0.05
# Score lost per pair of conflicting parts.
CONFLICT_PENALTY: Final = 0.05
# Score lost when both organisations state legal forms of different classes.
LEGAL_FORM_PENALTY: Final = 0.05
# Parts aligned below this similarity may be a split or joined form of the other name's parts.
STRONG_SIMILARITY: Final = 0.9
# Two theophoric compounds of one kind ("Abdulhamid", "Abdulghani") whose stems are less alike
# than this are different names.
COMPOUND_STEM_MIN_SIMILARITY: Final = 0.5
# Similarity lost by two names written in a script without short vowels for each difference:
# its spellings of one name vary little (hamza seats and letter forms are folded already).
IN_SCRIPT_EDIT_PENALTY: Final = 0.1
# A name and the same name with a Baltic nominative ending ("Lavrov", "Lavrovas"), from stems
# this long (shorter ones with an ending are often other names: "Jon", "Jonas").
INFLECTION_ENDINGS: Final = frozenset({"as", "is", "ys", "us", "s"})
MIN_INFLECTED_STEM: Final = 5
INFLECTED_SIMILARITY: Final = 0.9
# Joining two adjacent parts must reach this similarity to replace them.
JOIN_MIN_SIMILARITY: Final = 0.85


class Comparison:
    """The outcome of comparing two names: score in [0, 1], decision and explanation.

    A plain class rather than a frozen dataclass, which builds through Python-level code
    even when compiled; one is made per comparison. Never changed once made.
    """

    __slots__ = ("score", "match", "explanation")

    def __init__(self, score: float, match: bool,
                 explanation: dict[str, Any] | None = None) -> None:
        self.score = score
        self.match = match
        self.explanation: dict[str, Any] = explanation if explanation is not None else {}

    def __repr__(self) -> str:
        return f"Comparison(score={self.score!r}, match={self.match!r})"


def _rounded(value: float) -> float:
    """Gives a non-negative figure to 4 decimals, for explanations (several times cheaper
    than the built-in round, which goes through decimal text)."""
    return int(value * 10_000 + 0.5) / 10_000


def part_similarity(left: NamePart, right: NamePart) -> float:
    """Gives how alike two name parts are, in [0, 1]."""
    return _similarity(left, right, 0.0)


def _similarity(left: NamePart, right: NamePart, cutoff: float) -> float:
    """Gives how alike two name parts are; any value below `cutoff` may come back as 0."""
    text, other_text = left.text, right.text
    if text == other_text:
        return 1.0
    if left.numeric or right.numeric:
        return 0.0
    initial, other_initial = left.initial, right.initial
    if initial or other_initial:
        if initial and other_initial:
            return 0.0
        return INITIAL_SIMILARITY if text[0] == other_text[0] else 0.0
    source, other_source = left.source, right.source
    if source is not None and other_source is not None:
        # Both in a syllabic script: each character is a syllable of the name.
        return _osa(source, other_source, score_cutoff=cutoff)
    if (source is not None or other_source is not None) and not left.abjad and not right.abjad:
        # One written in a syllabic script, sounded out syllable by syllable (scripts.py).
        sounded = syllabic_latin_similarity(text, other_text, source) \
            if source is not None else syllabic_latin_similarity(other_text, text, other_source
                                                                 or "")
        if sounded >= ALIGN_MIN_SIMILARITY:
            return sounded
    if left.abjad != right.abjad:
        # Short vowels are not written in one of the two: align its letters with the
        # Latin spelling's, each letter with the spellings it has (scripts.py).
        abjad_part, latin_part = (left, right) if left.abjad else (right, left)
        similarity = abjad_latin_similarity(abjad_part.text, latin_part.text)
        if latin_part.bare is not None and similarity < 1.0:
            # The Latin spelling with its article glued on ("Elsseid"): the Arabic script
            # reader splits the article off.
            bare_similarity = abjad_latin_similarity(abjad_part.text, latin_part.bare)
            if bare_similarity > similarity:
                similarity = bare_similarity
        return similarity if similarity >= cutoff else 0.0
    phonetic, other_phonetic = left.phonetic, right.phonetic
    bare, other_bare = left.bare, right.bare
    if phonetic == other_phonetic:
        return PHONETIC_EQUAL_SIMILARITY
    # The length difference alone is that many edits: when it already puts both spellings
    # below the cutoff, the (costlier) edit distances cannot reach it.
    text_length, other_length = len(text), len(other_text)
    if cutoff and bare is None and other_bare is None and \
            1.0 - abs(text_length - other_length) / max(text_length, other_length) < cutoff:
        length, other_length = len(phonetic), len(other_phonetic)
        if 1.0 - abs(length - other_length) / max(length, other_length, 1) < cutoff:
            return 0.0
    similarity = _osa(text, other_text, cutoff)
    phonetic_similarity = _osa(phonetic, other_phonetic, cutoff) - PHONETIC_DISCOUNT
    if phonetic_similarity > similarity:
        similarity = phonetic_similarity
    if bare is not None or other_bare is not None:
        bare_similarity = _osa(bare or text, other_bare or other_text, cutoff)
        if bare_similarity > similarity:
            similarity = bare_similarity
    if left.abjad and right.abjad and similarity < PHONETIC_EQUAL_SIMILARITY:
        # Both written in the script itself, not transliterated: a letter that differs is
        # a different name more often than a variant spelling ("أحمد", "محمد").
        similarity -= IN_SCRIPT_EDIT_PENALTY
    if similarity < INFLECTED_SIMILARITY and _inflected(text, other_text):
        similarity = INFLECTED_SIMILARITY
    compound, other_compound = left.compound, right.compound
    if similarity >= ALIGN_MIN_SIMILARITY and compound is not None \
            and other_compound is not None and compound[0] == other_compound[0]:
        # Two theophoric compounds of one kind whose stems differ outright are different
        # names: "Abdulhamid" and "Abdulghani" share only the "servant of". Stems merely
        # alike are left to the whole words: transliterations vary them ("Abdulmunim",
        # "Abdulmenhem").
        stem_similarity = _similarity(make_part(compound[1], left.abjad),
                                      make_part(other_compound[1], right.abjad), 0.0)
        if stem_similarity < COMPOUND_STEM_MIN_SIMILARITY:
            return stem_similarity
    return similarity


def _inflected(text: str, other: str) -> bool:
    """Gives whether one spelling is the other with a nominative ending of the Baltic
    languages, which add one to foreign names ("Lavrovas", "Lavrovs" for Lavrov)."""
    shorter, longer = (text, other) if len(text) < len(other) else (other, text)
    if len(shorter) < MIN_INFLECTED_STEM or not longer.startswith(shorter):
        return False
    return longer[len(shorter):] in INFLECTION_ENDINGS


def _align(
    left: tuple[NamePart, ...], right: tuple[NamePart, ...]
) -> list[tuple[int, int, float]]:
    """Gives the greedy best one-to-one alignment as (left index, right index, similarity)."""
    candidates = []
    for i, left_part in enumerate(left):
        left_text = left_part.text
        for j, right_part in enumerate(right):
            if left_text == right_part.text:
                candidates.append((1.0, -abs(i - j), i, j))
                continue
            similarity = _similarity(left_part, right_part, ALIGN_MIN_SIMILARITY)
            if similarity >= ALIGN_MIN_SIMILARITY:
                candidates.append((similarity, -abs(i - j), i, j))
    if len(candidates) <= 1:
        return [(i, j, similarity) for similarity, _, i, j in candidates]
    candidates.sort(reverse=True)
    used_left = [False] * len(left)
    used_right = [False] * len(right)
    pairs = []
    for similarity, _, i, j in candidates:
        if used_left[i] or used_right[j]:
            continue
        used_left[i] = used_right[j] = True
        pairs.append((i, j, similarity))
    return pairs


def _join_split_parts(
    parts: tuple[NamePart, ...], other: tuple[NamePart, ...], weak: list[bool]
) -> tuple[NamePart, ...] | None:
    """Gives `parts` with two adjacent ones joined where the join matches a part of `other`."""
    if len(parts) < 2:
        return None  # nothing to join
    targets = [other_part for position, other_part in enumerate(other)
               if weak[position] and not other_part.initial]
    if not targets:
        return None
    for index in range(len(parts) - 1):
        first, second = parts[index], parts[index + 1]
        if first.numeric or second.numeric:
            continue
        # A name and a half of a theophoric compound left apart ("Ansar Dine", no article to
        # mark it) that the other name writes as one word ("Ansaruddin") are joined as one
        # word is written, and need only the similarity of aligned parts.
        suffix = COMPOUND_HALVES.get(second.text)
        joined_text = first.text + (second.text if suffix is None else suffix)
        minimum = JOIN_MIN_SIMILARITY if suffix is None else ALIGN_MIN_SIMILARITY
        # A similarity of `minimum` allows at most this share of the longer length to
        # differ, and the length difference alone is that many edits: checked on lengths
        # before any string is compared.
        max_gap = 1.0 - minimum
        joined_length = len(joined_text)
        for target_part in targets:
            target = target_part.text
            if target_part.abjad != first.abjad:
                # Across scripts, lengths differ by the vowels one of them does not write.
                similarity = abjad_latin_similarity(joined_text, target) if first.abjad \
                    else abjad_latin_similarity(target, joined_text)
                if similarity >= minimum:
                    merged = make_part(joined_text, first.abjad)
                    return parts[:index] + (merged,) + parts[index + 2:]
                continue
            if target_part.source is not None and first.source is None:
                # A name sounded out syllable by syllable that the Latin spelling writes in
                # pieces ("Yong Chol").
                if syllabic_latin_similarity(target, joined_text,
                                             target_part.source) >= minimum:
                    merged = make_part(joined_text, first.abjad)
                    return parts[:index] + (merged,) + parts[index + 2:]
                continue
            target_length = len(target)
            longer = joined_length if joined_length > target_length else target_length
            if abs(joined_length - target_length) > max_gap * longer:
                continue
            if _osa(joined_text, target, minimum) >= minimum:
                merged = make_part(joined_text, first.abjad)
                return parts[:index] + (merged,) + parts[index + 2:]
    return None


def _weakly_matched(
    count: int, pairs: list[tuple[int, int, float]], side: int
) -> list[bool]:
    """Gives, per part of one side, whether it is unmatched or matched below 0.9."""
    weak = [True] * count
    for i, j, similarity in pairs:
        if similarity >= STRONG_SIMILARITY:
            weak[j if side else i] = False
    return weak


def _role_swaps(
    left: NormalizedName,
    right: NormalizedName,
    left_parts: tuple[NamePart, ...],
    right_parts: tuple[NamePart, ...],
    pairs: list[tuple[int, int, float]],
) -> int:
    """Gives how many aligned pairs are a bearer's name on one side, a father's on the other."""
    if not left.roles or not right.roles:
        return 0
    left_roles = dict(zip(left.parts, left.roles, strict=True))
    right_roles = dict(zip(right.parts, right.roles, strict=True))
    swaps = 0
    for i, j, _ in pairs:
        roles = {left_roles.get(left_parts[i], ""), right_roles.get(right_parts[j], "")}
        if roles == {"bearer", "father"}:
            swaps += 1
    return swaps


def _is_child_chain(left_parts: tuple[NamePart, ...], right_parts: tuple[NamePart, ...],
                    pairs: list[tuple[int, int, float]]) -> bool:
    """Gives whether one name is the other with one more given name before it, every part
    in the same place after it: an Arabic name is a chain of given name, father's name,
    grandfather's…, so that is the name of a child of the other ("Ali Saddam Hussein" and
    "Saddam Hussein"). An article opening a name ("Al-Azhar") is no given name."""
    left_count, right_count = len(left_parts), len(right_parts)
    if abs(left_count - right_count) != 1 or len(pairs) != min(left_count, right_count) \
            or len(pairs) < 2:
        return False
    longer = left_parts if left_count > right_count else right_parts
    if longer[0].text in ARTICLES:
        return False
    shift = 1 if left_count > right_count else -1
    return all(i - j == shift for i, j, _ in pairs)


def _join_until_aligned(
    left_parts: tuple[NamePart, ...], right_parts: tuple[NamePart, ...]
) -> tuple[tuple[NamePart, ...], tuple[NamePart, ...], list[tuple[int, int, float]]]:
    """Gives both part lists, after joining parts split on one side only, and their alignment."""
    pairs = _align(left_parts, right_parts)
    left_count, right_count = len(left_parts), len(right_parts)
    if left_count == 1 and right_count == 1:
        return left_parts, right_parts, pairs
    for _ in range(2):
        if len(pairs) == left_count == right_count and \
                all(pair[2] >= STRONG_SIMILARITY for pair in pairs):
            break  # every part of both names strongly matched: nothing to join
        weak_left = _weakly_matched(left_count, pairs, 0)
        weak_right = _weakly_matched(right_count, pairs, 1)
        if True not in weak_left and True not in weak_right:
            break
        joined_left = _join_split_parts(left_parts, right_parts, weak_right)
        joined_right = None
        if joined_left is None and True in weak_left:
            joined_right = _join_split_parts(right_parts, left_parts, weak_left)
        if joined_left is None and joined_right is None:
            break
        left_parts = joined_left or left_parts
        right_parts = joined_right or right_parts
        left_count, right_count = len(left_parts), len(right_parts)
        pairs = _align(left_parts, right_parts)
    return left_parts, right_parts, pairs


def score_normalized(
    left: NormalizedName, right: NormalizedName, explain: bool = False, strict: bool = False
) -> tuple[float, dict[str, Any] | None]:
    """Gives the score of two normalised names, and the explanation when asked for.

    `strict` counts parts only one name has in full: for weak aliases, which identify
    someone only when the whole alias is found.
    """
    score, workings = score_with_workings(left, right, strict)
    return score, (explanation_of(workings) if explain else None)


class Workings:
    """What a score was worked out from, kept so that an explanation can be written later for
    the few comparisons that need one (the returned matches of a search) without scoring
    again. A plain class with an explicit constructor, as the module is compiled (see
    `Comparison`); one is made per scored pair. Never changed once made.
    """

    __slots__ = ("left", "right", "left_parts", "right_parts", "pairs", "pair_weights",
                 "open_left", "open_right", "conflicts", "extra_factor", "weight_left",
                 "weight_right", "missing_given", "penalties", "score")

    def __init__(
        self,
        left: NormalizedName,
        right: NormalizedName,
        left_parts: tuple[NamePart, ...],
        right_parts: tuple[NamePart, ...],
        pairs: list[tuple[int, int, float]],
        pair_weights: list[float],
        open_left: list[tuple[NamePart, float]],
        open_right: list[tuple[NamePart, float]],
        conflicts: int,
        extra_factor: float,
        weight_left: float,
        weight_right: float,
        missing_given: NamePart | None,
        penalties: list[tuple[str, float, dict[str, Any]]],
        score: float,
    ) -> None:
        # Both names, and their parts after joining parts written apart on one side only.
        self.left = left
        self.right = right
        self.left_parts = left_parts
        self.right_parts = right_parts
        # The aligned pairs (left index, right index, similarity) and each pair's weight.
        self.pairs = pairs
        self.pair_weights = pair_weights
        # What each side leaves unexplained, with the weight it counts at.
        self.open_left = open_left
        self.open_right = open_right
        # How many unmatched parts conflict, and the factor unmatched weight counted at.
        self.conflicts = conflicts
        self.extra_factor = extra_factor
        self.weight_left = weight_left
        self.weight_right = weight_right
        # A person's given name missing on one side while found further on in the other.
        self.missing_given = missing_given
        # (reason, amount, details) of each penalty, and the final score.
        self.penalties = penalties
        self.score = score


def score_with_workings(
    left: NormalizedName, right: NormalizedName, strict: bool = False
) -> tuple[float, Workings | None]:
    """Gives the score of two normalised names and its workings (see `explanation_of`);
    no workings when a name has no comparable parts."""
    left_parts, right_parts = left.words, right.words
    if not left_parts or not right_parts:
        return 0.0, None
    left_parts, right_parts, pairs = _join_until_aligned(left_parts, right_parts)

    # What each side leaves unexplained: its unmatched parts, and the rest of every full
    # part that only an initial on the other side stands for ("Joachim" for "J.").
    matched_left = [False] * len(left_parts)
    matched_right = [False] * len(right_parts)
    for i, j, _ in pairs:
        matched_left[i] = matched_right[j] = True
    open_left = [(p, p.weight) for i, p in enumerate(left_parts) if not matched_left[i]]
    open_right = [(p, p.weight) for j, p in enumerate(right_parts) if not matched_right[j]]
    aligned_weight = 0.0
    matched_value = 0.0
    pair_weights = []
    only_initials = bool(pairs)
    for i, j, similarity in pairs:
        left_part, right_part = left_parts[i], right_parts[j]
        if left_part.initial or right_part.initial:
            weight = min(left_part.weight, right_part.weight)
            if not left_part.initial:
                open_left.append((left_part, left_part.weight - weight))
            elif not right_part.initial:
                open_right.append((right_part, right_part.weight - weight))
        else:
            weight = (left_part.weight + right_part.weight) / 2
            only_initials = False
        pair_weights.append(weight)
        aligned_weight += weight
        matched_value += weight * similarity

    conflicts = min(len(open_left), len(open_right))
    person = left.kind == PERSON or right.kind == PERSON
    if conflicts or strict:
        extra_factor = 1.0
    else:
        extra_factor = EXTRA_PERSON_PART_FACTOR if person else EXTRA_PART_FACTOR
    weight_left = weight_right = 0.0
    for _, weight in open_left:
        weight_left += weight
    for _, weight in open_right:
        weight_right += weight
    denominator = aligned_weight + extra_factor * (weight_left + weight_right)
    missing_given = None
    if person and extra_factor < 1.0 and pairs:
        # A person's first (given) name missing while the other name's first part is found
        # further on ("Patrick Ryan" in "Damion Patrick Ryan"): not just a middle name.
        if not matched_left[0] and matched_right[0]:
            missing_given = left_parts[0]
        elif not matched_right[0] and matched_left[0]:
            missing_given = right_parts[0]
        if missing_given is not None:
            denominator += (1.0 - extra_factor) * missing_given.weight
    score = matched_value / denominator if denominator else 0.0

    # Each penalty: (reason, amount, details for the explanation).
    penalties: list[tuple[str, float, dict[str, Any]]] = []
    if conflicts and pairs:
        penalties.append(("conflicting_parts", CONFLICT_PENALTY * conflicts, {
            "parts": [[p.text for p, _ in open_left], [p.text for p, _ in open_right]]}))
        score -= CONFLICT_PENALTY * conflicts
    if only_initials and score > INITIALS_ONLY_CAP:
        penalties.append(("initials_only", score - INITIALS_ONLY_CAP, {}))
        score = INITIALS_ONLY_CAP
    if person and score > SINGLE_PART_CAP and min(len(left_parts), len(right_parts)) == 1 \
            and max(len(left_parts), len(right_parts)) > 1:
        # One word of a person's name ("Tom", "Putin") found in a longer name.
        penalties.append(("single_part_name", score - SINGLE_PART_CAP, {}))
        score = SINGLE_PART_CAP
    if person and (left_parts[0].abjad or right_parts[0].abjad) \
            and _is_child_chain(left_parts, right_parts, pairs):
        penalties.append(("name_of_a_child", CHILD_CHAIN_PENALTY, {}))
        score -= CHILD_CHAIN_PENALTY
    swaps = _role_swaps(left, right, left_parts, right_parts, pairs) if left.roles else 0
    if swaps:
        penalties.append(("bearer_father_swapped", SWAPPED_ROLE_PENALTY * swaps, {}))
        score -= SWAPPED_ROLE_PENALTY * swaps
    left_numbers, right_numbers = left.numbers, right.numbers
    if left_numbers != right_numbers:
        amount = NUMBER_MISMATCH_PENALTY if left_numbers and right_numbers else NUMBER_EXTRA_PENALTY
        penalties.append(("number_mismatch", amount, {
            "numbers": [sorted(left_numbers), sorted(right_numbers)]}))
        score -= amount
    if (
        not person
        and left.legal_forms and right.legal_forms
        and set(left.legal_forms).isdisjoint(right.legal_forms)
    ):
        penalties.append(("legal_form_mismatch", LEGAL_FORM_PENALTY, {
            "forms": [list(left.legal_forms), list(right.legal_forms)]}))
        score -= LEGAL_FORM_PENALTY
    score = 0.0 if score < 0.0 else 1.0 if score > 1.0 else score
    return score, Workings(left, right, left_parts, right_parts, pairs, pair_weights, open_left,
                           open_right, conflicts, extra_factor, weight_left, weight_right,
                           missing_given, penalties, score)


def explanation_of(workings: Workings | None) -> dict[str, Any]:
    """Gives the JSON-ready explanation of a score from its workings."""
    if workings is None:
        return {"reason": "a name has no comparable parts"}
    left, right = workings.left, workings.right
    left_parts, right_parts = workings.left_parts, workings.right_parts
    pairs, pair_weights = workings.pairs, workings.pair_weights
    open_left, open_right = workings.open_left, workings.open_right
    weight_left, weight_right = workings.weight_left, workings.weight_right
    missing_given = workings.missing_given
    explained: list[dict[str, Any]] = []
    if weight_left or weight_right:
        explained.append({
            "penalty": "conflicting_parts_weight" if workings.conflicts else "extra_parts",
            "weight_factor": workings.extra_factor,
            "weight": _rounded(weight_left + weight_right),
        })
    if missing_given is not None:
        explained.append({"penalty": "missing_given_name", "part": missing_given.text,
                          "weight_factor": 1.0})
    explained += [{"penalty": reason, "amount": _rounded(amount), **details}
                  for reason, amount, details in workings.penalties]
    explanation: dict[str, Any] = {
        "name1": left.describe(),
        "name2": right.describe(),
        "aligned": [
            _aligned_pair(left_parts[i], right_parts[j], similarity, weight)
            for (i, j, similarity), weight in sorted(zip(pairs, pair_weights, strict=True))
        ],
        "unmatched_name1": [{"part": p.text, "weight": _rounded(weight)}
                            for p, weight in open_left],
        "unmatched_name2": [{"part": p.text, "weight": _rounded(weight)}
                            for p, weight in open_right],
        "penalties": explained,
        "score": round(workings.score, 4),
    }
    return explanation


def _aligned_pair(
    left: NamePart, right: NamePart, similarity: float, weight: float
) -> dict[str, Any]:
    """Gives one aligned pair for an explanation; a pair from two scripts also shows, as
    `met_on`, the form both sides were brought to and compared on."""
    pair: dict[str, Any] = {"name1_part": left.text, "name2_part": right.text,
                            "similarity": _rounded(similarity), "weight": _rounded(weight)}
    if left.abjad != right.abjad:
        pair["met_on"] = {"form": "consonant skeleton", "name1": left.skeleton,
                          "name2": right.skeleton, "similarity": _rounded(similarity)}
    elif (left.source is None) != (right.source is None) and left.text != right.text:
        keys = loan_key(left.text), loan_key(right.text)
        if len(keys[0]) >= MIN_LOAN_KEY and len(keys[1]) >= MIN_LOAN_KEY:
            pair["met_on"] = {"form": "sounded consonants", "name1": keys[0],
                              "name2": keys[1], "similarity": _rounded(similarity)}
    return pair


def compare(
    name1: str,
    name2: str,
    kind: str | None = None,
    *,
    threshold: float | None = None,
    explain: bool = True,
) -> Comparison:
    """Gives the comparison of two names of the given kind (person, organization, …)."""
    left = normalize_name(name1, kind)
    right = normalize_name(name2, kind)
    score, explanation = score_normalized(left, right, explain=explain)
    decision = score >= (DEFAULT_THRESHOLD if threshold is None else threshold)
    if explanation is not None:
        explanation["threshold"] = DEFAULT_THRESHOLD if threshold is None else threshold
        explanation["kind"] = left.kind
    return Comparison(score=score, match=decision, explanation=explanation or {})


__all__ = [
    "DEFAULT_THRESHOLD",
    "ORGANIZATION",
    "PERSON",
    "Comparison",
    "Workings",
    "compare",
    "explanation_of",
    "part_similarity",
    "score_normalized",
    "score_with_workings",
]

"""Designation claims: sentences saying a mentioned entity is, or is not, designated.

Finding claims is pure text processing over a text and its mentions. A sentence makes a claim
when it holds a *cue* (designated, sanctioned, blacklisted, listed as/on, terrorist
organisation, FTO, SDGT, … or their negations: not designated, never listed, not on any list,
delisted) and a mention to attribute it to. The claim goes to the entity the cue is about,
not to every entity in the sentence:

- an active verb right before a mention is about that mention ("Treasury designated X");
- otherwise the cue is about the nearest mention before it, the subject or the appositive
  head ("X, a U.S.-designated terrorist entity", "X was sanctioned"), skipping an insertion
  between them ("X, who founded Y, was designated" is about X);
- with no mention before it, the first mention after it, if close.

Judging a claim (`judge_claims`) reads the designation status of its entity or list entry
from the active list versions, and gives the evidence either way. `record_claim_verdicts`
keeps each claim's judgements as list versions change: one row per change of verdict or of
the versions judged against (`ClaimVerdict`), read back as the claim's history.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, func, select

from service.documents.mentions import Mention
from service.lists.programs import explain
from service.models import (
    ClaimVerdict,
    DocumentClaim,
    ListEntryRow,
    ListVersion,
    SanctionsList,
    utcnow,
)
from service.registry.designations import Designation, designations_for
from service.registry.passages import split_sentences

DESIGNATED = "designated"
NOT_DESIGNATED = "not_designated"
AGREES, CONFLICTS, UNKNOWN = "agrees", "conflicts", "unknown"
STATUSES = (AGREES, CONFLICTS, UNKNOWN)
# Designation statuses beside listed / not_listed / unknown (registry/designations.py).
POSSIBLE, REMOVED = "possible", "removed"

_VERB = r"(?:designated|listed|sanctioned|blacklisted)"
_NEGATOR = r"(?:\bnot\b|\bnever\b|\bno\s+longer\b|n['’]t\b)"
# One character of the words between a negation and its list or verb: anything within the
# clause, including the dots of an abbreviation of capitals ("not on any U.S. sanctions
# list", "never listed by the U.N."), which do not end it.
_IN_CLAUSE = r"(?:[^.;:!?]|(?<=\b[A-Z])\.)"
# Negations first: their words must not also count as a positive cue.
_NEGATIVE_CUES = [
    re.compile(rf"{_NEGATOR}(?!\s+only\b){_IN_CLAUSE}{{0,30}}?\b{_VERB}\b", re.IGNORECASE),
    re.compile(rf"\bnot\s+(?:on|in)\s+(?:any|the|a)\b{_IN_CLAUSE}{{0,40}}?\b(?:black)?lists?\b",
               re.IGNORECASE),
    re.compile(r"\bnot\s+(?:subject\s+to|under)\s+(?:any\s+)?(?:[\w.]+\s+)?sanctions\b",
               re.IGNORECASE),
    re.compile(rf"\bde-?listed\b|\bremoved\s+from\s+(?:the|any)\b{_IN_CLAUSE}{{0,40}}?\blist\b",
               re.IGNORECASE),
]
# Cues naming a program: the claim is then also checked against the entry's programs.
_PROGRAM_CUES = [
    (re.compile(r"\bForeign\s+Terrorist\s+Organi[sz]ations?\b|\bFTOs?\b"), "FTO"),
    (re.compile(r"\bSpecially\s+Designated\s+Global\s+Terrorists?\b|\bSDGTs?\b"), "SDGT"),
]
_POSITIVE_CUES = [
    re.compile(r"\b(?:designated|sanctioned|blacklisted)\b", re.IGNORECASE),
    re.compile(r"\blisted\s+(?:as|by|on|under)\b|\b(?:is|are|was|were|been|remains?)\s+listed\b",
               re.IGNORECASE),
    re.compile(r"\bterrorist\s+(?:organi[sz]ations?|groups?|entit(?:y|ies))\b", re.IGNORECASE),
    re.compile(r"\b(?:classified|deemed|branded|labell?ed|considered)\s+(?:as\s+)?(?:an?\s+)?"
               r"terrorists?\b", re.IGNORECASE),
    re.compile(r"\bon\s+the\s+(?:[\w.’'-]+\s+){0,3}?(?:SDN|sanctions?|black)\s*list\b",
               re.IGNORECASE),
    re.compile(r"\b(?:subject\s+to|under)\s+(?:U\.S\.\s+|US\s+|American\s+)?sanctions\b",
               re.IGNORECASE),
]
# What may separate an active verb from its object ("designated the X", "sanctioned X").
_OBJECT_GAP = re.compile(r"[\s,]*(?:(?:the|both|also|its|their|former)\s+)*")
# A be-verb right before the cue makes it passive: the claim is about what came before.
_PASSIVE = re.compile(r"\b(?:is|are|was|were|be|been|being|remains?|got)\s+(?:\w+\s+)?$",
                      re.IGNORECASE)
# A comma-delimited insertion: a relative clause or an appositive ("X, the Y chief, was").
_INSERTION = re.compile(r",[^,]*$")
_CLAUSE_THEN_VERB = re.compile(r"[^,]*,\s*(?:(?:has|have|had|is|are|was|were)\b)", re.IGNORECASE)
# How far a mention after the cue may be when nothing before it can be the subject.
_MAX_FOLLOWING_GAP = 80


@dataclass
class FoundClaim:
    """A claim found in a text: the sentence, the mention it is about and the cue words."""

    start: int
    end: int
    mention: Mention
    claim: str
    cue: str
    programs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Cue:
    start: int
    end: int
    claim: str
    program: str | None


def find_claims(text: str, mentions: Sequence[Mention]) -> list[FoundClaim]:
    """Gives the designation claims of `text` about its `mentions`, in text order."""
    ordered = sorted(mentions, key=lambda m: m.start)
    claims: list[FoundClaim] = []
    for start, end in split_sentences(text):
        inside = [m for m in ordered if m.start >= start and m.end <= end]
        if not inside:
            continue
        found: dict[tuple[int, str], FoundClaim] = {}
        for cue in _cues(text, start, end, inside):
            target = _target(text, start, cue, inside)
            if target is None:
                continue
            key = (target.start, cue.claim)
            claim = found.get(key)
            if claim is None:
                claim = FoundClaim(start, end, target, cue.claim, text[cue.start:cue.end])
                found[key] = claim
            if cue.program and cue.program not in claim.programs:
                claim.programs.append(cue.program)
        claims.extend(sorted(found.values(), key=lambda c: c.mention.start))
    return claims


def _cues(text: str, start: int, end: int, mentions: Sequence[Mention]) -> list[_Cue]:
    taken: list[tuple[int, int]] = [(m.start, m.end) for m in mentions]
    cues: list[_Cue] = []

    def add(pattern: re.Pattern[str], claim: str, program: str | None = None) -> None:
        for match in pattern.finditer(text, start, end):
            span = match.span()
            if any(span[0] < e and s < span[1] for s, e in taken):
                continue
            taken.append(span)
            cues.append(_Cue(span[0], span[1], claim, program))

    for pattern in _NEGATIVE_CUES:
        add(pattern, NOT_DESIGNATED)
    for pattern, program in _PROGRAM_CUES:
        add(pattern, DESIGNATED, program)
    for pattern in _POSITIVE_CUES:
        add(pattern, DESIGNATED)
    return sorted(cues, key=lambda c: c.start)


def _target(text: str, sentence_start: int, cue: _Cue, mentions: Sequence[Mention]
            ) -> Mention | None:
    before = [m for m in mentions if m.end <= cue.start]
    after = [m for m in mentions if m.start >= cue.end]
    passive = _PASSIVE.search(text, max(sentence_start, cue.start - 30), cue.start) is not None
    if after and not passive and _OBJECT_GAP.fullmatch(text, cue.end, after[0].start):
        return after[0]
    if before:
        index = len(before) - 1
        # "X, who founded Y, was designated", "X, the Y chief, was designated": Y sits in an
        # insertion about X that closes right before the verb. ("X, which is headed by Y, a
        # man sanctioned" has no verb after the comma: it is about Y.)
        while (index > 0 and passive
               and _CLAUSE_THEN_VERB.match(text, before[index].end, cue.start)
               and _INSERTION.search(text, before[index - 1].end, before[index].start)):
            index -= 1
        return before[index]
    if after and after[0].start - cue.end <= _MAX_FOLLOWING_GAP:
        return after[0]
    return None


# --- judging against the lists -------------------------------------------------------------


@dataclass
class Judgement:
    """Whether the lists agree with a claim, and what they say."""

    status: str
    reason: str
    evidence: list[dict[str, Any]]
    # The list versions judged against: list id -> version id (lists with no version left out).
    versions: dict[str, int] = field(default_factory=dict)


def judge_claims(claims: Sequence[DocumentClaim], *, session: Session) -> list[Judgement]:
    """Gives each claim's judgement against the active list versions, in the same order."""
    entity_ids = sorted({c.entity_id for c in claims if c.entity_id})
    by_entity = designations_for(entity_ids, session=session) if entity_ids else {}
    entries = _active_entries([(c.list_id, c.list_key) for c in claims
                               if not c.entity_id and c.list_id and c.list_key],
                              session=session)
    judgements = []
    for claim in claims:
        if claim.entity_id:
            designations = by_entity.get(claim.entity_id, [])
        elif claim.list_id and claim.list_key:
            designations = [entries.get((claim.list_id, claim.list_key),
                                        Designation(list_id=claim.list_id, status="unknown",
                                                    listed=None))]
        else:
            designations = []
        judgement = _judge(claim, designations)
        judgement.versions = {d.list_id: d.version for d in designations
                              if d.version is not None}
        judgements.append(judgement)
    return judgements


def record_claim_verdicts(*, session: Session) -> int:
    """Judges every stored claim against the active list versions and appends a verdict row
    for each claim whose verdict (status, reason) or versions differ from its last row;
    gives how many rows were appended. Run it after list versions activate."""
    session.flush()
    claims = list(session.exec(select(DocumentClaim).order_by(col(DocumentClaim.id))).all())
    if not claims:
        return 0
    last = _last_verdicts(session)
    judged_at = utcnow()
    appended = 0
    for claim, judgement in zip(claims, judge_claims(claims, session=session), strict=True):
        if claim.id is None:  # not stored: nothing to keep a history of
            continue
        previous = last.get(claim.id)
        if previous is not None and (previous.status, previous.reason, previous.versions) == (
                judgement.status, judgement.reason, judgement.versions):
            continue
        session.add(ClaimVerdict(claim_id=claim.id, status=judgement.status,
                                 reason=judgement.reason, evidence=judgement.evidence,
                                 versions=judgement.versions, judged_at=judged_at))
        appended += 1
    if appended:
        session.flush()
    return appended


def claim_histories(claim_ids: Sequence[int], *, session: Session
                    ) -> dict[int, list[ClaimVerdict]]:
    """Gives each claim's recorded verdicts, oldest first."""
    histories: dict[int, list[ClaimVerdict]] = {claim_id: [] for claim_id in claim_ids}
    if not claim_ids:
        return histories
    for row in session.exec(select(ClaimVerdict).where(
            col(ClaimVerdict.claim_id).in_(sorted(set(claim_ids))))
            .order_by(col(ClaimVerdict.id))).all():
        histories[row.claim_id].append(row)
    return histories


def _last_verdicts(session: Session) -> dict[int, ClaimVerdict]:
    """Gives the newest verdict row of every claim that has one."""
    newest = select(func.max(ClaimVerdict.id)).group_by(col(ClaimVerdict.claim_id))
    return {row.claim_id: row for row in session.exec(
        select(ClaimVerdict).where(col(ClaimVerdict.id).in_(newest))).all()}


def _judge(claim: DocumentClaim, designations: Sequence[Designation]) -> Judgement:
    """Judges one claim against its designations on every list.

    A designation's status is listed | possible | not_listed | removed | unknown (older
    readers give only listed | not_listed | unknown). `listed` alone settles a claim either
    way; a `possible` match (a name-match suggestion nobody has reviewed yet) leaves the
    claim open; `removed` counts as not listed now, and the reason says so.
    """
    listed = [d for d in designations if d.listed is True and d.status != POSSIBLE]
    possible = [d for d in designations if d.status == POSSIBLE]
    checked = [d for d in designations if d.status != "unknown"]
    if not checked:
        # A list with a version whose entities were not checked yet says so in its note.
        pending = [f"{d.list_id} version {d.version}"
                   + (f" ({note})" if (note := getattr(d, "note", None)) else "")
                   for d in designations if d.version is not None]
        if pending:
            return Judgement(UNKNOWN, "Not checked yet against " + "; ".join(pending) + ".", [])
        return Judgement(UNKNOWN, "No active list version to check the claim against.", [])
    if listed:
        if claim.claim == NOT_DESIGNATED:
            return Judgement(CONFLICTS, _listed_reason(listed), _evidence(listed))
        cited = list(claim.programs or [])
        if cited and not any(code in list(d.programs) for d in listed for code in cited):
            return Judgement(
                CONFLICTS,
                f"Listed, but not under {', '.join(cited)}: {_listed_reason(listed)}",
                _evidence(listed),
            )
        return Judgement(AGREES, _listed_reason(listed), _evidence(listed))
    if possible:
        return Judgement(UNKNOWN, _possible_reason(possible), _evidence(possible))
    status = AGREES if claim.claim == NOT_DESIGNATED else CONFLICTS
    return Judgement(status, _not_listed_reason(checked), _evidence(checked))


def _listed_reason(listed: Sequence[Designation]) -> str:
    return "; ".join(
        f"listed on {d.list_id} version {d.version} as entry {d.list_key}"
        + (f" ({', '.join(d.programs)})" if d.programs else "")
        for d in listed
    ) + "."


def _possible_reason(possible: Sequence[Designation]) -> str:
    return "A possible match awaits review: " + "; ".join(
        f"{d.list_id} version {d.version}"
        + (f" entry {d.list_key}" if d.list_key else "")
        + (f" ({d.matched_name})" if d.matched_name else "")
        for d in possible
    ) + "."


def _not_listed_reason(checked: Sequence[Designation]) -> str:
    parts = []
    for d in checked:
        where = f"{d.list_id} version {d.version}" + (
            f" ({d.data_date.isoformat()})" if d.data_date else "")
        if d.status == REMOVED:
            # Fields the extended Designation carries; absent before it (then None).
            key = getattr(d, "removed_key", None) or d.list_key
            left = getattr(d, "left_in_version", None)
            last = getattr(d, "last_version", None)
            parts.append(f"{where}: {f'entry {key}' if key else 'the entry'} was removed"
                         + (f" in version {left}" if left is not None else "")
                         + (f", last listed in version {last}" if last is not None else ""))
        else:
            parts.append(where)
    return "No entry on " + "; ".join(parts) + "."


def _evidence(designations: Sequence[Designation]) -> list[dict[str, Any]]:
    return [
        {
            "list": d.list_id,
            "version": d.version,
            "data_date": d.data_date.isoformat() if d.data_date else None,
            "listed": bool(d.listed),
            "status": d.status,
            "list_key": d.list_key or getattr(d, "removed_key", None),
            "name": d.matched_name,
            "programs": list(d.programs),
            "program_details": explain(list(d.programs)),
        }
        for d in designations
    ]


def _active_entries(keys: Sequence[tuple[str, str]], *, session: Session
                    ) -> dict[tuple[str, str], Designation]:
    """Gives the status of list entries (by list and key) on their lists' active versions.

    An entry missing from the active version but held by an earlier one (up to the active
    one: a rolled-back list's later imports do not count) is `removed`, with the last
    version it was on and the one it left in, as for an entity's links.
    """
    result: dict[tuple[str, str], Designation] = {}
    wanted: dict[str, set[str]] = {}
    for list_id, key in keys:
        wanted.setdefault(list_id, set()).add(key)
    for list_id, wanted_keys in wanted.items():
        sanctions_list = session.get(SanctionsList, list_id)
        version = (session.get(ListVersion, sanctions_list.active_version_id)
                   if sanctions_list and sanctions_list.active_version_id else None)
        if version is None or version.id is None:
            continue
        rows = {row.key: row for row in session.exec(select(ListEntryRow).where(
            ListEntryRow.version_id == version.id, col(ListEntryRow.key).in_(sorted(wanted_keys))
        )).all()}
        earlier = _earlier_versions(list_id, version.id, set(wanted_keys) - set(rows),
                                    session=session)
        for key in wanted_keys:
            row = rows.get(key)
            if row is not None:
                result[(list_id, key)] = Designation(
                    list_id=list_id, status="listed", listed=True, programs=list(row.programs),
                    list_key=key, list_keys=[key], matched_name=row.name, version=version.id,
                    data_date=version.data_date)
            elif earlier.get(key):
                last = max(earlier[key])
                result[(list_id, key)] = Designation(
                    list_id=list_id, status=REMOVED, listed=False, version=version.id,
                    data_date=version.data_date, removed_key=key, last_version=last,
                    left_in_version=_first_version_after(list_id, last, version.id,
                                                         session=session))
            else:
                result[(list_id, key)] = Designation(
                    list_id=list_id, status="not_listed", listed=False, version=version.id,
                    data_date=version.data_date)
    return result


def _earlier_versions(list_id: str, active_id: int, keys: set[str], *, session: Session
                      ) -> dict[str, list[int]]:
    """Gives, per key, the versions of the list before the active one that held it."""
    seen: dict[str, list[int]] = {}
    if not keys:
        return seen
    for key, version_id in session.exec(
        select(ListEntryRow.key, ListEntryRow.version_id)
        .join(ListVersion, col(ListVersion.id) == col(ListEntryRow.version_id))
        .where(ListVersion.list_id == list_id, col(ListEntryRow.key).in_(sorted(keys)),
               col(ListEntryRow.version_id) < active_id)
        .order_by(col(ListEntryRow.version_id))
    ).all():
        seen.setdefault(key, []).append(version_id)
    return seen


def _first_version_after(list_id: str, version_id: int, until: int, *, session: Session
                         ) -> int:
    """Gives the list's first version after `version_id`, at most `until` (the active one)."""
    first = session.exec(
        select(func.min(ListVersion.id)).where(
            ListVersion.list_id == list_id, col(ListVersion.id) > version_id,
            col(ListVersion.id) <= until)).one()
    return first if first is not None else until

"""Helpers every source parser shares: reading files safely, XML, dates and name clean-up.

Each helper turns whatever can go wrong with a file (a truncated gzip, bytes that are not
UTF-8, broken XML, a DTD) into `ListFormatError`, so a parser never lets another exception
type escape.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, cast
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree

from service.lists.entry import EntryName, ListEntry, ListFormatError, ParseResult

GZIP_MAGIC = b"\x1f\x8b"

# Bidirectional-text controls that OFAC wraps around Arabic and Hebrew names: they are
# formatting, not letters, and would make an otherwise identical name compare unequal.
_BIDI_CONTROLS = dict.fromkeys(
    [0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069]
)


# --- files -----------------------------------------------------------------------------


@contextmanager
def open_binary(path: Path) -> Iterator[IO[bytes]]:
    """Gives a byte stream of the file, gunzipped on the fly when its first bytes say gzip."""
    try:
        raw = path.open("rb")
    except FileNotFoundError as exc:
        raise ListFormatError("file not found", file=str(path)) from exc
    except OSError as exc:
        raise ListFormatError(f"cannot open file: {exc.strerror or exc}", file=str(path)) from exc
    with raw:
        magic = raw.read(2)
        raw.seek(0)
        if magic == GZIP_MAGIC:
            with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                yield cast(IO[bytes], unzipped)
        else:
            yield raw


@contextmanager
def read_errors_as_format_errors(
    path: Path, current_line: Callable[[], int | None] = lambda: None
) -> Iterator[None]:
    """Gives a context in which low-level read failures become `ListFormatError`s for `path`."""
    try:
        yield
    except ListFormatError:
        raise
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise ListFormatError(
            f"compressed data is truncated or corrupt ({exc})", file=str(path), line=current_line()
        ) from exc
    except UnicodeDecodeError as exc:
        raise ListFormatError(
            f"text is not UTF-8 ({exc.reason} at byte {exc.start})",
            file=str(path),
            line=current_line(),
        ) from exc
    except OSError as exc:
        raise ListFormatError(f"cannot read file: {exc}", file=str(path)) from exc


def read_text(path: Path) -> str:
    """Gives the whole file as text (gunzipped, UTF-8, byte-order mark removed)."""
    with read_errors_as_format_errors(path), open_binary(path) as stream:
        data = stream.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ListFormatError(
            f"text is not UTF-8 ({exc.reason} at byte {exc.start})", file=str(path), line=line
        ) from exc


def read_head(path: Path, size: int = 65536) -> bytes:
    """Gives up to `size` bytes from the start of the file, gunzipped when it is gzip."""
    with read_errors_as_format_errors(path), open_binary(path) as stream:
        return stream.read(size)


# --- XML -------------------------------------------------------------------------------


def local_name(tag: str) -> str:
    """Gives an element tag without its `{namespace}` part."""
    return tag.rsplit("}", 1)[-1]


def iter_xml(path: Path, record_tags: Iterable[str]) -> Iterator[tuple[str, Element]]:
    """Gives ("", root) on the root's start tag, then (name, element) for each finished element
    whose local name is in `record_tags`; the element is emptied once the caller moves on.

    Parsing goes through defusedxml with DTDs forbidden outright: list files never carry one,
    so an entity-expansion bomb or an external entity stops at the DOCTYPE before anything is
    expanded or any file is read.
    """
    wanted = frozenset(record_tags)
    with read_errors_as_format_errors(path), open_binary(path) as stream:
        try:
            events = SafeElementTree.iterparse(
                stream,
                events=("start", "end"),
                forbid_dtd=True,
                forbid_entities=True,
                forbid_external=True,
            )
            seen_root = False
            for event, element in events:
                if not seen_root:
                    seen_root = True
                    yield "", element
                    continue
                if event == "end":
                    name = local_name(element.tag)
                    if name in wanted:
                        yield name, element
                        element.clear()
        except ParseError as exc:
            line, _column = exc.position
            message = str(exc).split(":", 1)[0]
            raise ListFormatError(
                f"XML is malformed or cut off ({message})", file=str(path), line=line
            ) from exc
        except DefusedXmlException as exc:
            raise ListFormatError(
                "XML declares a DTD or entities, which list files never do; refused unread "
                f"({type(exc).__name__})",
                file=str(path),
            ) from exc


def children(element: Element, name: str) -> Iterator[Element]:
    """Gives the direct children of `element` whose local name is `name`."""
    for child in element:
        if local_name(child.tag) == name:
            yield child


def first_child(element: Element, name: str) -> Element | None:
    """Gives the first direct child named `name`, or None."""
    return next(children(element, name), None)


def child_text(element: Element, name: str) -> str:
    """Gives the cleaned text of the first direct child named `name` ("" when absent)."""
    child = first_child(element, name)
    return clean_text(child.text) if child is not None else ""


def path_elements(element: Element, *names: str) -> list[Element]:
    """Gives the elements reached from `element` by the local-name path."""
    level = [element]
    for name in names:
        level = [found for parent in level for found in children(parent, name)]
    return level


def path_texts(element: Element, *names: str) -> list[str]:
    """Gives the cleaned, non-empty texts of the elements reached by the local-name path."""
    texts = (clean_text(found.text) for found in path_elements(element, *names))
    return [text for text in texts if text]


# --- text ------------------------------------------------------------------------------


def clean_text(value: str | None) -> str:
    """Gives the text with bidi controls dropped and whitespace runs folded to one space."""
    if not value:
        return ""
    if not value.isascii():
        value = value.translate(_BIDI_CONTROLS)
    # str.split() without arguments splits on any whitespace run and drops the ends.
    return " ".join(value.split())


def unique(values: Iterable[str]) -> list[str]:
    """Gives the non-empty values in first-seen order without repeats."""
    seen: set[str] = set()
    kept: list[str] = []
    for value in values:
        if value and value not in seen:
            seen.add(value)
            kept.append(value)
    return kept


def add_alias(aliases: list[EntryName], primary: str, candidate: EntryName) -> bool:
    """Gives True after appending `candidate`; False when it is empty, the primary name, or a
    name already listed (then nothing is added).

    A weak spelling that repeats a strong one adds nothing for matching, so the strong one
    wins; a later strong spelling replaces an earlier weak duplicate for the same reason.
    """
    if not candidate.name or candidate.name == primary:
        return False
    for index, existing in enumerate(aliases):
        if existing.name == candidate.name:
            if existing.weak and not candidate.weak:
                aliases[index] = candidate
            return False
    aliases.append(candidate)
    return True


# --- dates -----------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2}) ([A-Za-z]{3})[a-z]*\.? (\d{4})")
_MONTH_YEAR = re.compile(r"([A-Za-z]{3})[a-z]*\.? (\d{4})")
_ISO_PARTIAL = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DAY_PREFIX = re.compile(r"\d{4}-\d{2}-\d{2}")
_RANGE_SEPARATOR = re.compile(r"\s+to\s+|\s*-\s*(?=\d{4}$)")


def _single_date_to_iso(text: str) -> str | None:
    text = text.strip()
    if _ISO_PARTIAL.fullmatch(text):
        return text
    match = _DAY_MONTH_YEAR.fullmatch(text)
    if match and match.group(2).lower() in _MONTHS:
        day, month, year = int(match.group(1)), _MONTHS[match.group(2).lower()], match.group(3)
        return f"{year}-{month:02d}-{day:02d}"
    match = _MONTH_YEAR.fullmatch(text)
    if match and match.group(1).lower() in _MONTHS:
        return f"{match.group(2)}-{_MONTHS[match.group(1).lower()]:02d}"
    match = _US_DATE.fullmatch(text)
    if match:
        return f"{match.group(3)}-{int(match.group(1)):02d}-{int(match.group(2)):02d}"
    return None


def date_to_iso(text: str) -> str | None:
    """Gives an ISO 8601 partial date ("1962", "1962-03", "1962-03-04") or interval
    ("1958/1963") for the date spellings lists use ("04 Mar 1962", "circa 1962",
    "1958 to 1963", "03/04/1962"); None when the text is not a date it knows.
    """
    text = clean_text(text)
    if text.lower().startswith("circa "):
        text = text[len("circa ") :]
    parts = _RANGE_SEPARATOR.split(text)
    if len(parts) == 2:
        start, end = _single_date_to_iso(parts[0]), _single_date_to_iso(parts[1])
        if start and end:
            return start if start == end else f"{start}/{end}"
        return None
    return _single_date_to_iso(text)


def date_or_text(text: str) -> str:
    """Gives the ISO form of a date when it can be read, otherwise the cleaned text itself."""
    return date_to_iso(text) or clean_text(text)


def parse_day(text: str | None) -> date | None:
    """Gives the calendar day of an ISO date or timestamp ("2024-05-24T15:59:26-04:00") or of
    a US "05/06/2024", or None when the text is not one.
    """
    text = clean_text(text)
    iso = date_to_iso(text[:10]) if _ISO_DAY_PREFIX.match(text) else date_to_iso(text)
    if not iso or len(iso) != len("YYYY-MM-DD"):
        return None
    try:
        return date.fromisoformat(iso)
    except ValueError:
        return None


def header_date(text: str | None, what: str, path: Path) -> date | None:
    """Gives the as-of date a file states in its header, None when it states none; a value
    that is there but is no date means a damaged file.
    """
    if not clean_text(text):
        return None
    day = parse_day(text)
    if day is None:
        raise ListFormatError(f"{what} {clean_text(text)[:40]!r} is not a date", file=str(path))
    return day


# Reads one file into the shared accumulators and gives the file's data date, if it has one.
FileParser = Callable[[Path, Counter[str], set[str], list[ListEntry]], date | None]


def parse_files(paths: Sequence[Path], parse_file: FileParser, format: str) -> ParseResult:
    """Gives the entries of several files of one XML format, each entry key once.

    An entry found in two files is kept once and counted by the file parser; the data date
    is the newest any file states.
    """
    skipped: Counter[str] = Counter()
    seen: set[str] = set()
    entries: list[ListEntry] = []
    dates = [found for path in paths
             if (found := parse_file(path, skipped, seen, entries)) is not None]
    return ParseResult(
        entries=entries,
        format=format,
        data_date=max(dates) if dates else None,
        skipped=dict(sorted(skipped.items())),
        inputs=[str(path) for path in paths],
    )

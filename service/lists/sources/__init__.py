"""Parsers of the official list formats, all giving the one `ListEntry` model.

    from service.lists.sources import parse, detect_format
    result = parse([Path("data/ofac/sdn-2021-07")])      # a folder, or files
    result.entries, result.skipped, result.data_date

`parse` sniffs every file (name and first bytes) before reading it, so an HTML error page or
a file of another format is refused with a clear `ListFormatError` instead of being parsed
into garbage; every failure of any parser is a `ListFormatError` naming the file (and line
where known). Entries come out in file order, so the same inputs give the same entries in
the same order.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from service.lists.entry import EntryStream, ListEntry, ListFormatError, ParseResult
from service.lists.sources import csl, ofac_csv, ofac_xml, opensanctions, un_xml
from service.lists.sources._common import local_name, read_head

Parser = Callable[[Sequence[Path]], ParseResult]
Streamer = Callable[[Sequence[Path]], EntryStream]
PathInput = str | os.PathLike[str]

# Format name → parser. Each parser takes the list of files and gives a ParseResult.
FORMATS: Mapping[str, Parser] = MappingProxyType(
    {
        ofac_csv.FORMAT: ofac_csv.parse,
        ofac_xml.FORMAT: ofac_xml.parse,
        un_xml.FORMAT: un_xml.parse,
        csl.FORMAT: csl.parse,
        opensanctions.FORMAT: opensanctions.parse,
    }
)

# Formats whose files can be read an entry at a time; the others are parsed whole (their
# official files are tens of thousands of entries at most).
STREAMERS: Mapping[str, Streamer] = MappingProxyType({opensanctions.FORMAT: opensanctions.stream})

FORMAT_DESCRIPTIONS: Mapping[str, str] = MappingProxyType(
    {
        ofac_csv.FORMAT: "OFAC legacy CSV set (sdn.csv or cons_prim.csv, with alt/add/comments)",
        ofac_xml.FORMAT: "OFAC XML: SDN_ENHANCED (sanctionsData) or classic sdnList",
        un_xml.FORMAT: "UN Security Council consolidated list XML",
        csl.FORMAT: "US Consolidated Screening List: bulk CSV (.csv/.csv.gz) or search API JSON",
        opensanctions.FORMAT: "OpenSanctions FollowTheMoney entities, one JSON object a line",
    }
)

# Files a folder contributes; anything else in it (README.md, notes) is left alone.
LIST_FILE_SUFFIXES = (".csv", ".xml", ".json", ".jsonl", ".ndjson", ".gz")

_XML_ROOTS = {
    ofac_xml.ENHANCED_ROOT: ofac_xml.FORMAT,
    ofac_xml.CLASSIC_ROOT: ofac_xml.FORMAT,
    un_xml.ROOT: un_xml.FORMAT,
}
_FIRST_ELEMENT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_HTML_START = re.compile(rb"<!doctype\s+html|<html[\s>]", re.IGNORECASE)
# ent_num, then (alias, address files) a second number, then a quoted field or a -0- null.
_OFAC_ROW = re.compile(rb'\d+,(?:\d+,)?(?:"|-0-)')
_BYTE_ORDER_MARK = b"\xef\xbb\xbf"


def collect_files(paths: PathInput | Iterable[PathInput]) -> list[Path]:
    """Gives the files to read: each given file, and the list files (by suffix, sorted by
    name) of each given folder, without repeats.
    """
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    if not items:
        raise ListFormatError("no files given")
    files: list[Path] = []
    seen: set[Path] = set()
    for item in items:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                (
                    child
                    for child in path.iterdir()
                    if child.is_file()
                    and not child.name.startswith(".")
                    and child.name.lower().endswith(LIST_FILE_SUFFIXES)
                ),
                key=lambda child: child.name,
            )
            if not found:
                raise ListFormatError("folder holds no list files", file=str(path))
        elif path.is_file():
            found = [path]
        else:
            raise ListFormatError("file not found", file=str(path))
        for file in found:
            resolved = file.resolve()
            if resolved not in seen:
                seen.add(resolved)
                files.append(file)
    return files


def sniff_format(path: Path) -> str:
    """Gives the format of one file, judged by its first bytes and its name; raises
    ListFormatError for an empty, binary, HTML or unknown file.
    """
    head = read_head(path)
    text = head.removeprefix(_BYTE_ORDER_MARK).lstrip()
    if not text:
        raise ListFormatError("file is empty", file=str(path))
    if _HTML_START.search(text[:1024]) and not text.startswith(b"<?xml"):
        raise ListFormatError(
            "file is an HTML page (an error or login page?), not a list file", file=str(path)
        )
    if b"\x00" in text[:4096]:
        raise ListFormatError("file is binary, not a list file", file=str(path))
    if text.startswith(b"<"):
        return _sniff_xml(path, text)
    if text.startswith((b"{", b"[")):
        return _sniff_json(path, text)
    first_line = text.split(b"\n", 1)[0].strip()
    header = [column.strip(b' "').lower() for column in first_line.split(b",")]
    if b"_id" in header and b"source" in header and b"name" in header:
        return csl.FORMAT
    if _OFAC_ROW.match(first_line):
        return ofac_csv.FORMAT
    raise ListFormatError(
        f"not a list format this service reads (starts with {first_line[:60]!r})",
        file=str(path),
        line=1,
    )


def _sniff_xml(path: Path, text: bytes) -> str:
    for match in _FIRST_ELEMENT.finditer(text):
        # Skip processing instructions, comments and DOCTYPE: the first real tag is the root.
        if text[match.start() + 1 : match.start() + 2] in (b"?", b"!"):
            continue
        root = local_name(match.group(1).decode("ascii", "replace")).split(":")[-1]
        fmt = _XML_ROOTS.get(root)
        if fmt is None:
            raise ListFormatError(
                f"XML with root <{root}> is not a list format this service reads", file=str(path)
            )
        return fmt
    raise ListFormatError("XML without a root element in its first 64 KB", file=str(path))


def _sniff_json(path: Path, text: bytes) -> str:
    first_line = text.split(b"\n", 1)[0]
    try:
        first = json.loads(first_line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        first = None
    if isinstance(first, dict) and "schema" in first and "id" in first:
        return opensanctions.FORMAT
    if re.search(rb'"results"\s*:', text):
        return csl.FORMAT
    raise ListFormatError(
        "JSON that is neither FollowTheMoney entities nor a CSL search answer", file=str(path)
    )


def detect_format(paths: PathInput | Iterable[PathInput]) -> str:
    """Gives the one format all the given files (or folders' list files) are in."""
    formats = {path: sniff_format(path) for path in collect_files(paths)}
    distinct = sorted(set(formats.values()))
    if len(distinct) > 1:
        described = ", ".join(f"{path.name}: {fmt}" for path, fmt in formats.items())
        raise ListFormatError(f"files are in different formats ({described})")
    return distinct[0]


def _detected(paths: PathInput | Iterable[PathInput], format: str | None
              ) -> tuple[list[Path], str]:
    if format is not None and format not in FORMATS:
        raise ListFormatError(f"unknown format {format!r}; known: {', '.join(FORMATS)}")
    files = collect_files(paths)
    detected = detect_format(files)
    if format is not None and detected != format:
        raise ListFormatError(
            f"files look like {detected} ({FORMAT_DESCRIPTIONS[detected]}), not {format}",
            file=str(files[0]) if len(files) == 1 else None,
        )
    return files, detected


def _as_format_error(detected: str, exc: Exception) -> ListFormatError:
    # A parser bug or an input shape nobody foresaw still names the format it broke.
    return ListFormatError(f"could not parse as {detected}: {type(exc).__name__}: {exc}")


def parse(paths: PathInput | Iterable[PathInput], format: str | None = None) -> ParseResult:
    """Gives the entries of the given files or folders, in `format` or the detected one.

    Raises ListFormatError, and nothing else, for any file that cannot be read as the format.
    """
    files, detected = _detected(paths, format)
    try:
        return FORMATS[detected](files)
    except ListFormatError:
        raise
    except Exception as exc:
        raise _as_format_error(detected, exc) from exc


def stream(paths: PathInput | Iterable[PathInput], format: str | None = None) -> EntryStream:
    """Gives the entries of the given files or folders one at a time where the format allows
    (see `STREAMERS`), else parsed whole; the same entries, in the same order, as `parse`.

    The files are found and their format detected now; reading them raises ListFormatError,
    and nothing else, as the entries are iterated.
    """
    files, detected = _detected(paths, format)
    streamer = STREAMERS.get(detected)
    if streamer is None:
        return EntryStream.of(parse(files, detected))
    streamed = streamer(files)
    streamed.entries = _format_errors_only(streamed.entries, detected)
    return streamed


def _format_errors_only(entries: Iterator[ListEntry], detected: str) -> Iterator[ListEntry]:
    try:
        yield from entries
    except ListFormatError:
        raise
    except Exception as exc:
        raise _as_format_error(detected, exc) from exc


__all__ = [
    "FORMATS",
    "FORMAT_DESCRIPTIONS",
    "LIST_FILE_SUFFIXES",
    "STREAMERS",
    "Parser",
    "Streamer",
    "collect_files",
    "detect_format",
    "parse",
    "sniff_format",
    "stream",
]

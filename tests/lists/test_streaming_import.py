"""Imports read as a stream: the rows stored are those of the whole-file import they replace.

The digests below were taken from the rows the importer stored before it streamed (the
whole file parsed into memory, then written), on the same real files: entries, names and
identifiers in the order written, and the version's counts, digest, data date and skipped
rows. Streaming must store exactly the same.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from dataclasses import asdict, fields
from itertools import islice
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, col
from sqlmodel import select as sql_select

from service.lists import importer
from service.lists.entry import EntryStream, ListEntry, ListFormatError
from service.lists.importer import import_list
from service.lists.sources import opensanctions, parse, stream
from service.models import ListEntryIdentifier, ListEntryName, ListEntryRow, ListVersion

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ROOT = Path(__file__).resolve().parents[2]
FTM_T1 = FIXTURES / "lists" / "opensanctions_yente_t1_entities.ftm.json"
FTM_BRIDGES = FIXTURES / "bridges" / "opensanctions_bridges.ftm.json"
FTM_KANA = FIXTURES / "matching" / "opensanctions_kana_excerpt.ftm.json"
DERIVED = "opensanctions/yente_entities_from_delta_DERIVED.ftm.json"

# (list, files, entries, version content sha256, digest of every row stored), measured on
# the whole-file importer.
BEFORE_STREAMING = [
    ("opensanctions", [FTM_T1], 6,
     "3b5b900190c982bfcec6a78da784fcce7fd88259346e62624fec4c42124cfc90",
     "f21466d3e1bd77aa8bf0cd125f0a5c8a4e21b96b1b42796f2c6ed0c9ed5b1a27"),
    ("opensanctions", [FTM_BRIDGES], 3,
     "0e6cb772818c1057a64d34a34e5c5723ecb26130dee2938a7578686acb80e947",
     "092ce7186ff39fc7e8d9a0347841b2335b3a59e9fdef96836fac7e83031dbe11"),
    ("opensanctions", [FTM_KANA], 6,
     "b40df508b71fce2b2fd3176bf46f740314658ecc4e1fd5d2c777298df51b3735",
     "448c0e72774fd518a57d785a62cb2eea16abc1b03b441964fe535b09ad1dc5b1"),
    ("us_ofac_sdn", [FIXTURES / "ofac_excerpts" / "sdn-2024-05"], 131,
     "0161f0fcc0c1e0247b52ce823e9299c4a119fc5b5f4627b79820c652e97a1200",
     "807e3fbbee6f543df20bb46ad87e49057b357f24b983a7438b2c18cc2075f90f"),
    ("un_sc", [FIXTURES / "lists" / "un_consolidated_2026-02-27_excerpt.xml"], 3,
     "50ba71e51e571bb1b57605f4c1ec736670ab718b0c798a5e906b24afb5892330",
     "6c5b18ad55c17a51675909ea5df29046dec23380ee44fe9abd1aef8d49554e28"),
    ("us_csl", [FIXTURES / "lists" / "csl_consolidated_2022_excerpt.csv"], 6,
     "e534f671d28c8378a88e0fb5b7bd42434f0d67b7d10dc1a9262065972fc4fd31",
     "b19c48618c488a6072ac9e34b0e2b2435c7985dadaa9d5e248f5f2cd92f17820"),
]
# The full real OpenSanctions file: Sanction, Address and Passport entities folded in.
DERIVED_BEFORE = (576, "d8f5b5fa23c87e4e42ebe661d830ab9609465f7880a87e3758dabeb872f5ca95",
                  "98651e4661a634ce81842fa7820855f1c283e6c37bfb080d0e258fe95ee0c60e")
# The same with the t1 file after it: entities of one file folded into entries of another.
DERIVED_AND_T1_BEFORE = (582,
                         "651278bb9fb23a13515112bad9e796d4d13939bf4b48f20fda35f8ac288945c8",
                         "78ee85b8105069b2bc4f507a22bc86764a3810eff8738e4250780e26acb0e232")


def stored_rows_digest(session: Session, version: ListVersion) -> str:
    """Gives one sha256 over every row stored for the version, entry ids given as keys."""
    digest = hashlib.sha256()
    connection = session.connection()
    keys: dict[int, str] = {}
    for row in connection.execute(
            sql_select(ListEntryRow.id, ListEntryRow.key, ListEntryRow.kind,  # type: ignore[call-overload]
                       ListEntryRow.name, ListEntryRow.search_key, ListEntryRow.programs,
                       ListEntryRow.content_sha256, ListEntryRow.data)
            .where(ListEntryRow.version_id == version.id).order_by(ListEntryRow.id)):
        keys[row[0]] = row[1]
        digest.update(json.dumps(list(row[1:]), sort_keys=True, ensure_ascii=False).encode())
    for row in connection.execute(
            sql_select(ListEntryName.entry_id, ListEntryName.name,  # type: ignore[call-overload]
                       ListEntryName.search_key, ListEntryName.type, ListEntryName.weak)
            .where(ListEntryName.version_id == version.id).order_by(ListEntryName.id)):
        digest.update(json.dumps([keys[row[0]], *row[1:]], ensure_ascii=False).encode())
    for row in connection.execute(
            sql_select(ListEntryIdentifier.entry_id,  # type: ignore[call-overload]
                       ListEntryIdentifier.identifier)
            .where(ListEntryIdentifier.version_id == version.id)
            .order_by(ListEntryIdentifier.id)):
        digest.update(json.dumps([keys[row[0]], row[1]]).encode())
    digest.update(json.dumps([version.format, str(version.data_date), version.entry_count,
                              version.name_count, version.content_sha256,
                              version.skipped]).encode())
    return digest.hexdigest()


def row_count(session: Session, table: type) -> int:
    return session.exec(sql_select(func.count()).select_from(table)).one()


@pytest.mark.parametrize(("list_id", "paths", "entries", "content", "rows"), BEFORE_STREAMING,
                         ids=[f"{case[0]}-{case[1][0].name}" for case in BEFORE_STREAMING])
def test_stored_rows_are_those_of_the_whole_file_import(
        session: Session, list_id: str, paths: list[Path], entries: int, content: str,
        rows: str) -> None:
    outcome = import_list(list_id, paths, session=session)
    session.commit()
    assert outcome.version.entry_count == entries
    assert outcome.version.content_sha256 == content
    assert stored_rows_digest(session, outcome.version) == rows


@pytest.mark.slow
@pytest.mark.parametrize("with_t1", [False, True])
def test_full_opensanctions_file_stores_the_same_rows(session: Session, shared_data: Path,
                                                      with_t1: bool) -> None:
    paths = [shared_data / DERIVED, *([FTM_T1] if with_t1 else [])]
    entries, content, rows = DERIVED_AND_T1_BEFORE if with_t1 else DERIVED_BEFORE
    outcome = import_list("opensanctions", paths, session=session)
    session.commit()
    assert (outcome.version.entry_count, outcome.version.content_sha256) == (entries, content)
    assert stored_rows_digest(session, outcome.version) == rows
    # The stream gives what the whole-file parse gives, entry for entry.
    streamed = stream(paths)
    assert list(streamed.entries) == parse(paths).entries
    assert streamed.summary.skipped == outcome.parsed.skipped == outcome.version.skipped


def test_entries_come_before_the_file_is_read_to_its_end(shared_data: Path) -> None:
    streamed = stream([shared_data / DERIVED])
    first = next(streamed.entries)
    # The first pass counted the targets; the second has given one entry and read no further.
    assert streamed.expected == 576
    assert first.key == parse([shared_data / DERIVED]).entries[0].key
    assert streamed.summary.skipped == {}, "skipped rows are known only at the end"
    assert len(list(streamed.entries)) == 575
    assert streamed.summary.skipped and streamed.summary.data_date is not None


def test_a_file_broken_after_good_entries_writes_nothing(session: Session,
                                                         tmp_path: Path) -> None:
    good = import_list("opensanctions", [FTM_T1], session=session)
    session.commit()
    before = {table: row_count(session, table)
              for table in (ListVersion, ListEntryRow, ListEntryName, ListEntryIdentifier)}
    # Real entities, then one cut off: the first pass finds the broken line once the import
    # has written its version row, which must be taken back.
    broken = tmp_path / "cut.ftm.json"
    text = FTM_KANA.read_text(encoding="utf-8")
    broken.write_text(text + text.splitlines()[0][:40] + "\n", encoding="utf-8")
    with pytest.raises(ListFormatError) as failure:
        import_list("opensanctions", [broken], session=session)
    assert failure.value.line == len(text.splitlines()) + 1
    session.commit()  # what a careless caller might do: nothing of the import is in it
    assert {table: row_count(session, table) for table in before} == before
    assert session.get(ListVersion, good.version.id) is not None


def test_a_failure_after_batches_were_written_takes_them_back(
        session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    # Real entries of the OFAC excerpt, given twice: the second key is refused at the end,
    # after more than one batch has been written.
    entries = parse([FIXTURES / "ofac_excerpts" / "sdn-2024-05"]).entries
    monkeypatch.setattr(importer, "_BATCH", 50)
    repeated = EntryStream.of(parse([FIXTURES / "ofac_excerpts" / "sdn-2024-05"]))
    repeated.entries = iter([*entries, entries[3]])
    monkeypatch.setattr(importer, "stream", lambda files, format: repeated)
    with pytest.raises(ListFormatError, match=f"repeats entry keys \\['{entries[3].key}'\\]"):
        import_list("us_ofac_sdn", [FIXTURES / "ofac_excerpts" / "sdn-2024-05"],
                    session=session)
    session.commit()
    for table in (ListVersion, ListEntryRow, ListEntryName, ListEntryIdentifier):
        assert row_count(session, table) == 0, table.__name__


def test_identical_content_leaves_no_rows_behind(session: Session, tmp_path: Path) -> None:
    first = import_list("opensanctions", [FTM_T1], session=session)
    session.commit()
    entries = row_count(session, ListEntryRow)
    copy = tmp_path / "again.ftm.json"
    copy.write_bytes(FTM_T1.read_bytes())
    second = import_list("opensanctions", [copy], session=session)
    session.commit()
    assert not second.created and second.version.id == first.version.id
    assert row_count(session, ListEntryRow) == entries
    assert session.exec(sql_select(func.count()).select_from(ListVersion)
                        .where(col(ListVersion.list_id) == "opensanctions")).one() == 1


def test_progress_is_told_after_each_batch(session: Session,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "_BATCH", 40)
    told: list[tuple[int, int | None]] = []
    import_list("us_ofac_sdn", [FIXTURES / "ofac_excerpts" / "sdn-2024-05"], session=session,
                progress=lambda done, expected: told.append((done, expected)))
    assert told == [(40, 131), (80, 131), (120, 131), (131, 131)]


def test_the_cli_shows_a_progress_bar(database_url: str) -> None:
    """`xref lists import` on a terminal draws a bar that reaches every entry."""
    env = {**os.environ, "XREF_DATABASE_URL": database_url,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                       os.environ.get("PYTHONPATH")]))}
    leader, follower = pty.openpty()
    # A terminal of no width (a fresh pty's) gets no bar drawn: give it a real one's.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "lists", "import", "opensanctions",
         str(FTM_KANA)], env=env, stdout=subprocess.PIPE, stderr=follower, cwd=ROOT)
    os.close(follower)
    drawn = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        drawn += chunk
    output = process.communicate(timeout=120)[0].decode()
    os.close(leader)
    assert process.returncode == 0, drawn
    assert "6 entries" in output
    assert b"import opensanctions" in drawn and b"100%" in drawn and b"6/6" in drawn


def test_opensanctions_parse_is_the_stream_read_whole() -> None:
    streamed = opensanctions.stream([FTM_T1, FTM_KANA])
    assert list(islice(streamed.entries, 100)) == opensanctions.parse([FTM_T1, FTM_KANA]).entries


def test_an_entry_dict_is_asdicts_written_out(shared_data: Path) -> None:
    """`ListEntry.to_dict` is `dataclasses.asdict` written out for speed: the same dict, key
    for key and in order, for every entry of the real files of every format."""
    paths = [[shared_data / DERIVED], [FIXTURES / "ofac_excerpts" / "sdn-2024-05"],
             [FIXTURES / "lists" / "un_consolidated_2026-02-27_excerpt.xml"],
             [FIXTURES / "lists" / "csl_consolidated_2022_excerpt.csv"],
             [FIXTURES / "lists" / "ofac_enhanced_YEMEN_2024-05-24_excerpt.xml"]]
    entries = [entry for files in paths for entry in parse(files).entries]
    assert len(entries) > 700
    for entry in entries:
        written_out = entry.to_dict()
        assert written_out == asdict(entry)
        assert list(written_out) == [f.name for f in fields(ListEntry)]

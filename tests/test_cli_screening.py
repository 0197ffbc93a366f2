"""`xref screen` and `xref compare` on files, against a real OFAC excerpt."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session

from service.cli import main
from service.lists.importer import import_list

EXCERPTS = Path(__file__).resolve().parent / "fixtures" / "ofac_excerpts"


@pytest.fixture
def sdn(session: Session) -> None:
    import_list("us_ofac_sdn", [EXCERPTS / "sdn-2024-05"], session=session)
    session.commit()


def test_screen_file(runner: CliRunner, sdn: None, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,name,kind\nc1,Qassem Suleimani,person\nc2,Zzyzx Qwertyuiop,\n"
                      "c3,=HYPERLINK(\"x\"),\n", encoding="utf-8")
    output = tmp_path / "out.csv"
    result = runner.invoke(main, ["screen", str(source), "--output", str(output),
                                  "--limit", "2"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(output.read_text())))
    assert list(rows[0]) == ["id", "name", "rank", "score", "match", "list", "list_key",
                             "matched_name", "entity_id", "programs"]
    first = rows[0]
    assert (first["id"], first["rank"], first["list_key"], first["match"]) == (
        "c1", "1", "10481", "true")
    assert "IFSR" in first["programs"].split(";")
    assert [r for r in rows if r["id"] == "c2"] == [
        {**{c: "" for c in first}, "id": "c2", "name": "Zzyzx Qwertyuiop"}]
    assert all(not r["name"].startswith("=") for r in rows)
    assert {r["id"] for r in rows} == {"c1", "c2", "c3"}
    assert all(int(r["rank"]) <= 2 for r in rows if r["rank"])


def test_screen_rejects_a_file_without_name_column(runner: CliRunner, sdn: None,
                                                   tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("customer\nQassem Suleimani\n", encoding="utf-8")
    result = runner.invoke(main, ["screen", str(source)])
    assert result.exit_code != 0 and "'name' column" in result.output


def test_compare_two_names_prints_the_explanation(runner: CliRunner) -> None:
    result = runner.invoke(main, ["compare", "Qays al Khazali", "AL-KHAZALI, Qais",
                                  "--kind", "person"])
    assert result.exit_code == 0
    assert '"match": true' in result.output and '"explanation"' in result.output


def test_compare_pairs_keeps_order_and_adds_score(runner: CliRunner, tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("name1,name2,kind\nQassem Suleimani,\"SOLEIMANI, Qasem\",person\n"
                     "Jihad Mughniyeh,Imad Mughniyeh,person\n", encoding="utf-8")
    output = tmp_path / "out.csv"
    result = runner.invoke(main, ["compare", "--pairs", str(pairs), "--output", str(output)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(output.read_text())))
    assert [r["name1"] for r in rows] == ["Qassem Suleimani", "Jihad Mughniyeh"]
    assert [r["match"] for r in rows] == ["true", "false"]
    assert all(0 <= float(r["score"]) <= 1 for r in rows)


def test_screen_file_with_detail_columns(runner: CliRunner, sdn: None, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,name,birth_date,nationality,id_number,notes\n"
                      "c1,Qassem Suleimani,1990,se,,ignored column\n"
                      "c2,Nasrallah,,Lebanon;Iran,042833,\n", encoding="utf-8")
    output = tmp_path / "out.csv"
    result = runner.invoke(main, ["screen", str(source), "--output", str(output),
                                  "--limit", "1"])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(output.read_text()))}
    # Contradicting details: still there, no longer a match.
    assert (rows["c1"]["list_key"], rows["c1"]["match"]) == ("10481", "false")
    # A family name with the listed passport number (SDN 2686, Passport 042833).
    assert (rows["c2"]["list_key"], rows["c2"]["match"]) == ("2686", "true")


def test_screen_file_names_the_line_and_column_of_a_bad_detail(
        runner: CliRunner, sdn: None, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("name,birth_date\nQassem Suleimani,1957\nAyman,11 Mar 1957\n",
                      encoding="utf-8")
    result = runner.invoke(main, ["screen", str(source)])
    assert result.exit_code != 0
    assert "line 3" in result.output and "birth_date" in result.output

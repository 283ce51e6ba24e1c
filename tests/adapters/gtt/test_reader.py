"""The GTT reader on real files: encodings, delimiters, date formats, headers, extraction
times, bad rows and the strict and lenient policies."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from itertools import count
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caredomain import FixedClock, InvalidInput
from caredomain.plugins import load_plugins
from caredomain.roster import Agent, AgentId, french_hospital_catalogue
from caredomain.roster import services as roster
from caredomain.roster.batch import RunColumn
from caredomain.services import ServiceContext
from caredomain_gtt import GttCsvReader, GttSettings
from caredomain_sqlite import SqliteStore

PARIS = ZoneInfo("Europe/Paris")
EXTRACTED = datetime(2026, 11, 23, 6, 30, tzinfo=PARIS)
ROWS = [
    ("A1001", "Martin", "Hélène", "24/11/2026", "MAL"),
    ("A1001", "Martin", "Hélène", "25/11/2026", "RH"),
    ("A1002", "Bénard", "Zoé", "24/11/2026", "J"),
]


def export(
    path: Path,
    *,
    encoding: str = "utf-8",
    delimiter: str = ";",
    newline: str = "\n",
    header: str = "Extraction;23/11/2026 06:30",
    columns: str = "Matricule;Nom;Prénom;Date;Code",
    rows: Sequence[tuple[str, ...]] = ROWS,
) -> Path:
    lines = [header.replace(";", delimiter)] if header else []
    lines.append(columns.replace(";", delimiter))
    lines += [delimiter.join(row) for row in rows]
    path.write_bytes(newline.join(lines).encode(encoding) + newline.encode())
    return path


def reader(**settings: str) -> GttCsvReader:
    return GttCsvReader(GttSettings.from_mapping(settings))


def as_rows(path: Path, **settings: str) -> list[tuple[int, str, date, str]]:
    batch = reader(**settings).read(str(path))
    assert batch.extracted_at == EXTRACTED or settings.get("extraction") in {"mtime", "filename"}
    return [(r.line, r.agent, r.day, r.code) for r in batch.rows]


EXPECTED = [
    (3, "A1001", date(2026, 11, 24), "MAL"),
    (4, "A1001", date(2026, 11, 25), "RH"),
    (5, "A1002", date(2026, 11, 24), "J"),
]


@pytest.mark.parametrize(
    ("encoding", "setting"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("cp1252", "cp1252"), ("latin-1", "latin-1")],
)
@pytest.mark.parametrize(
    ("delimiter", "named"), [(";", ";"), (",", ","), ("\t", "tab"), ("|", "|")]
)
def test_each_encoding_and_delimiter(
    tmp_path: Path, encoding: str, setting: str, delimiter: str, named: str
) -> None:
    path = export(tmp_path / "GTT.csv", encoding=encoding, delimiter=delimiter)
    assert as_rows(path, encoding=setting, delimiter=named) == EXPECTED


def test_a_bom_and_crlf_line_ends(tmp_path: Path) -> None:
    path = export(tmp_path / "GTT.csv", encoding="utf-8-sig", newline="\r\n")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfExtraction;")
    assert b"\r\n" in path.read_bytes()
    batch = reader().read(str(path))
    assert [(r.line, r.agent, r.day, r.code) for r in batch.rows] == EXPECTED
    assert all(not code.endswith("\r") for code in batch.codes)


def test_iso_dates_columns_by_name_in_any_order_and_case(tmp_path: Path) -> None:
    rows = [
        (code, "x", day[6:] + "-" + day[3:5] + "-" + day[:2], agent)
        for agent, _, _, day, code in ROWS
    ]
    path = export(tmp_path / "GTT.csv", columns=" CODE ;Service; date ;MATRICULE", rows=rows)
    assert as_rows(path) == EXPECTED
    assert as_rows(path, date_formats="iso") == EXPECTED
    with pytest.raises(InvalidInput):
        GttSettings.from_mapping({"date_formats": "mm/dd"})


def test_columns_and_date_formats_are_settings(tmp_path: Path) -> None:
    rows = [(agent, day.replace("/", "."), code) for agent, _, _, day, code in ROWS]
    path = export(tmp_path / "GTT.csv", columns="Agent;Jour;Activité", rows=rows)
    settings = {"agent_column": "agent", "date_column": "jour", "code_column": "activité"}
    assert as_rows(path, **settings, date_formats="%d.%m.%Y") == EXPECTED


def test_the_extraction_time_from_the_file_name_or_its_mtime(tmp_path: Path) -> None:
    named = export(tmp_path / "GTT_20261123_063000.csv", header="")
    assert reader(extraction="filename").read(str(named)).extracted_at == EXPECTED_UTC
    os.utime(named, (1_790_000_000, 1_790_000_000))
    mtime = reader(extraction="mtime").read(str(named)).extracted_at
    assert mtime == datetime.fromtimestamp(1_790_000_000, UTC)
    custom = export(tmp_path / "export-2026-11-23.csv", header="")
    settings = {"extraction": "filename", "filename_format": "export-%Y-%m-%d.csv"}
    assert reader(**settings).read(str(custom)).extracted_at == datetime(2026, 11, 23, tzinfo=PARIS)
    with pytest.raises(InvalidInput, match="no extraction time") as error:
        reader(extraction="filename").read(str(custom))
    assert error.value.source == str(custom)


EXPECTED_UTC = EXTRACTED.astimezone(UTC)


def test_a_file_without_its_extraction_line_is_refused_with_line_1(tmp_path: Path) -> None:
    path = export(tmp_path / "GTT.csv", header="Extrait le 23 novembre")
    with pytest.raises(InvalidInput) as error:
        reader().read(str(path))
    assert (error.value.source, error.value.line, error.value.text) == (
        str(path),
        1,
        "Extrait le 23 novembre",
    )


def test_a_missing_column_names_the_setting_and_the_columns(tmp_path: Path) -> None:
    path = export(tmp_path / "GTT.csv", columns="Matricule;Nom;Prénom;Jour;Code")
    with pytest.raises(InvalidInput) as error:
        reader().read(str(path))
    assert error.value.line == 2
    assert error.value.field == "date_column"
    assert "no column named 'Date'" in str(error.value)
    assert "Jour" in str(error.value)


def test_a_wrong_encoding_names_the_line_and_suggests_one(tmp_path: Path) -> None:
    rows = [(f"A{n}", "Nom", "Prenom", "24/11/2026", "J") for n in range(2000)]
    rows[1500] = ("A1500", "Bénard", "Zoé", "24/11/2026", "J")
    path = export(
        tmp_path / "GTT.csv", encoding="cp1252", rows=rows, columns="Matricule;Nom;Prenom;Date;Code"
    )
    with pytest.raises(InvalidInput) as error:
        reader().read(str(path))
    assert error.value.line == 1503
    assert "cp1252 or latin-1" in error.value.message
    assert error.value.text == "A1500;B\ufffdnard;Zo\ufffd;24/11/2026;J"
    assert [r.agent for r in reader(encoding="cp1252").read(str(path)).rows][1500] == "A1500"


def test_problems_with_the_file_itself(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot open"):
        reader().read(str(tmp_path / "missing.csv"))
    empty = tmp_path / "empty.csv"
    empty.write_text("Extraction;23/11/2026 06:30\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="no column headers"):
        reader().read(str(empty))
    with pytest.raises(InvalidInput) as error:
        GttSettings.from_mapping({"encodage": "utf-8"}, source="gtt.toml")
    assert (error.value.source, error.value.field) == ("gtt.toml", "encodage")
    for key, value in [
        ("encoding", "utf-16"),
        ("delimiter", ";;"),
        ("policy", "loose"),
        ("zone", "Paris"),
    ]:
        with pytest.raises(InvalidInput) as error:
            GttSettings.from_mapping({key: value})
        assert error.value.field == key


def test_bad_rows_come_with_their_line_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "GTT.csv"
    path.write_text(
        "Extraction;23/11/2026 06:30\n"
        "Matricule;Nom;Prénom;Date;Code\n"
        "A1001;Martin;Claire;24/11/2026;MAL\n"
        "\n"
        'A1002;"Bernard\nJulie";J;25/11/2026;RH\n'
        "A1003;Petit;Thomas;31/02/2026;N\n"
        "A1004;Durand;Sophie;24/11/2026\n"
        ";Leroy;Nicolas;24/11/2026;J\n"
        "A1006;Moreau;Camille;24/11/2026;\n"
        "A1007;Roux;Emma;2026-11-24;J\n",
        encoding="utf-8",
    )
    batch = reader().read(str(path))
    assert [(r.line, r.agent, r.code) for r in batch.rows] == [
        (3, "A1001", "MAL"),
        (5, "A1002", "RH"),  # a quoted field over two lines: the row starts on line 5
        (11, "A1007", "J"),
    ]
    assert [(r.line, r.reason) for r in batch.rejected] == [
        (7, "not a day: '31/02/2026' (date_formats dd/mm/yyyy,iso)"),
        (8, "expected 5 fields, got 4"),
        (9, "no agent (column Matricule)"),
        (10, "no code (column Code)"),
    ]
    assert batch.rejected[1].text == "A1004;Durand;Sophie;24/11/2026"
    assert batch.strict
    assert not reader(policy="lenient").read(str(path)).strict


def test_values_are_taken_as_written_unless_trimmed(tmp_path: Path) -> None:
    rows = [(" A1001", "Martin", "Claire", "24/11/2026", "MAL ")]
    path = export(tmp_path / "GTT.csv", rows=rows)
    assert reader().read(str(path)).codes == ("MAL ",)
    trimmed = reader(trim="yes").read(str(path))
    assert (tuple(trimmed.agents), trimmed.codes) == (("A1001",), ("MAL",))


def test_an_export_sorted_by_agent_gives_its_agents_as_runs(tmp_path: Path) -> None:
    batch = reader().read(str(export(tmp_path / "GTT.csv")))
    assert isinstance(batch.agents, RunColumn)
    assert batch.agents.runs() == [("A1001", 0, 2), ("A1002", 2, 3)]
    assert list(batch.agents) == ["A1001", "A1001", "A1002"]
    assert (batch.agents[1], batch.agents[-1], batch.agents[0:2]) == (
        "A1001",
        "A1002",
        ("A1001", "A1001"),
    )
    assert batch.lines == range(3, 6)


# -- a thousand rows, one bad, through the feed service ----------------------------------


@pytest.fixture
def context(tmp_path: Path) -> Iterator[ServiceContext]:
    numbers = count(1)
    with SqliteStore(tmp_path / "store.db") as store:
        with store.unit_of_work() as uow:
            uow.roster.save_catalogue(french_hospital_catalogue())
            uow.roster.save_agents(Agent(AgentId(f"M{n:04d}"), "", {"IDE"}) for n in range(100))
            uow.commit()
        yield ServiceContext(
            store=store, clock=FixedClock(EXTRACTED), new_id=lambda: f"e{next(numbers)}"
        )


def thousand_rows(tmp_path: Path) -> Path:
    days = [f"{day:02d}/11/2026" for day in range(1, 11)]
    rows = [(f"M{n:04d}", "Nom", "Prénom", day, "J") for n in range(100) for day in days]
    rows[500] = ("M0050", "Nom", "Prénom", "01/11/2026", "ZZ")  # line 503: an unknown code
    return export(tmp_path / "GTT_20261123_063000.csv", encoding="cp1252", rows=rows)


def stored_codes(context: ServiceContext) -> int:
    with context.store.unit_of_work(write=False) as uow:
        return sum(record.codes.count(" ") + 1 for record in uow.roster.agent_days())


def test_a_thousand_rows_with_one_bad_under_the_strict_policy_apply_nothing(
    tmp_path: Path, context: ServiceContext
) -> None:
    path = thousand_rows(tmp_path)
    run = roster.apply_gtt_file(context, reader(encoding="cp1252").read, str(path))
    assert run.report is not None
    assert run.report.refused
    (bad,) = run.report.rejected
    assert (bad.line, bad.reason) == (503, "unknown code 'ZZ'")
    assert run.report.read == 1000
    assert stored_codes(context) == 0
    with context.store.unit_of_work(write=False) as uow:
        assert uow.events.since(0) == []


def test_a_thousand_rows_with_one_bad_under_the_lenient_policy_apply_999(
    tmp_path: Path, context: ServiceContext
) -> None:
    path = thousand_rows(tmp_path)
    lenient = reader(encoding="cp1252", policy="lenient")
    run = roster.apply_gtt_file(context, lenient.read, str(path))
    report = run.report
    assert report is not None
    assert not report.refused
    assert (report.read, report.applied, len(report.rejected)) == (1000, 999, 1)
    assert report.rejected[0].line == 503
    assert report.source == str(path)
    assert stored_codes(context) == 999


def test_hook_caredomain_feed_readers_gtt_csv_reads_an_export(tmp_path: Path) -> None:
    plugins = load_plugins({})
    spec = plugins.feed_reader_specs()["gtt-csv"]
    assert "GTT" in spec.description
    batch = spec.create({"delimiter": ","}).read(str(export(tmp_path / "GTT.csv", delimiter=",")))
    assert [(r.line, r.agent, r.day, r.code) for r in batch.rows] == EXPECTED
    with pytest.raises(InvalidInput):
        spec.create({"delimiter": "tab", "nope": "x"})
    described = {info.name: info.hooks for info in plugins.describe()}
    assert described["caredomain_gtt"] == ("caredomain_feed_readers",)


# -- the reader against a plain reading of the same file ---------------------------------

DAY_TEXTS = ["01/11/2026", "02/11/2026", "03/11/2026", "04/11/2026", "31/11/2026"]


def plain_reading(path: Path) -> tuple[list[tuple[int, str, date, str]], list[int]]:
    """The rows as ``csv`` and ``strptime`` read them one by one, and the bad lines."""
    good, bad = [], []
    with path.open(encoding="utf-8", newline="") as file:
        for line, fields in enumerate(csv.reader(file, delimiter=";"), start=1):
            if line <= 2:
                continue
            agent, _, _, text, code = fields
            try:
                day = datetime.strptime(text, "%d/%m/%Y").date()
            except ValueError:
                bad.append(line)
                continue
            good.append((line, agent, day, code))
    return good, bad


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A1", "A2", "A3", "B7"]),
            st.lists(st.sampled_from(DAY_TEXTS[:4]), min_size=1, max_size=4),
            st.sampled_from(["J", "MAL", "RH"]),
        ),
        max_size=8,
    ),
    st.integers(min_value=0, max_value=40),
    st.booleans(),
)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_export_reads_as_its_rows_read_one_by_one(
    tmp_path: Path,
    agents: list[tuple[str, list[str], str]],
    spoiled: int,
    spoil: bool,
) -> None:
    """Agents over the same days or not, in any order, an agent listed twice, a day that is
    no day: the fast reading (which checks later agents' days against the first agent's)
    gives exactly the rows and bad lines of a plain reading."""
    rows = [(agent, "Nom", "Prénom", day, code) for agent, days, code in agents for day in days]
    if spoil and rows:
        agent, name, first_name, _, code = rows[spoiled % len(rows)]
        rows[spoiled % len(rows)] = (agent, name, first_name, DAY_TEXTS[4], code)
    path = export(tmp_path / "GTT.csv", rows=rows, header="Extraction;01/11/2026 06:00")
    batch = reader(policy="lenient").read(str(path))
    good, bad = plain_reading(path)
    assert [(r.line, r.agent, r.day, r.code) for r in batch.rows] == good
    assert [rejection.line for rejection in batch.rejected] == bad
    assert batch.covered_days() == {day for _, _, day, _ in good}


def test_every_agent_over_the_same_days_then_one_who_is_not(tmp_path: Path) -> None:
    days = ["01/11/2026", "02/11/2026", "03/11/2026"]
    rows = [(f"M{n}", "Nom", "Prénom", day, "J") for n in range(3) for day in days]
    rows += [("M9", "Nom", "Prénom", day, "RH") for day in ("03/11/2026", "04/11/2026")]
    rows += [("M10", "Nom", "Prénom", day, "J") for day in days]
    path = export(tmp_path / "GTT.csv", rows=rows)
    batch = reader().read(str(path))
    assert [(r.agent, r.day.day, r.code) for r in batch.rows][8:12] == [
        ("M2", 3, "J"),
        ("M9", 3, "RH"),
        ("M9", 4, "RH"),
        ("M10", 1, "J"),
    ]
    assert len(batch) == 14
    assert batch.covered_days() == {date(2026, 11, d) for d in (1, 2, 3, 4)}


def test_an_export_with_no_rows_applies_as_an_empty_report(
    tmp_path: Path, context: ServiceContext
) -> None:
    path = export(tmp_path / "GTT.csv", rows=[])
    run = roster.apply_gtt_file(context, reader().read, str(path))
    assert run.report is not None
    assert run.report.lines()[1] == "  rows read 0, applied 0, unchanged 0, stale 0, rejected 0"
    assert stored_codes(context) == 0


@pytest.mark.parametrize(
    ("written", "mark"), [("utf-8-sig", "UTF-8"), ("utf-16", "UTF-16"), ("utf-32", "UTF-32")]
)
@pytest.mark.parametrize("setting", ["cp1252", "latin-1"])
def test_a_byte_order_mark_that_contradicts_the_encoding_is_named(
    tmp_path: Path, written: str, mark: str, setting: str
) -> None:
    path = export(tmp_path / "GTT.csv", encoding=written)
    with pytest.raises(InvalidInput, match=f"starts with a {mark} byte-order mark") as refused:
        reader(encoding=setting).read(str(path))
    assert f"the reader is set to {setting}" in str(refused.value)
    assert refused.value.source == str(path)
    assert refused.value.line == 1

"""The GTT feed against the exports a hostile world sends (issue 16's fault campaign): dates
that cannot be, a file that sorts first and cannot be read, a line of 10 MB — through the
reader, the feed service, the folder source and the command line, on real files and a real
SQLite store."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import count
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caredomain import Actor, FixedClock, InvalidInput
from caredomain.access import Everywhere
from caredomain.roster import load_ward
from caredomain.roster import services as roster
from caredomain.services import ServiceContext
from caredomain_gtt import GttCsvReader, GttSettings
from caredomain_sqlite import SqliteStore

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 23, 12, tzinfo=PARIS)
HEADER = "Matricule;Nom;Prénom;Date;Code"
WARD = """
[[agents]]
id = "A1001"
skills = ["IDE"]

[[agents]]
id = "A1002"
skills = ["IDE"]

[[plannings]]
id = "P"
unit = "Cardiologie"
status = "published"

[[posts]]
id = "tue-M"
planning = "P"
day = 2026-11-24
shift = "06h45-14h15"
skills = ["IDE"]
agents = ["A1001"]
"""


def export(path: Path, extracted: str, *rows: str) -> Path:
    lines = [f"Extraction;{extracted}", HEADER, *rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sick(day: str = "24/11/2026") -> str:
    return f"A1001;Martin;Claire;{day};MAL"


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    with SqliteStore(path) as store:
        roster.set_up_ward(
            ServiceContext(store=store),
            Actor.administrator(configuration=Everywhere("the ward names no organisation")),
            load_ward(WARD),
        )
    return path


@pytest.fixture
def context(database: Path) -> Iterator[ServiceContext]:
    numbers = count(1)
    with SqliteStore(database) as store:
        clock = FixedClock(NOW)
        yield ServiceContext(store=store, clock=clock, new_id=lambda: f"e{next(numbers)}")


def held(context: ServiceContext) -> dict[str, tuple[int, str]]:
    """Each agent's GTT record: first day and codes."""
    with context.store.unit_of_work(write=False) as uow:
        return {r.agent: (r.first, r.codes) for r in uow.roster.agent_days()}


def posted(context: ServiceContext) -> tuple[str, ...]:
    with context.store.unit_of_work(write=False) as uow:
        (post,) = [post for post in uow.roster.posts(None, None) if post.id == "tue-M"]
    return post.assigned


def caredomain(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "caredomain", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# -- dates the reader cannot represent -------------------------------------------------


@pytest.mark.parametrize(
    ("extracted", "zone"),
    [("01/01/0001 00:00", "Europe/Paris"), ("31/12/9999 23:59", "America/Toronto")],
)
def test_an_extraction_time_out_of_the_range_of_dates_is_invalid_input(
    tmp_path: Path, extracted: str, zone: str
) -> None:
    path = export(tmp_path / "a.csv", extracted, sick())
    reader = GttCsvReader(GttSettings.from_mapping({"zone": zone}))
    for read in (reader.read, reader.extraction_time):
        with pytest.raises(InvalidInput) as error:
            read(str(path))
        assert (error.value.source, error.value.line) == (str(path), 1)
        assert "extraction time out of the range of dates" in str(error.value)


def test_year_one_through_the_command_line_is_one_line_and_exit_2(
    tmp_path: Path, database: Path
) -> None:
    bad = export(tmp_path / "a.csv", "01/01/0001 00:00", sick())
    result = caredomain("gtt", "--db", str(database), "apply", str(bad), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"caredomain: error: {bad}:1: extraction time out of the")


def test_a_watched_folder_moves_year_one_aside_and_still_applies_the_files_after_it(
    tmp_path: Path, database: Path
) -> None:
    # The command line reads the system clock: the good files are from this morning.
    now = datetime.now(PARIS)
    tomorrow = now.date() + timedelta(days=1)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    export(inbox / "0-bad.csv", "01/01/0001 00:00", sick())
    for name, hours, day in (("1-good", 2, tomorrow), ("2-good", 1, tomorrow + timedelta(1))):
        extracted = f"{now - timedelta(hours=hours):%d/%m/%Y %H:%M}"
        export(inbox / f"{name}.csv", extracted, sick(f"{day:%d/%m/%Y}"))
    assert Path(GttCsvReader().folder(str(inbox)).pending()[0]).name == "0-bad.csv"
    result = caredomain("gtt", "--db", str(database), "watch", "--once", str(inbox), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in (inbox / "done").iterdir() if p.suffix == ".csv") == [
        "1-good.csv",
        "2-good.csv",
    ]
    reason = (inbox / "rejected" / "0-bad.csv.report.txt").read_text(encoding="utf-8")
    assert "extraction time out of the range of dates" in reason
    assert [p.name for p in inbox.iterdir() if p.is_file()] == []
    with SqliteStore(database) as store:
        context = ServiceContext(store=store)
        assert held(context)["A1001"] == (tomorrow.toordinal(), "MAL MAL")
        assert (
            len(
                roster.applied_batches(
                    context,
                    Actor.administrator(configuration=Everywhere("the ward names no organisation")),
                )
            )
            == 2
        )


# -- dates the reader can represent, but cannot be ---------------------------------------


def test_a_row_dated_31_12_9999_is_refused_and_the_store_is_unchanged(
    tmp_path: Path, context: ServiceContext, database: Path
) -> None:
    roster.apply_gtt_file(
        context, GttCsvReader().read, str(export(tmp_path / "a.csv", "23/11/2026 06:00", sick()))
    )
    before, size = held(context), database.stat().st_size
    path = export(tmp_path / "b.csv", "23/11/2026 08:00", sick(), sick("31/12/9999"))
    run = roster.apply_gtt_file(context, GttCsvReader().read, str(path))
    report = run.report
    assert report is not None
    assert report.refused
    (bad,) = report.rejected
    assert bad.line == 4
    assert bad.reason.startswith("day 9999-12-31 is not plausible: expected from 2016-11-23 to")
    assert held(context) == before
    assert database.stat().st_size <= size + 64 * 1024


def test_a_lenient_batch_applies_its_other_rows_and_never_the_one_dated_9999(
    tmp_path: Path, context: ServiceContext
) -> None:
    lenient = GttCsvReader(GttSettings.from_mapping({"policy": "lenient"}))
    path = export(tmp_path / "a.csv", "23/11/2026 08:00", sick("31/12/9999"), sick())
    report = roster.apply_gtt_file(context, lenient.read, str(path)).report
    assert report is not None
    assert not report.refused
    assert (report.read, report.applied, [r.line for r in report.rejected]) == (2, 1, [3])
    assert held(context)["A1001"] == (date(2026, 11, 24).toordinal(), "MAL")
    assert posted(context) == ()


def test_an_extraction_time_of_31_12_9999_is_refused_and_a_later_genuine_export_applies(
    tmp_path: Path, context: ServiceContext
) -> None:
    future = export(tmp_path / "a.csv", "31/12/9999 23:59", "A1001;Martin;Claire;24/11/2026;J")
    with pytest.raises(InvalidInput, match="extraction time not plausible") as error:
        roster.apply_gtt_file(context, GttCsvReader().read, str(future))
    assert error.value.source == str(future)
    assert "to 2026-11-24T12:00+01:00" in str(error.value)  # a day after the clock
    assert held(context) == {}
    genuine = export(tmp_path / "b.csv", "23/11/2026 10:00", sick())
    report = roster.apply_gtt_file(context, GttCsvReader().read, str(genuine)).report
    assert report is not None
    assert report.applied == 1
    assert posted(context) == ()  # her sick leave took her off the post


def test_a_folder_applies_the_genuine_export_and_moves_the_one_from_9999_aside(
    tmp_path: Path, context: ServiceContext
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    export(inbox / "future.csv", "31/12/9999 23:59", "A1001;Martin;Claire;24/11/2026;J")
    export(inbox / "old.csv", "01/01/1990 06:00", "A1001;Martin;Claire;24/11/2026;J")
    export(inbox / "genuine.csv", "23/11/2026 10:00", sick())
    runs = roster.process_folder(context, GttCsvReader().folder(str(inbox)))
    moved = {Path(run.source).name: Path(run.moved_to).parent.name for run in runs}
    assert moved == {"old.csv": "rejected", "genuine.csv": "done", "future.csv": "rejected"}
    assert "not plausible" in (inbox / "rejected" / "future.csv.report.txt").read_text("utf-8")
    assert posted(context) == ()


def test_the_plausible_range_follows_the_clock_and_the_ward_setting(
    tmp_path: Path, database: Path
) -> None:
    path = export(tmp_path / "a.csv", "23/11/2026 10:00", sick("24/11/2030"))
    with SqliteStore(database) as store:
        admin = Actor.administrator(configuration=Everywhere("the ward names no organisation"))
        roster.set_up_ward(
            ServiceContext(store=store), admin, load_ward("[roster]\nplausible_years = 2\n")
        )
        context = ServiceContext(store=store, clock=FixedClock(NOW))
        report = roster.apply_gtt_file(context, GttCsvReader().read, str(path)).report
        assert report is not None
        assert report.refused
        assert "plausible_years 2" in report.rejected[0].reason
        # Three years later, the day is within the range; the export itself is too old.
        later = ServiceContext(store=store, clock=FixedClock(NOW.replace(year=2029)))
        with pytest.raises(InvalidInput, match="extraction time not plausible"):
            roster.apply_gtt_file(later, GttCsvReader().read, str(path))


# -- a line of 10 MB -------------------------------------------------------------------

WIDE = ";".join(["x" * 1023] * 10240)  # a line of 10 MB, each field within csv's limit


def huge(tmp_path: Path, where: str) -> Path:
    path = tmp_path / f"{where}.csv"
    head = "Extraction;23/11/2026 10:00"
    if where == "extraction":
        path.write_text(f"Extraction;{'x' * len(WIDE)}\n{HEADER}\n{sick()}\n", "utf-8")
    elif where == "columns":
        path.write_text(f"{head}\n{WIDE}\n{sick()}\n", "utf-8")
    elif where == "undecodable":
        path.write_bytes(f"{head}\n{HEADER}\n{WIDE}".encode() + b"\xff\n")
    elif where == "fields":
        path.write_text(f"{head}\n{HEADER}\n{WIDE}\n", "utf-8")
    else:  # a day of 100,000 characters, control characters, within csv's field limit
        path.write_text(f"{head}\n{HEADER}\nA1;N;P;{chr(27) * 100_000};M\n", "utf-8")
    return path


def test_lines_of_10_mb_give_short_errors(tmp_path: Path, database: Path) -> None:
    """A long line first, as column headers, with a byte that is not UTF-8, with too many
    fields, or as a day of control characters: each file gets short lines naming it."""
    where = ["extraction", "columns", "undecodable", "fields", "day"]
    paths = [str(huge(tmp_path, name)) for name in where]
    result = caredomain("gtt", "--db", str(database), "apply", *paths, cwd=tmp_path)
    assert result.returncode == 2
    out = result.stdout + result.stderr
    assert "Traceback" not in out
    assert "\x1b" not in out
    assert max(map(len, out.splitlines())) < 400
    assert len(out) < 3000
    assert all(path in out for path in paths)


# -- any file: a batch or InvalidInput ---------------------------------------------------

_TIMES = ["23/11/2026 10:00", "01/01/0001 00:00", "31/12/9999 23:59", "31/02/2026 10:00", ""]
_DAYS = ["24/11/2026", "31/12/9999", "01/01/0001", "0001-01-01", "9999-12-31", "31/02/2026"]
_FIELDS = st.one_of(
    st.sampled_from(["A1001", "MAL", "M", "", '"', "\r", "\x00"]), st.text(max_size=4)
)
_ROWS = st.one_of(
    st.tuples(_FIELDS, _FIELDS, _FIELDS, st.one_of(st.sampled_from(_DAYS), _FIELDS), _FIELDS).map(
        ";".join
    ),
    st.text(max_size=12),
)
_EXPORTS = st.tuples(
    st.one_of(st.sampled_from(_TIMES).map("Extraction;".__add__), st.text(max_size=20)),
    st.one_of(st.sampled_from([HEADER, "Matricule;Date;Code", ""]), st.text(max_size=20)),
    st.lists(_ROWS, max_size=6),
).map(lambda parts: "\n".join([parts[0], parts[1], *parts[2]]))


@settings(max_examples=60)
@given(
    text=_EXPORTS,
    raw=st.binary(max_size=4),
    zone=st.sampled_from(["Europe/Paris", "America/Toronto", "UTC"]),
    policy=st.sampled_from(["strict", "lenient"]),
)
def test_any_file_is_read_into_a_batch_or_refused_with_invalid_input(
    text: str, raw: bytes, zone: str, policy: str
) -> None:
    reader = GttCsvReader(GttSettings.from_mapping({"zone": zone, "policy": policy}))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "GTT_20261123_100000.csv"
        path.write_bytes(text.encode("utf-8", "surrogatepass") + raw)
        for read in (reader.read, reader.extraction_time):
            message = ""
            try:
                read(str(path))
            except InvalidInput as error:
                message = str(error)
            assert len(message) < 1000

"""The chunked read against the exports a hostile world sends: a valid export whose bytes are
then broken — NUL, lone CR, LF, CRLF, quotes that never close or span lines, delimiters,
bytes the encoding cannot read, a BOM, a very long line, no line end last, no body at all,
Latin-1 names — read in chunks of any size, from one byte to more than the file, strict or
lenient. Either both reads refuse the file with the same
:class:`~caredomain.errors.InvalidInput`, or both give the same rows and the same
rejections, line numbers included; never another exception. Through the roster too, on a
real SQLite store: the chunked apply gives the whole apply's report and state."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from attrs import evolve
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from caredomain import InvalidInput
from caredomain_gtt import Extraction, GttCsvReader, GttSettings

from .test_chunks import DAYS, applied, text_of

AGENTS = ["M000", "M001", "M002", "X999"]
NAMES = ["Nom", "Hélène", "Zoë Ærø", "Dupont"]
CODES = ["J", "M", "RH", "MAL", "CA"]

_LINE_END = re.compile(rb"\r\n|\r|\n")
_PIECES = [
    b"\x00",
    b"\r",
    b"\n",
    b"\r\n",
    b'"',
    b'""',
    b";",
    b"\xff",
    b"\xc3",
    b"\xe9",
    b"\x80",
    b"\xef\xbb\xbf",
    b"\n\n",
    b" ",
]


@st.composite
def exports(draw: st.DrawFn, *, varied: bool = True) -> tuple[bytes, dict[str, Any]]:
    """A valid export's bytes (each agent's days together, names with accents) in an
    encoding, with a delimiter, then broken at random places; and the reader's settings
    (the default ones unless ``varied``)."""
    encoding, delimiter, trim = "utf-8-sig", ";", False
    if varied:
        encoding = draw(st.sampled_from(["utf-8-sig", "utf-8-sig", "cp1252", "latin-1"]))
        delimiter = draw(st.sampled_from([";", ";", ",", "\t", "|"]))
        trim = draw(st.booleans())
    extraction = Extraction.HEADER
    if varied and draw(st.integers(0, 4)) == 0:  # no extraction line: the file's time
        extraction = Extraction.MTIME
    how = {"encoding": encoding, "delimiter": delimiter, "trim": trim, "extraction": extraction}
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    agents = draw(st.lists(st.sampled_from(AGENTS), min_size=0, max_size=4, unique=True))
    lines = ["Extraction;23/11/2026 12:00", "Matricule;Nom;Date;Code"]
    if extraction is Extraction.MTIME:
        lines = lines[1:]
    for agent in agents:
        name = draw(st.sampled_from(NAMES))
        days = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=4, unique=True))
        lines += [
            f"{agent};{name};{day:%d/%m/%Y};{draw(st.sampled_from(CODES))}" for day in sorted(days)
        ]
    text = newline.join(lines).replace(";", delimiter)
    text += newline if draw(st.booleans()) else ""
    data = bytearray(text.encode(encoding.replace("-sig", "")))
    headers = 2 if extraction is Extraction.HEADER else 1
    head = len(newline.join(lines[:headers]).encode()) + len(newline)
    shape = draw(st.sampled_from(["broken"] * 6 + ["long line", "empty", "headers only"]))
    event(shape)
    if shape == "empty":
        return b"", how
    if shape == "headers only":
        data = data[: head - draw(st.sampled_from([0, len(newline)]))]
    for _ in range(draw(st.integers(1 if shape == "long line" else 0, 4))):
        _break(draw, data, head, delimiter.encode(), long=shape == "long line")
    if draw(st.integers(0, 5)) == 0:
        data[:0] = b"\xef\xbb\xbf"
    return bytes(data), how


def _break(draw: st.DrawFn, data: bytearray, head: int, delimiter: bytes, *, long: bool) -> None:
    """Break ``data`` (whose body starts at ``head``) once: a line end of another kind or
    none, a quote opening a field or inside one, or some bytes put in or over others, most
    often in the body, often where a field or a line starts or ends."""
    kind = draw(st.sampled_from(["line end", "quote", "bytes", "bytes"]))
    ends = [(m.start(), m.end()) for m in _LINE_END.finditer(data)]
    if kind == "line end" and ends:
        start, end = draw(st.sampled_from(ends))
        data[start:end] = draw(st.sampled_from([b"\n", b"\r\n", b"\r", b"", b"\n\r"]))
        return
    anywhere = draw(st.integers(0, 5)) == 0  # else in the body
    at = draw(st.integers(0 if anywhere else min(head, len(data)), len(data)))
    edges = [n for n, byte in enumerate(data) if byte in delimiter + b"\r\n"]
    if draw(st.booleans()) and edges:
        at = draw(st.sampled_from(edges)) + draw(st.integers(0, 1))
    if kind == "quote":
        data[at:at] = draw(st.sampled_from([b'"', b'"x', b'x"', b'""', b'""' + delimiter]))
        return
    piece = draw(
        st.sampled_from([*_PIECES, delimiter])
        | st.binary(min_size=1, max_size=3)
        | st.builds(
            bytes.__mul__,
            st.sampled_from([b"x", delimiter, b'"', b"\r", b"\n", b"\r\n", b"\xe9"]),
            st.integers(1, 300_000) if long else st.integers(1, 300),
        )
    )
    if draw(st.booleans()) and at < len(data):  # over others, else put in
        data[at : at + len(piece)] = piece
    else:
        data[at:at] = piece


def _read(read: Any) -> tuple[str, Any]:
    try:
        return "read", read()
    except InvalidInput as error:
        return "refused", (str(error), error.line, error.field, error.text)


def check_chunks_read_as_the_whole_file(path: Path, data: bytes, gtt: GttSettings) -> str:
    """Assert that ``data`` reads in chunks as it reads whole; what the whole read did."""
    path.write_bytes(data)
    whole = _read(lambda: GttCsvReader(gtt).read(str(path)))
    chunks = _read(lambda: list(GttCsvReader(gtt).read_chunks(str(path), {})))
    if whole[0] == "read" and chunks[0] == "read":
        batch, pieces = whole[1], chunks[1]
        assert [row for piece in pieces for row in piece.rows] == batch.rows
        assert [bad for piece in pieces for bad in piece.rejected] == list(batch.rejected)
        return "rows rejected" if batch.rejected else "read"
    assert chunks == whole
    return "refused"


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    export=exports(),
    strict=st.booleans(),
    chunk=st.integers(1, 40) | st.integers(1, 400) | st.just(1 << 20),
)
def test_a_broken_export_reads_in_chunks_as_it_reads_whole(
    tmp_path_factory: Any, export: tuple[bytes, dict[str, Any]], strict: bool, chunk: int
) -> None:
    data, how = export
    gtt = evolve(GttSettings(), strict=strict, chunk_bytes=chunk, **how)
    path = tmp_path_factory.mktemp("hostile") / "export.csv"
    event(check_chunks_read_as_the_whole_file(path, data, gtt))


def _applied(folder: Path, name: str, export: bytes, earlier: bytes | None, **how: Any) -> Any:
    try:
        return applied(folder / name, export, earlier, **how)
    except InvalidInput as error:
        return str(error), error.line, error.field, error.text


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    export=exports(varied=False),
    earlier=st.booleans(),
    strict=st.booleans(),
    chunk=st.integers(1, 60) | st.just(1 << 20),
)
def test_a_broken_export_applies_in_chunks_as_it_applies_whole(
    tmp_path_factory: Any,
    export: tuple[bytes, dict[str, Any]],
    earlier: bool,
    strict: bool,
    chunk: int,
) -> None:
    """Through the roster, on a real SQLite store, after an earlier export or not: the
    same report and state, or the same refusal."""
    data = export[0]
    folder = tmp_path_factory.mktemp("applied")
    before = text_of([(agent, f"{DAYS[0]:%d/%m/%Y}", "J") for agent in AGENTS], 6)
    known = before if earlier else None
    whole = _applied(folder, "whole.db", data, known, chunk_bytes=None, strict=strict)
    chunked = _applied(folder, "chunked.db", data, known, chunk_bytes=chunk, strict=strict)
    event("refused" if isinstance(whole[0], str) else "applied")
    assert chunked == whole


# -- the breaches the property found, each as a plain example ----------------------------

ROWS = "M000;Nom;23/11/2026;J\nM001;Nom;23/11/2026;J\n"


def rows_and_rejections(path: Path, gtt: GttSettings) -> tuple[list[Any], list[Any]]:
    """What the whole read gives, once checked that the chunked read gives it too."""
    check_chunks_read_as_the_whole_file(path, path.read_bytes(), gtt)
    batch = GttCsvReader(gtt).read(str(path))
    return [(row.line, row.agent) for row in batch.rows], list(batch.rejected)


@pytest.mark.parametrize("where", ["extraction", "columns"])
def test_a_header_line_ended_by_a_lone_cr_loses_no_row(tmp_path: Path, where: str) -> None:
    """A lone CR ends the extraction line or the column headers of an LF export: the whole
    read started the rows one line too far on, and lost the first row without a word."""
    ends = {"extraction": ("\r", "\n"), "columns": ("\n", "\r")}[where]
    path = tmp_path / "export.csv"
    path.write_bytes(
        f"Extraction;23/11/2026 12:00{ends[0]}Matricule;Nom;Date;Code{ends[1]}{ROWS}".encode()
    )
    gtt = evolve(GttSettings(), chunk_bytes=1)
    assert rows_and_rejections(path, gtt) == ([(3, "M000"), (4, "M001")], [])


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("chunk", [1, 40])
def test_a_quote_inside_a_field_does_not_make_a_chunk_end_inside_a_quoted_field(
    tmp_path: Path, newline: str, chunk: int
) -> None:
    """A quote inside an unquoted field is a character like any other, it opens nothing;
    the cutter counted it as opening a quoted field, then took the quote that really opens
    one, over two lines, for its closing, and ended a chunk inside that field."""
    path = tmp_path / "export.csv"
    lines = [
        "Extraction;23/11/2026 12:00",
        "Matricule;Nom;Date;Code",
        'M000;No"m;23/11/2026;J',
        'M001;"two',
        'lines";23/11/2026;J',
        "M002;Nom;23/11/2026;J",
    ]
    path.write_bytes((newline.join(lines) + newline).encode())
    gtt = evolve(GttSettings(), strict=False, chunk_bytes=chunk)
    assert rows_and_rejections(path, gtt) == ([(3, "M000"), (4, "M001"), (6, "M002")], [])


@pytest.mark.parametrize("bad", [True, False])
def test_a_quoted_field_left_open_on_the_last_line_takes_no_line_end_in(
    tmp_path: Path, bad: bool
) -> None:
    """The last line has no line end and opens a quoted field it never closes: :mod:`csv`
    reads the field to the end of the file. Reading by runs put a line end at the end
    first, which became part of the code (``J\\n``): a chunk read so, while the whole
    file, whose other line is bad, was read as text (``J``)."""
    path = tmp_path / "export.csv"
    first = "M000;Nom;31/02/2026;J" if bad else "M000;Nom;23/11/2026;J"
    head = "Extraction;23/11/2026 12:00\nMatricule;Nom;Date;Code\n"
    path.write_bytes(f'{head}{first}\nM001;Nom;23/11/2026;"J'.encode())
    gtt = evolve(GttSettings(), strict=False, chunk_bytes=1)
    rows, _ = rows_and_rejections(path, gtt)
    assert rows[-1] == (4, "M001")
    assert GttCsvReader(gtt).read(str(path)).rows[-1].code == "J"

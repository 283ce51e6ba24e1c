"""The columns of an export's rows: the loop that unpacks rows into them, and the days, each
distinct day text parsed once. Shared by the reader's passes and by the runs of lines."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from functools import cache
from itertools import chain, cycle, islice
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _csv import Reader

__all__ = ["Adder", "ColumnLoop", "Days", "column_reader", "parse_day"]


class Days(dict[str, date | None]):
    """Day texts to days, each distinct text parsed once; ``None`` for one that is no day."""

    def __init__(self, formats: Sequence[str]) -> None:
        super().__init__()
        self._formats = formats

    def __missing__(self, text: str) -> date | None:
        value = self[text] = parse_day(text.strip(), self._formats)
        return value


def parse_day(text: str, formats: Sequence[str]) -> date | None:
    for pattern in formats:
        try:
            if pattern == "iso":
                if len(text) == 10 and text[4] == "-" and text.isascii():
                    return date.fromisoformat(text)
            else:
                return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


Adder = Callable[[Any], None]
ColumnLoop = Callable[
    ["Reader", Adder, Adder, Mapping[str, date | None], list[Any], list[str]], None
]


@cache
def column_reader(
    width: int, agent_at: int, day_at: int, code_at: int, *, trim: bool
) -> ColumnLoop:
    """A loop that unpacks each row of ``width`` fields into the columns: the agents as runs
    (an agent and the row her run starts at), the days, the codes.

    The first agent's days are looked up by their text (``None`` for a text that is no day;
    each distinct text parsed once). An export lists every agent over the same days, so each
    later row's day text is only compared with the one at the same place in the first
    agent's run — cheaper than a lookup — and the days column is filled in at the end; from
    the first row that does not follow, the rest are looked up too.

    Unpacking in the ``for`` statement is the cheapest way Python has to take a row apart,
    and a row of another width raises ``ValueError``. Generated (as attrs and dataclasses
    generate their methods) because the width and positions are the file's."""
    fields = ", ".join(f"f{i}" if i in (agent_at, day_at, code_at) else "_" for i in range(width))
    agent = f"f{agent_at}.strip()" if trim else f"f{agent_at}"
    code = f"f{code_at}.strip()" if trim else f"f{code_at}"
    day = f"f{day_at}"
    new_run = f"""if {agent} != last:
            last = {agent}
            add_agent(last)
            add_start(len(codes))"""
    source = f"""
def read_columns(rows, add_agent, add_start, day_of, days, codes):
    add_day = days.append
    add_code = codes.append
    base = len(codes)  # where this call's rows start: a file may be read in several calls
    last = None
    pattern = []
    for row in rows:
        {fields}, = row
        if {agent} != last and last is not None:
            break
        {new_run}
        pattern.append({day})
        add_day(day_of[{day}])
        add_code({code})
    else:
        return
    for ({fields},), expected in zip(chain((row,), rows), cycle(pattern)):
        if {day} != expected:
            break
        {new_run}
        add_code({code})
    else:
        days.extend(islice(cycle(days[base : base + len(pattern)]), len(codes) - len(days)))
        return
    days.extend(islice(cycle(days[base : base + len(pattern)]), len(codes) - len(days)))
    {new_run}
    add_day(day_of[{day}])
    add_code({code})
    for {fields}, in rows:
        {new_run}
        add_day(day_of[{day}])
        add_code({code})
"""
    namespace: dict[str, Any] = {"chain": chain, "cycle": cycle, "islice": islice}
    exec(source, namespace)
    loop: ColumnLoop = namespace["read_columns"]
    return loop

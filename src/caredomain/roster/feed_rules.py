"""The seed's rules for one row of a GTT batch, each in one function — what
:func:`~caredomain.roster.feed.apply_feed` applies to every row, whether row by row
(:mod:`~caredomain.roster.feed_rows`) or an agent's run at once
(:mod:`~caredomain.roster.feed_runs`):

* :func:`late_rows_never_regress` — a row older than what the roster already holds from the
  GTT for that agent-day is ignored; between two batches extracted at the same instant that
  disagree, the greater code wins, so that the order of arrival never matters;
* :func:`gtt_merges_or_overwrites_local_edit` — a newer row equal to a pending local edit
  confirms it (the two merge); a row that differs overwrites it, and the report lists it;
* :func:`never_guessed` — an unknown code or agent is never guessed: the row is rejected with
  its reason.
"""

from __future__ import annotations

from enum import Enum

from caredomain.errors import excerpt
from caredomain.roster.days import LocalEdit
from caredomain.roster.state import Roster
from caredomain.text import Text

__all__ = [
    "RowVerdict",
    "gtt_merges_or_overwrites_local_edit",
    "late_rows_never_regress",
    "never_guessed",
]


class RowVerdict(Enum):
    NEWER = "newer"  # the row is the GTT's latest word on the agent-day
    SAME = "same"  # the roster already holds this row (same extraction, same code)
    STALE = "stale"  # the roster holds a later word: the row is ignored


def late_rows_never_regress(
    extracted_at: int, held_at: int, code: str, held_code: str | None
) -> RowVerdict:
    """A row older than what the roster holds from the GTT for that agent-day is ignored.

    Times are the batches' extraction times (see :func:`~caredomain.roster.days.micros`).
    Two batches extracted at the same instant that disagree are ordered by code, the greater
    winning, so that any order of arrival ends in the same state.
    """
    if extracted_at > held_at:
        return RowVerdict.NEWER
    if extracted_at < held_at:
        return RowVerdict.STALE
    if code == held_code:
        return RowVerdict.SAME
    return RowVerdict.NEWER if held_code is None or code > held_code else RowVerdict.STALE


def gtt_merges_or_overwrites_local_edit(edit: LocalEdit, code: str) -> bool:
    """Whether a newer GTT row confirms a pending local edit (``True``: the same code, the two
    merge) or overwrites it (``False``: the edit is lost and reported). Either way the edit
    is no longer pending: the GTT's word is what the roster holds."""
    return edit.code == code


def never_guessed(roster: Roster, agent: str, code: str) -> str | None:
    """Why a row cannot be applied — an unknown agent or code, never guessed — or ``None``."""
    if not roster.knows(agent):
        return Text("unknown agent {agent}", agent=excerpt(agent))
    if code not in roster.catalogue:
        near = [
            known.code for known in roster.catalogue if known.code.casefold() == code.casefold()
        ]
        if near:
            return Text(
                "unknown code {code} (codes are case-sensitive: {near} exists)",
                code=excerpt(code),
                near=repr(near[0]),
            )
        return Text("unknown code {code}", code=excerpt(code))
    return None

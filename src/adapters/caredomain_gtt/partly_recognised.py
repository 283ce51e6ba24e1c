"""Runs partly recognised: a run not recognised whole whose groups are partly a record's, in
their places, is given as a :class:`~caredomain.roster.batch.RecognisedRun` all the same,
with the rows of its other groups parsed (a changed code costs ten lines, not the run).

Those other groups, of every such run, are parsed in one pass of :mod:`csv`. A run whose
other groups do not read as her rows, and hers only, is left to be parsed whole
(:func:`~caredomain_gtt.runs.runs_batch`); so is every such run where any of those lines
does not read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import cast

from caredomain.roster.batch import RecognisedRun
from caredomain_gtt.digests import DIGEST_SIZE, RunLayout, Runs

__all__ = ["KnownRuns", "Partly", "Patches", "partly_held"]

Partly = tuple[int, str, bytes, list[int]]
"""A run partly recognised: its index, the agent, her record's digest, and the places of the
groups that are not that record's."""


class KnownRuns:
    """The digests a roster holds (a record's digest → its agent), and each group's digest →
    the record it is part of, built once for every run length met: a file read in chunks
    asks for it once per chunk."""

    def __init__(self, known: Mapping[bytes, str]) -> None:
        self.known = known
        self.held = list(known.items())
        self._owners: dict[int, dict[bytes, int]] = {}

    def owners(self, per_run: int) -> dict[bytes, int]:
        """Each group's digest → the number of the record of ``per_run`` groups holding it."""
        owners = self._owners.get(per_run)
        if owners is None:
            size = DIGEST_SIZE
            places = range(0, per_run * size, size)
            owners = self._owners[per_run] = {
                digest[place : place + size]: number
                for number, (digest, _) in enumerate(self.held)
                if len(digest) == per_run * size
                for place in places
            }
        return owners


def partly_held(runs: Runs, known: KnownRuns, found: list[RecognisedRun | None]) -> list[Partly]:
    """The runs not recognised whole whose groups are partly one record's, in their places
    (a record recognised whole is none of them)."""
    size, per_run = DIGEST_SIZE, runs.per_run
    if per_run == 1:
        return []
    recognised = {run.digest for run in found if run is not None}
    held = known.held
    owner = known.owners(per_run)
    places = range(0, per_run * size, size)
    partly = []
    for index, run in enumerate(found):
        if run is not None:
            continue
        digests = runs.group_digests[index * per_run : (index + 1) * per_run]
        number = next(
            (n for n in map(owner.get, digests) if n is not None and held[n][0] not in recognised),
            None,
        )
        if number is None or len(digests) != per_run:
            continue
        basis, agent = held[number]
        missing = [k for k, place in enumerate(places) if basis[place : place + size] != digests[k]]
        if len(missing) < per_run:  # a group in its own place: not a period shifted
            partly.append((index, agent, basis, missing))
    return partly


class Patches:
    """The groups of the runs partly recognised that are not their record's, parsed in one
    pass of :mod:`csv`."""

    def __init__(self, runs: Runs, layout: RunLayout, day_of: Mapping[str, date | None]) -> None:
        self.cut = runs
        self.layout = layout
        self.day_of = day_of

    def read(self, partly: list[Partly]) -> list[tuple[int, RecognisedRun]]:
        """Each run of ``partly`` whose other groups read as her rows, as a recognised run
        with those rows; the others are left out, to be parsed whole."""
        if not partly:
            return []
        runs, layout = self.cut, self.layout
        pieces = [runs.lines(index)[place] for index, _, _, missing in partly for place in missing]
        agents: list[str] = []
        starts: list[int] = []
        days: list[date | None] = []
        codes: list[str] = []
        lines = sum(piece.count(b"\n") for piece in pieces)
        read = layout.parse(b"".join(pieces), lines, (agents, starts, days, codes), self.day_of)
        if not read or "" in codes or None in days:
            return []
        size = len(codes)
        held_days = cast(list[date], days)
        owner = dict(zip(starts, agents, strict=True))
        run_end = dict(zip(starts, [*starts[1:], size], strict=True))
        out = []
        row = 0
        group = runs.group
        for index, agent, basis, missing in partly:
            offsets = [place * group + k for place in missing for k in range(group)]
            end = row + len(offsets)
            if owner.get(row) == agent and run_end[row] == end:  # her rows, and only hers
                parsed = tuple(zip(offsets, held_days[row:end], codes[row:end], strict=True))
                digest = runs.digests[index]
                line, count = runs.line(index), runs.rows(index)
                out.append(
                    (index, RecognisedRun(agent, digest, line, count, parsed=parsed, basis=basis))
                )
            row = end
        return out

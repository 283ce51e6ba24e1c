"""The audit journal of a configuration (issue 20): append-only, each entry chained to the
one before it, so that an edited, removed, reordered or inserted entry is found.

Every entry into a mode, every refused attempt, every password set or changed, every
break-glass step, window opened and closed and every action taken in a window, every
administrator designated and user created is an :class:`AuditEntry`. Entries of one
configuration are numbered from 1; each holds the hash of the one before it (:data:`GENESIS`
for the first) and its own::

    hash = SHA-256(previous hash, as its 64 hex digits  +  canonical content)

where the canonical content is the entry's fields (configuration, sequence, instant in UTC,
kind, actor, details sorted by key) as compact JSON in UTF-8 (:func:`canonical`).

:func:`verify` walks the entries in order and names the first that does not hold:
``edited`` (its hash is not that of its content, or the next entry was chained to another
one: it was replaced, its hash recomputed), ``removed`` (a number is missing),
``reordered`` (a number comes out of order), ``inserted`` (a number given twice, or an entry
of another configuration). A chain alone cannot
tell that its last entries were cut off: give :func:`verify` the ``head`` (sequence and
hash) a previous verification printed, and it checks that entry is still there, unchanged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum

from attrs import Attribute, field, frozen

from caredomain.arguments import checked_fields
from caredomain.clock import require_aware
from caredomain.errors import InvalidInput
from caredomain.organisation import ConfigurationId
from caredomain.text import Text
from caredomain.validation import identifier

__all__ = [
    "GENESIS",
    "AuditEntry",
    "AuditHead",
    "AuditKind",
    "Problem",
    "Verification",
    "canonical",
    "chained",
    "verify",
]

GENESIS = "0" * 64


class AuditKind(StrEnum):
    CONFIGURED = "configured"  # the configuration, its bases or its console password
    ADMINISTRATOR_DESIGNATED = "administrator-designated"
    USER_CREATED = "user-created"
    MODE_ENTERED = "mode-entered"
    ATTEMPT_REFUSED = "attempt-refused"
    PASSWORD_SET = "password-set"
    PASSWORD_CHANGED = "password-changed"
    BREAKGLASS_STEP = "breakglass-step"  # requested, quoted, accepted, scheduled
    WINDOW_OPENED = "window-opened"
    WINDOW_ACTION = "window-action"
    WINDOW_CLOSED = "window-closed"


def _utc(value: datetime) -> datetime:
    return require_aware(value, "at").astimezone(UTC)


def _details(value: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    pairs = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted((str(key), str(text)) for key, text in pairs))


def _sequence(instance: object, attribute: Attribute[int], value: int) -> None:
    if value < 1:
        raise InvalidInput(Text("must be 1 or more"), field=attribute.name, text=str(value))


def _hex(instance: object, attribute: Attribute[str], value: str) -> None:
    if len(value) != 64 or any(ch not in "0123456789abcdef" for ch in value):
        raise InvalidInput(
            Text("expected a SHA-256 digest in lowercase hex"), field=attribute.name, text=value
        )


@frozen(field_transformer=checked_fields)
class AuditEntry:
    """One entry of a configuration's audit journal (see the module)."""

    configuration: ConfigurationId = field(validator=identifier)
    sequence: int = field(validator=_sequence)
    at: datetime = field(converter=_utc)
    kind: AuditKind
    actor: str
    details: tuple[tuple[str, str], ...] = field(converter=_details)
    previous: str = field(validator=_hex)
    hash: str = field(validator=_hex)

    def detail(self, key: str) -> str | None:
        return dict(self.details).get(key)


def canonical(
    configuration: str,
    *,
    sequence: int,
    at: datetime,
    kind: str,
    actor: str,
    details: Sequence[tuple[str, str]],
) -> bytes:
    """An entry's content as the bytes its hash covers."""
    content = [
        configuration,
        sequence,
        at.astimezone(UTC).isoformat(),
        kind,
        actor,
        [list(pair) for pair in details],
    ]
    return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _digest(entry: AuditEntry) -> str:
    content = canonical(
        entry.configuration,
        sequence=entry.sequence,
        at=entry.at,
        kind=entry.kind.value,
        actor=entry.actor,
        details=entry.details,
    )
    return hashlib.sha256(entry.previous.encode("ascii") + content).hexdigest()


def chained(
    last: AuditEntry | None,
    configuration: ConfigurationId,
    *,
    at: datetime,
    kind: AuditKind,
    actor: str,
    details: Mapping[str, str] | None = None,
) -> AuditEntry:
    """The entry that follows ``last`` (the journal's last entry, ``None`` if empty)."""
    pairs = _details(details or {})
    sequence = 1 if last is None else last.sequence + 1
    previous = GENESIS if last is None else last.hash
    instant = _utc(at)
    content = canonical(
        configuration, sequence=sequence, at=instant, kind=kind.value, actor=actor, details=pairs
    )
    digest = hashlib.sha256(previous.encode("ascii") + content).hexdigest()
    return AuditEntry(configuration, sequence, instant, kind, actor, pairs, previous, digest)


@frozen
class AuditHead:
    """The last entry a verification saw: keep it to detect a journal cut short later."""

    sequence: int
    hash: str

    def __str__(self) -> str:
        return f"{self.sequence}:{self.hash}"

    @classmethod
    def parse(cls, text: str, *, field: str = "head") -> AuditHead:
        number, _, digest = text.strip().partition(":")
        if not number.isdigit() or len(digest) != 64:
            raise InvalidInput(Text("expected SEQUENCE:SHA256"), field=field, text=text)
        return cls(int(number), digest.lower())


class Problem(StrEnum):
    EDITED = "edited"
    REMOVED = "removed"
    REORDERED = "reordered"
    INSERTED = "inserted"


@frozen
class Verification:
    """What :func:`verify` found: how many entries, the head, and the first problem (the
    entry's sequence number and its position, from 0, in what was given)."""

    count: int
    head: AuditHead | None
    problem: Problem | None = None
    sequence: int | None = None
    position: int | None = None
    reason: Text | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _found(
    count: int, problem: Problem, sequence: int, position: int, reason: Text
) -> Verification:
    return Verification(count, None, problem, sequence, position, reason)


def verify(entries: Sequence[AuditEntry], head: AuditHead | None = None) -> Verification:
    """Check a configuration's journal, given whole and in order (see the module)."""
    found = _chain_problem(entries) or _head_problem(entries, head)
    if found is not None:
        return found
    last = AuditHead(entries[-1].sequence, entries[-1].hash) if entries else None
    return Verification(len(entries), last)


def _chain_problem(entries: Sequence[AuditEntry]) -> Verification | None:
    count = len(entries)
    seen: set[int] = set()
    numbers = {entry.sequence for entry in entries}
    previous = GENESIS
    first = entries[0].configuration if entries else None
    for position, entry in enumerate(entries):
        expected = position + 1
        if _digest(entry) != entry.hash:
            reason = Text(
                "entry {n} was edited: its hash is not that of its content", n=entry.sequence
            )
            return _found(count, Problem.EDITED, entry.sequence, position, reason)
        if entry.configuration != first or entry.sequence in seen:
            reason = Text(
                "entry {n} was inserted: its number or configuration is taken", n=entry.sequence
            )
            return _found(count, Problem.INSERTED, entry.sequence, position, reason)
        if entry.sequence != expected:
            return _misnumbered(count, entry, position, expected, numbers)
        if entry.previous != previous:
            # Entry n was chained to another n - 1: that one was replaced, hash and all.
            before = entry.sequence - 1
            reason = Text(
                "entry {before} was replaced: entry {n} was chained to another",
                before=before,
                n=entry.sequence,
            )
            return _found(count, Problem.EDITED, before, position - 1, reason)
        seen.add(entry.sequence)
        previous = entry.hash
    return None


def _misnumbered(
    count: int, entry: AuditEntry, position: int, expected: int, numbers: set[int]
) -> Verification:
    if expected in numbers:
        reason = Text(
            "entry {n} is out of order (entry {expected} expected)",
            n=entry.sequence,
            expected=expected,
        )
        return _found(count, Problem.REORDERED, entry.sequence, position, reason)
    reason = Text("entry {expected} was removed", expected=expected)
    return _found(count, Problem.REMOVED, expected, position, reason)


def _head_problem(entries: Sequence[AuditEntry], head: AuditHead | None) -> Verification | None:
    count = len(entries)
    if head is None or head.sequence < 1:
        return None
    if head.sequence > count:
        reason = Text("entry {n} was removed: the journal ends before it", n=head.sequence)
        return _found(count, Problem.REMOVED, head.sequence, count, reason)
    if entries[head.sequence - 1].hash != head.hash:
        reason = Text("entry {n} is not the one the head names", n=head.sequence)
        return _found(count, Problem.EDITED, head.sequence, head.sequence - 1, reason)
    return None

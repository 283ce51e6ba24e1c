"""The notifications' tables (``notification_settings``, ``outbox``) behind
:class:`~caredomain.notifications.ports.NotificationRepository`.

Times are whole microseconds since the epoch, in UTC, so that "due by now" is an integer
comparison on an index. A claim is one ``UPDATE`` of the messages a sub-select chooses. In
SQLite it runs inside the unit's ``BEGIN IMMEDIATE`` transaction: no other writer runs
between choosing the due messages and marking them. In PostgreSQL the sub-select locks the
rows it chooses ``FOR UPDATE SKIP LOCKED``: dispatchers claiming at once each take rows no
other holds. Either way two dispatchers never hold the same message.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from caredomain.errors import InvalidInput, NotFound
from caredomain.notifications.outbound import CalendarEntry
from caredomain.notifications.outbox import OutboxMessage, OutboxStatus, Outcome
from caredomain.serialization import structure, unstructure
from caredomain.text import Text
from caredomain_sql.documents import micros, moment, parsed, plain_json
from caredomain_sql.statements import Statements

__all__ = ["SqlNotifications"]

_COLUMNS = (
    "key, status, channel, kind, topic, due_at, attempts, last_error, detail, sent_at, document"
)


def _maybe(value: int | None) -> datetime | None:
    return None if value is None else moment(value)


def _document(message: OutboxMessage) -> str:
    """What the columns do not hold: who, what, and the calendar entry."""
    return plain_json(
        {
            "event_id": message.event_id,
            "organisation_id": message.organisation_id,
            "recipient": message.recipient,
            "subject": message.subject,
            "body": message.body,
            "created_at": message.created_at.isoformat(),
            "calendar": None if message.calendar is None else unstructure(message.calendar),
        }
    )


def _message(row: Sequence[Any]) -> OutboxMessage:
    key, status, channel, kind, topic, due_at, attempts, last_error, detail, sent_at, doc = row
    source = Text("outbox message {key}", key=repr(key))
    data = parsed(doc, source)
    calendar = data.get("calendar")
    return OutboxMessage(
        key=key,
        event_id=data["event_id"],
        organisation_id=data["organisation_id"],
        kind=kind,
        topic=topic,
        channel=channel,
        recipient=data["recipient"],
        subject=data["subject"],
        body=data["body"],
        created_at=datetime.fromisoformat(data["created_at"]),
        due_at=moment(due_at),
        status=OutboxStatus(status),
        attempts=attempts,
        last_error=last_error,
        detail=detail,
        sent_at=_maybe(sent_at),
        calendar=None if calendar is None else structure(calendar, CalendarEntry, source=source),
    )


class SqlNotifications:
    """:class:`~caredomain.notifications.ports.NotificationRepository` over SQLite."""

    def __init__(self, unit: Statements) -> None:
        self._unit = unit

    # -- settings -------------------------------------------------------------------------

    def settings_data(self, organisation_id: str) -> Mapping[str, object] | None:
        rows = self._unit.query(
            "SELECT document FROM notification_settings WHERE organisation_id = ?",
            (organisation_id,),
        )
        if not rows:
            return None
        data: Mapping[str, object] = parsed(
            rows[0][0], f"notification settings of {organisation_id}"
        )
        return data

    def save_settings_data(self, organisation_id: str, data: Mapping[str, object]) -> None:
        self._unit.change(
            "INSERT INTO notification_settings (organisation_id, document) VALUES (?, ?) "
            "ON CONFLICT (organisation_id) DO UPDATE SET document = excluded.document",
            (organisation_id, plain_json(data)),
        )

    # -- the outbox -----------------------------------------------------------------------

    def add(self, messages: Sequence[OutboxMessage]) -> int:
        added = 0
        for message in messages:
            added += self._unit.change(
                f"INSERT INTO outbox ({_COLUMNS}, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
                (
                    message.key,
                    message.status.value,
                    message.channel,
                    message.kind,
                    message.topic,
                    micros(message.due_at),
                    message.attempts,
                    message.last_error,
                    message.detail,
                    None if message.sent_at is None else micros(message.sent_at),
                    _document(message),
                    micros(message.created_at),
                ),
            )
        return added

    def withdraw(self, topic: str, kind: str, reason: str) -> int:
        return self._unit.change(
            "UPDATE outbox SET status = 'withdrawn', last_error = ? "
            "WHERE topic = ? AND kind = ? AND status = 'pending'",
            (reason, topic, kind),
        )

    def claim(
        self,
        *,
        now: datetime,
        channels: Collection[str],
        limit: int,
        lease_until: datetime,
        token: str,
    ) -> list[OutboxMessage]:
        if limit < 1 or not channels:
            return []
        marks = ", ".join("?" for _ in channels)
        moment = micros(now)
        # Two index scans (status, due_at) that stop at the limit, rather than one "OR"
        # that would sort every pending message at each claim: messages whose lease ran
        # out first (they have waited longest), then the pending ones, oldest due first.
        lock = self._unit.dialect.skip_locked
        claimed = self._unit.change(
            "UPDATE outbox SET status = 'sending', claim = ?, lease_until = ?, "
            "attempts = attempts + 1 WHERE key IN ("
            "  SELECT key FROM ("
            "    SELECT key FROM outbox WHERE status = 'sending' AND lease_until <= ?"
            f"     AND channel IN ({marks}) ORDER BY due_at LIMIT ?{lock}) AS expired"
            "  UNION ALL SELECT key FROM ("
            "    SELECT key FROM outbox WHERE status = 'pending' AND due_at <= ?"
            f"     AND channel IN ({marks}) ORDER BY due_at LIMIT ?{lock}) AS due"
            "  LIMIT ?)",
            (
                token,
                micros(lease_until),
                moment,
                *channels,
                limit,
                moment,
                *channels,
                limit,
                limit,
            ),
        )
        if not claimed:
            return []
        rows = self._unit.query(
            f"SELECT {_COLUMNS} FROM outbox WHERE claim = ? AND status = 'sending' "
            "ORDER BY due_at, key",
            (token,),
        )
        return [_message(row) for row in rows]

    def renew(self, token: str, *, lease_until: datetime) -> set[str]:
        self._unit.change(
            "UPDATE outbox SET lease_until = ? WHERE claim = ? AND status = 'sending'",
            (micros(lease_until), token),
        )
        rows = self._unit.query(
            "SELECT key FROM outbox WHERE claim = ? AND status = 'sending'", (token,)
        )
        return {key for (key,) in rows}

    def finish(self, token: str, outcomes: Sequence[Outcome]) -> int:
        recorded = 0
        for outcome in outcomes:
            recorded += self._unit.change(
                # "|| ''": look the row up by its key, never by the claim index.
                "UPDATE outbox SET status = ?, due_at = ?, last_error = ?, detail = ?, "
                "sent_at = ?, attempts = CASE WHEN attempts > ? THEN attempts - ? ELSE 0 END, "
                "claim = NULL, lease_until = NULL "
                "WHERE key = ? AND claim || '' = ? AND status || '' = 'sending'",
                (
                    outcome.status.value,
                    micros(outcome.due_at),
                    outcome.last_error,
                    outcome.detail,
                    None if outcome.sent_at is None else micros(outcome.sent_at),
                    0 if outcome.offered else 1,
                    0 if outcome.offered else 1,
                    outcome.key,
                    token,
                ),
            )
        return recorded

    def requeue(self, keys: Collection[str] | None, *, now: datetime) -> list[str]:
        if keys is not None and not keys:
            return []
        chosen = "" if keys is None else f" AND key IN ({', '.join('?' for _ in keys)})"
        found = self._unit.query(
            f"SELECT key FROM outbox WHERE status = 'dead'{chosen} ORDER BY key",
            tuple(keys or ()),
        )
        requeued = [key for (key,) in found]
        for key in requeued:
            self._unit.change(
                "UPDATE outbox SET status = 'pending', due_at = ?, attempts = 0 "
                "WHERE key = ? AND status = 'dead'",
                (micros(now), key),
            )
        return requeued

    def get(self, key: str) -> OutboxMessage:
        rows = self._unit.query(f"SELECT {_COLUMNS} FROM outbox WHERE key = ?", (key,))
        if not rows:
            raise NotFound(Text("no outbox message {key}", key=repr(key)))
        return _message(rows[0])

    def counts(self) -> dict[OutboxStatus, int]:
        rows = self._unit.query("SELECT status, count(*) FROM outbox GROUP BY status")
        return {OutboxStatus(status): count for status, count in rows}

    def messages(
        self, *, status: OutboxStatus | None = None, topic: str | None = None, limit: int = 100
    ) -> list[OutboxMessage]:
        if limit < 0:
            raise InvalidInput(Text("must be zero or more"), field="limit", text=str(limit))
        conditions, params = [], []
        if status is not None:
            conditions.append("status = ?")
            params.append(status.value)
        if topic is not None:
            conditions.append("topic = ?")
            params.append(topic)
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        rows = self._unit.query(
            f"SELECT {_COLUMNS} FROM outbox {where} ORDER BY due_at, key LIMIT ?",
            (*params, limit),
        )
        return [_message(row) for row in rows]

    def next_due(self) -> datetime | None:
        rows = self._unit.query("SELECT min(due_at) FROM outbox WHERE status = 'pending'")
        return _maybe(rows[0][0]) if rows else None

"""A complete caredomain plugin, written exactly as the built-in adapters are.

It implements three hooks:

* ``caredomain_on_event`` — appends every committed domain event to a JSON-lines audit file;
* ``caredomain_senders`` — offers a ``console`` mail sender that prints messages (handy while
  developing templates);
* ``caredomain_feed_readers`` — offers ``semicolon-codes``, a reader for tiny
  ``agent;YYYY-MM-DD;CODE`` files whose first line is ``# extracted 2026-11-22T06:00:00+01:00``.

To ship it, declare the entry point in your package's ``pyproject.toml``::

    [project.entry-points.caredomain]
    audit_trail = "audit_trail_plugin:plugin"

``caredomain plugins`` then lists it with its hooks. See ``docs/plugins.md``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from caredomain import Event, InvalidInput, hookimpl
from caredomain.notifications.outbound import OutboundMessage, SendResult, SendStatus
from caredomain.notifications.ports import SenderSpec
from caredomain.roster.batch import FeedBatch, FeedRow
from caredomain.roster.ports import FeedReaderSpec
from caredomain.serialization import unstructure


class ConsoleSender:
    """Prints each mail instead of sending it."""

    channel = "mail"

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> ConsoleSender:
        stream = sys.stderr if settings.get("stream") == "stderr" else sys.stdout
        return cls(stream)

    def send(self, messages: Sequence[OutboundMessage]) -> list[SendResult]:
        for message in messages:
            print(f"To: {message.recipient}\nSubject: {message.subject}\n", file=self._stream)
            print(message.body, file=self._stream)
        return [SendResult(message.key, SendStatus.SENT) for message in messages]


class SemicolonCodesReader:
    """Reads ``agent;YYYY-MM-DD;CODE`` lines after an ``# extracted <ISO datetime>`` line."""

    def read(self, source: str) -> FeedBatch:
        lines = Path(source).read_text(encoding="utf-8").splitlines()
        header = lines[0] if lines else ""
        try:
            extracted_at = datetime.fromisoformat(header.removeprefix("# extracted "))
            if extracted_at.tzinfo is None:
                raise ValueError("no UTC offset")
        except ValueError:
            raise InvalidInput(
                "first line must be '# extracted <ISO datetime with UTC offset>'",
                source=source,
                line=1,
                text=header,
            ) from None
        rows = [
            _row(source, number, text)
            for number, text in enumerate(lines[1:], start=2)
            if text.strip()
        ]
        return FeedBatch.of_rows(source, extracted_at, rows)


def _row(source: str, number: int, text: str) -> FeedRow:
    try:
        agent, day, code = text.split(";")
        return FeedRow(number, agent.strip(), date.fromisoformat(day.strip()), code.strip())
    except ValueError:
        raise InvalidInput(
            "expected agent;YYYY-MM-DD;CODE", source=source, line=number, text=text
        ) from None


class AuditTrail:
    """The plugin object: each hook is a method marked with ``@hookimpl``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @hookimpl
    def caredomain_on_event(self, event: Event) -> None:
        with self.path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(unstructure(event), ensure_ascii=False) + "\n")

    @hookimpl
    def caredomain_senders(self, register: Callable[[SenderSpec], None]) -> None:
        register(
            SenderSpec(
                name="console",
                channel="mail",
                create=ConsoleSender.from_settings,
                description="prints mails instead of sending them",
            )
        )

    @hookimpl
    def caredomain_feed_readers(self, register: Callable[[FeedReaderSpec], None]) -> None:
        register(
            FeedReaderSpec(
                name="semicolon-codes",
                create=lambda settings: SemicolonCodesReader(),
                description="agent;YYYY-MM-DD;CODE lines after '# extracted <datetime>'",
            )
        )


plugin = AuditTrail(Path(os.environ.get("AUDIT_TRAIL_FILE", "audit-trail.jsonl")))

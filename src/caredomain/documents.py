"""What use cases derive from a large stored document, kept while the document does not change.

A store saves some documents with a *version*: a token it writes in the same statement as
the document, new at every save, never reused (the slot settings are one:
:meth:`~caredomain.slots.ports.SlotRepository.settings_version`). A use case reads the
version first — one short query — and rebuilds what it derives from the document (parsed,
checked, indexed) only when this cache holds nothing for that version. A change saved by
another process, or another store object on the same file, has another version: it is
seen at the next unit of work, never a stale copy.

The cache is bounded: it keeps the newest version of each of the ``size`` most recently
used documents, and forgets the least recently used beyond that. It does no I/O and reads
no clock; threads may share it (one :class:`~caredomain.services.ServiceContext` serves
them all).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from caredomain.errors import InvalidInput
from caredomain.text import Text

__all__ = ["DEFAULT_DOCUMENTS", "DocumentCache"]

T = TypeVar("T")

DEFAULT_DOCUMENTS = 16
"""How many documents (kind and owner) a cache keeps by default: a few organisations'."""


class DocumentCache:
    """The newest derived value of each of the ``size`` most recently used documents."""

    def __init__(self, size: int = DEFAULT_DOCUMENTS) -> None:
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise InvalidInput(Text("must be one or more"), field="size", text=repr(size))
        self._size = size
        self._entries: OrderedDict[Hashable, tuple[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: str) -> Any | None:
        """What was kept for document ``key`` at ``version``, or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def holds(self, key: Hashable) -> bool:
        """Whether some version of document ``key`` is kept (not necessarily the current)."""
        with self._lock:
            return key in self._entries

    def put(self, key: Hashable, version: str, value: object) -> None:
        """Keep ``value`` as what document ``key`` gives at ``version`` (replacing any
        other version of it); forget the least recently used document beyond the size."""
        with self._lock:
            self._entries[key] = (version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def derived(
        self,
        key: Hashable,
        version: str | None,
        load: Callable[[], tuple[str, T] | None],
        kind: type[T],
    ) -> T | None:
        """The value of document ``key`` at ``version`` (the store's current one; None if
        it has none): the kept one, or ``load()``'s — which reads the document with the
        version saved with it, and is kept under that version, the one it was read at."""
        if version is None:
            return None
        kept = self.get(key, version)
        if isinstance(kept, kind):
            return kept
        loaded = load()
        if loaded is None:
            return None
        read_at, value = loaded
        self.put(key, read_at, value)
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<DocumentCache {len(self._entries)}/{self._size}>"

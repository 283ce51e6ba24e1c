"""A progress line on a terminal: what the command is doing, rewritten in place.

Long work (``gtt apply`` on a million rows, ``slots refresh``, ``notify dispatch``) says
what it is at and for how long, so that a silent terminal is not mistaken for a hang. The
line goes to standard error, only when that is a terminal: a pipe or a log file gets
nothing. The command calls :meth:`Progress.show` where it loops (a file, a pass); a
background thread redraws the line every half second with the time spent, since one step
(applying one file) can take many seconds without returning.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import TextIO

__all__ = ["Progress"]

REDRAW = 0.5  # seconds between two redrawings of the line
_CLEAR = "\r\x1b[K"  # back to the start of the line, then erase it


class Progress:
    """A context manager; outside it, or when not ``enabled``, it draws nothing."""

    def __init__(self, stream: TextIO, *, enabled: bool) -> None:
        self._stream = stream
        self._enabled = enabled
        self._text = ""
        self._since = time.monotonic()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Progress:
        if self._enabled:
            self._thread = threading.Thread(target=self._redraw, name="progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
            with self._lock:
                self._write(_CLEAR)

    def show(self, text: str) -> None:
        """Say what the command is now doing (``applying f.csv, file 2 of 5``)."""
        with self._lock:
            self._text = text
            self._since = time.monotonic()
            if self._thread is not None:
                self._draw()

    def clear(self) -> None:
        """Take the line away before printing a line of the result to the same terminal."""
        with self._lock:
            if self._thread is not None and self._text:
                self._write(_CLEAR)

    def _redraw(self) -> None:
        while not self._stopped.wait(REDRAW):
            with self._lock:
                if self._text:
                    self._draw()

    def _draw(self) -> None:
        seconds = int(time.monotonic() - self._since)
        spent = f" ({seconds} s)" if seconds else ""
        self._write(f"{_CLEAR}{self._text}{spent}")

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):
            # The terminal went away; the command's own output will say so if it matters.
            self._enabled = False

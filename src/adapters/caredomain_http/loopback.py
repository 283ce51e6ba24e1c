"""A platform's reference server on the loopback interface, as the HopHop and Penbase
reference servers run: on a port of its own, served by a daemon thread, started and stopped
by hand or by a ``with`` block, its repr showing where it listens and never its secret."""

from __future__ import annotations

import threading
from http.server import HTTPServer
from types import TracebackType
from typing import ClassVar, Self

__all__ = ["LoopbackServer"]


class LoopbackServer:
    """Subclasses say how to build their HTTP server (:meth:`_http_server`, bound to the
    address given), what :attr:`url` says before the start (:meth:`_not_started`), and the
    name of the secret the repr hides (``secret_name``)."""

    secret_name: ClassVar[str] = "token"
    _httpd: HTTPServer | None = None
    _thread: threading.Thread | None = None

    def _http_server(self, address: tuple[str, int]) -> HTTPServer:
        raise NotImplementedError

    def _not_started(self) -> Exception:
        raise NotImplementedError

    def _stopping(self) -> None:
        """Called first thing by :meth:`stop`: wake what waits on the server's clock."""

    def start(self) -> Self:
        self._httpd = self._http_server(("127.0.0.1", 0))
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise self._not_started()
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/"

    def __repr__(self) -> str:
        where = self.url if self._httpd is not None else "stopped"
        return f"{type(self).__name__}({where!r}, {self.secret_name}=***)"

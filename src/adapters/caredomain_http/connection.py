"""One platform's HTTP connection, as the HopHop and Penbase clients use it.

Every request is retried on 5xx, 429, timeouts and connection errors, pausing ``backoff``
seconds and twice as long at each try (at most ``max_backoff``, or the server's
``Retry-After`` when it is longer, up to the same cap); after ``attempts`` tries it gives
up with the client's own "unavailable" error naming the platform and the last error. Any
other answer of 300 or more is not retried: 401 and 403 raise
:class:`~caredomain.errors.Forbidden`, 404 :class:`~caredomain.errors.NotFound`, 409
:class:`~caredomain.errors.Conflict`, the rest :class:`~caredomain.errors.InvalidInput`,
each with the server's message, scrubbed of every secret the client sent.

The token travels only in the ``Authorization`` header: never in a URL (which httpx logs), a
repr, a log line or an error; a server's text is scrubbed of every secret before it is cut
short, so that no part of one shows either. An answer is read up to a bound, inflated from
gzip (the one encoding asked for) a piece at a time (:mod:`caredomain_http.inflate`); a
larger one is an :class:`~caredomain.errors.InvalidInput` naming the platform and the
request. ``timeout`` bounds the whole exchange (:mod:`caredomain_http.deadline`): a server
trickling its head or its answer a byte at a time is a time-out, not a wait as long as it
pleases. A request HTTP cannot carry (a header holding a line break) is refused at once,
never sent again as if the server were away.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Generator, Iterable, Mapping
from types import TracebackType
from typing import Any, Protocol, Self

import httpx
from attrs import frozen

from caredomain.__about__ import __version__
from caredomain.errors import CareDomainError, Conflict, Forbidden, InvalidInput, NotFound
from caredomain.secret import Secret, scrub, shown_url
from caredomain.text import Text, counted
from caredomain_http.deadline import DeadlineTransport, deadline
from caredomain_http.inflate import ASKED, Inflater, Undecodable

__all__ = ["Connection", "PlatformClient", "Reply", "Unavailable", "Wire"]

log = logging.getLogger(__name__)

_TOO_MANY_REQUESTS = 429
_MAX_MESSAGE = 300
_MAX_REASON = 1024
_NOT_FOUND = 404
_REFUSALS: dict[int, Callable[[str], CareDomainError]] = {
    401: Forbidden,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
}


class Unavailable(CareDomainError):
    """The platform did not answer, or kept failing, through every try (each client has
    its own kind)."""

    def __init__(self, platform: str, attempts: int, last_error: str) -> None:
        super().__init__(
            counted(
                "{platform}: gave up after {n} try; last error: {last}",
                "{platform}: gave up after {n} tries; last error: {last}",
                n=attempts,
                platform=platform,
                last=last_error,
            )
        )
        self.platform = platform
        self.attempts = attempts
        self.last_error = last_error


@frozen
class Reply:
    """An answer read whole, within the connection's bound."""

    status: int
    reason: str
    headers: httpx.Headers
    content: bytes


class Settings(Protocol):
    """What a connection needs of a client's settings."""

    @property
    def url(self) -> str: ...
    @property
    def token(self) -> Secret: ...
    @property
    def timeout(self) -> float: ...
    @property
    def connect_timeout(self) -> float: ...
    @property
    def attempts(self) -> int: ...
    @property
    def backoff(self) -> float: ...
    @property
    def max_backoff(self) -> float: ...


@frozen
class Wire:
    """What differs from one platform to the next: its ``name`` in errors and logs, the
    largest answer it reads, the server's message (and field) read from a refusal, and the
    error raised when it keeps failing."""

    name: str
    limit: int
    message: Callable[[Reply], tuple[str, str | None]]
    unavailable: type[Unavailable]


class _Bearer(httpx.Auth):
    """Puts the token in the ``Authorization`` header of each request, and nowhere else."""

    def __init__(self, token: Secret) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token.reveal()}"
        yield request

    def __repr__(self) -> str:
        return "_Bearer('***')"


class Connection:
    """Requests to one platform; see the module."""

    def __init__(
        self,
        settings: Settings,
        wire: Wire,
        *,
        sleep: Callable[[float], None],
        transport: httpx.BaseTransport | None = None,
        secrets: Callable[[], Iterable[Secret]] = tuple,
    ) -> None:
        self._settings = settings
        self._wire = wire
        self._sleep = sleep
        self._secrets = secrets  # besides the token: what else was sent, to scrub
        self._http = httpx.Client(
            base_url=settings.url,
            auth=_Bearer(settings.token),
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
            headers={
                "Accept": "application/json",
                "Accept-Encoding": ASKED,
                "User-Agent": f"caredomain/{__version__}",
            },
            follow_redirects=False,
            transport=transport or DeadlineTransport(),
        )

    @property
    def name(self) -> str:
        """The platform, as errors and logs name it."""
        return self._wire.name

    @property
    def shown_url(self) -> str:
        return shown_url(self._settings.url)

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str | bytes] | None = None,
        missing_ok: bool = False,
    ) -> Reply:
        """The answer to one request, tried as the module says; with ``missing_ok``, a 404
        is an answer too."""
        attempts = self._settings.attempts
        last = ""
        for attempt in range(1, attempts + 1):
            wait = 0.0
            try:
                reply = self._send(method, path, body, params=params, headers=headers)
            except httpx.TimeoutException:
                last = Text("no answer within {timeout:g} s", timeout=self._settings.timeout)
            except httpx.LocalProtocolError:
                # Ours, not the server's: sending it again would fail the same way. h11's
                # message quotes the offending bytes, which may be a secret's: not shown.
                raise InvalidInput(
                    Text(
                        "a request that HTTP cannot carry (a header or the address holds a "
                        "character HTTP forbids)"
                    ),
                    source=self._wire.name,
                    field=f"{method} /{path}",
                ) from None
            except httpx.RequestError as error:
                last = self.scrubbed(
                    Text(
                        "unreachable ({kind}: {error})", kind=type(error).__name__, error=str(error)
                    )
                )
            else:
                status = reply.status
                if status < 300 or (missing_ok and status == _NOT_FOUND):
                    return reply
                if not (status == _TOO_MANY_REQUESTS or status >= 500):
                    raise self._refusal(reply) from None
                last = f"HTTP {status}: {self.message(reply)[0]}"
                wait = _retry_after(reply)
            if attempt < attempts:
                self._pause(attempt, wait, f"{method} /{path}", last)
        raise self._wire.unavailable(self._wire.name, attempts, last)

    def message(self, reply: Reply) -> tuple[str, str | None]:
        """The server's message and the field it names, scrubbed. The answer is scrubbed
        before the platform's reader cuts its message short, and the message again after:
        a secret cut in two would otherwise show its first part."""
        clean = Reply(
            reply.status, self.scrubbed(reply.reason), reply.headers, self._scrubbed(reply.content)
        )
        message, field = self._wire.message(clean)
        shown = self.scrubbed(field)[:_MAX_MESSAGE] if field is not None else None
        return self.scrubbed(message)[:_MAX_MESSAGE], shown

    def scrubbed(self, text: str) -> str:
        """A text without the token or any other secret sent, should the server echo them."""
        return scrub(text, (self._settings.token, *self._secrets()))

    def _scrubbed(self, content: bytes) -> bytes:
        """Raw bytes without the secrets as UTF-8 or as JSON escapes them (``\\u00e9``)."""
        forms: list[Secret] = []
        for secret in (self._settings.token, *self._secrets()):
            value = secret.reveal()
            forms.append(Secret(value.encode("utf-8", "replace").decode("latin-1")))
            forms.append(Secret(json.dumps(value)[1:-1]))
        return scrub(content.decode("latin-1"), forms).encode("latin-1")

    def _send(
        self,
        method: str,
        path: str,
        body: Any,
        *,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str | bytes] | None,
    ) -> Reply:
        """One exchange, its answer read up to the bound (a larger one is refused)."""
        raw = {  # a value in UTF-8: an id with an accent makes an idempotency key too
            name.encode("ascii"): value if isinstance(value, bytes) else value.encode("utf-8")
            for name, value in (headers or {}).items()
        }
        request = self._http.build_request(method, path, json=body, params=params, headers=raw)
        ends = time.monotonic() + self._settings.timeout
        with deadline(self._settings.timeout):
            response = self._http.send(request, stream=True)
            try:
                content = self._body(response, f"{method} /{path}", ends)
            finally:
                response.close()
        reason = response.reason_phrase[:_MAX_REASON]
        return Reply(response.status_code, reason, response.headers, content)

    def _body(self, response: httpx.Response, what: str, ends: float) -> bytes:
        """The answer's bytes, inflated up to the bound and not beyond (a larger one is
        refused), read by ``ends`` (through a transport of the caller's too)."""
        limit = self._wire.limit
        try:
            if response.is_stream_consumed:  # a transport's answer given whole, decoded
                inflater, chunks = Inflater(None), iter([response.content])
            else:
                inflater = Inflater(response.headers.get("Content-Encoding"))
                chunks = response.iter_raw()
            content = bytearray()
            for chunk in chunks:
                content += inflater.inflate(chunk, limit - len(content))
                if time.monotonic() > ends:
                    raise httpx.ReadTimeout("the whole answer took too long")
                if len(content) > limit:
                    raise InvalidInput(
                        Text("an answer larger than {limit} bytes", limit=limit),
                        source=self._wire.name,
                        field=what,
                    )
            inflater.finish()
        except Undecodable as error:
            raise InvalidInput(str(error), source=self._wire.name, field=what) from None
        return bytes(content)

    def _pause(self, attempt: int, asked: float, what: str, error: str) -> None:
        settings = self._settings
        pause = min(settings.max_backoff, max(settings.backoff * 2 ** (attempt - 1), asked))
        log.warning(
            "%s: %s failed (%s); try %d of %d in %.2f s",
            self._wire.name,
            what,
            error,
            attempt + 1,
            settings.attempts,
            pause,
        )
        self._sleep(pause)

    def _refusal(self, reply: Reply) -> CareDomainError:
        status = reply.status
        message, field = self.message(reply)
        if status < 400:
            message = Text(
                "a redirect, which the contract does not use: {message}", message=message
            )
        refusal = _REFUSALS.get(status)
        if refusal is not None:
            return refusal(
                Text(
                    "{platform}: HTTP {status}: {message}",
                    platform=self._wire.name,
                    status=status,
                    message=message,
                )
            )
        return InvalidInput(
            Text("HTTP {status}: {message}", status=status, message=message),
            source=self._wire.name,
            field=field,
        )


def _retry_after(reply: Reply) -> float:
    try:
        return max(0.0, float(reply.headers.get("Retry-After", "0")[:32]))
    except ValueError:
        return 0.0


class PlatformClient:
    """What a platform's client shares: its connection (``_http``), its name, a repr that
    shows the platform and never the token, and closing, by hand or at the end of a
    ``with`` block."""

    _http: Connection

    @property
    def name(self) -> str:
        return self._http.name

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._http.shown_url!r}, token=***)"

    __str__ = __repr__

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

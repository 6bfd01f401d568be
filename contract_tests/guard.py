"""Every HTTP request the suite makes goes through here: bounded in size and time, credentials
added on the wire only, secrets masked in what comes back.

A target may be broken or hostile. `requests` alone trusts it: a gzip bomb (1 MB on the wire,
1 GiB inflated) is inflated whole into memory, and its timeout is per socket read, so a server
dripping one byte a second never times out. `GuardedAdapter` (a `requests` transport adapter)

* inflates `Content-Encoding` itself, in bounded steps, and stops at `Limits.max_bytes`
  (`ResponseTooLarge`); a declared `Content-Length` above the cap is refused unread;
* gives every request a total deadline (`Limits.total_timeout`): a watchdog shuts the socket
  down when it passes, whatever phase the exchange is in (`TotalTimeout`);
* adds `Authorization` to the request it sends, never to the request it returns, so neither
  Schemathesis nor any report or cassette ever holds the credentials, and masks the password and
  the Basic token in a response that echoes them (body and headers).

The suite's child process (`child.py`) makes every `requests.Session` use this adapter; the
suite's own requests (preflight, discovery, probes, the HiveMQ walk) use `guarded_session`.
"""

from __future__ import annotations

import base64
import os
import socket
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = [
    "AUTH_ENV",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "GuardedAdapter",
    "Limits",
    "Masker",
    "ResponseTooLarge",
    "TotalTimeout",
    "guarded_session",
]

AUTH_ENV = "MQTT_API_AUTH"  # USER:PASS, for the suite and for the printed curl lines
LIMITS_ENV = "MQTT_API_LIMITS"  # "max_bytes,total_timeout" for the child process
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_TIMEOUT = 30.0
RAW_CHUNK = 16 * 1024  # read from the socket per step
PIECE = 64 * 1024  # the most one inflate step may produce


class ResponseTooLarge(requests.exceptions.ContentDecodingError):
    """The answer is larger than the suite accepts (a bomb, or a list that needs a limit)."""


class TotalTimeout(requests.exceptions.ReadTimeout):
    """The answer did not arrive in full within the total per-request timeout."""


class UnsupportedEncoding(requests.exceptions.ContentDecodingError):
    """A `Content-Encoding` the suite never asked for (it sends `gzip, deflate`)."""


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES
    total_timeout: float = DEFAULT_TIMEOUT

    def to_env(self) -> str:
        return f"{self.max_bytes},{self.total_timeout}"

    @classmethod
    def from_env(cls, text: str | None) -> Limits:
        if not text:
            return cls()
        size, _, seconds = text.partition(",")
        return cls(int(size), float(seconds))


def mib(size: int) -> str:
    return f"{size / 1024 / 1024:g} MiB"


@dataclass(frozen=True, slots=True)
class Masker:
    """Replaces secrets in text the target sends back. Empty when there is nothing to hide."""

    secrets: tuple[bytes, ...] = field(default=())

    @classmethod
    def for_credentials(cls, auth: tuple[str, str] | None, public: bool = False) -> Masker:
        """The password, `user:password` and its Basic token. A broker's published default
        password (`public`) is no secret, and masking that common word in every body would
        change what the checks see: `public=True` masks nothing."""
        if auth is None or public or not auth[1]:
            return cls()
        user, password = auth
        pair = f"{user}:{password}".encode()
        found = {
            password.encode(),
            pair,
            base64.b64encode(pair),
            base64.b64encode(pair).rstrip(b"="),
        }
        return cls(tuple(sorted(found, key=len, reverse=True)))

    def __bool__(self) -> bool:
        return bool(self.secrets)

    def bytes(self, data: bytes) -> bytes:
        for secret in self.secrets:
            data = data.replace(secret, b"***")
        return data

    def text(self, data: str) -> str:
        for secret in self.secrets:
            data = data.replace(secret.decode("latin-1"), "***")
        return data


# -- the watchdog: one per request, reachable from the connection the request uses -----------

_current = threading.local()


class _Watch:
    """Shuts the request's socket down when its total time is up."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.connection: HTTPConnection | None = None
        self.expired = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Watch:
        _current.watch = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _current.watch = None

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def _expire(self) -> None:
        self.expired = True
        sock = getattr(self.connection, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _WatchedConnection(HTTPConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        watch = getattr(_current, "watch", None)
        if watch is not None:
            watch.connection = self
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        watch = getattr(_current, "watch", None)
        if watch is not None:
            watch.connection = self
        super().request(*args, **kwargs)


class _Pool(HTTPConnectionPool):
    ConnectionCls = _WatchedConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


# -- bounded inflation ----------------------------------------------------------------------


def _inflate(chunks: Iterable[bytes], encoding: str) -> Iterator[bytes]:
    """One `Content-Encoding` undone, at most PIECE bytes per step (so a bomb never lands in
    memory whole). gzip may have several members; deflate may be zlib-wrapped or raw."""
    wbits = 31 if encoding in ("gzip", "x-gzip") else 15
    inflater = zlib.decompressobj(wbits)
    started = False
    for chunk in chunks:
        data = chunk
        while data:
            try:
                out = inflater.decompress(data, PIECE)
            except zlib.error:
                if encoding == "deflate" and not started:  # raw deflate, as some servers send
                    wbits, inflater = -15, zlib.decompressobj(-15)
                    started = True
                    continue
                raise requests.exceptions.ContentDecodingError(
                    f"the {encoding} body is corrupt"
                ) from None
            started = True
            if out:
                yield out
            data = inflater.unconsumed_tail
            if inflater.eof and inflater.unused_data and wbits == 31:
                data = inflater.unused_data  # the next gzip member
                inflater = zlib.decompressobj(wbits)
            elif not data and len(out) == PIECE:
                data = b""
                while True:  # output still pending for input already taken
                    more = inflater.decompress(b"", PIECE)
                    if more:
                        yield more
                    if len(more) < PIECE:
                        break


def _decoded(chunks: Iterable[bytes], header: str) -> Iterable[bytes]:
    encodings = [e.strip().lower() for e in header.split(",") if e.strip()]
    stream = chunks
    for encoding in reversed(encodings):  # the last applied is undone first
        if encoding == "identity":
            continue
        if encoding not in ("gzip", "x-gzip", "deflate"):
            raise UnsupportedEncoding(f"the target answered with Content-Encoding {encoding!r}")
        stream = _inflate(stream, encoding)
    return stream


class GuardedAdapter(HTTPAdapter):
    """A `requests` adapter that bounds, authenticates and masks (see the module docstring)."""

    def __init__(
        self,
        limits: Limits | None = None,
        auth: tuple[str, str] | None = None,
        masker: Masker | None = None,
    ) -> None:
        self.limits = limits or Limits()
        self.auth = auth
        self.masker = masker or Masker()
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _HTTPSPool}

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        total = self.limits.total_timeout
        sent = request
        if self.auth is not None and "Authorization" not in request.headers:
            sent = request.copy()
            sent.prepare_auth(self.auth)
        with _Watch(total) as watch:
            per_read = _per_read(timeout, total)
            try:
                response = super().send(
                    sent, stream=True, timeout=per_read, verify=verify, cert=cert, proxies=proxies
                )
                body = self._read(response, watch)
            except (requests.exceptions.RequestException, OSError) as exc:
                if watch.expired or watch.remaining() <= 0:
                    raise TotalTimeout(
                        f"no complete answer within {total:g} s (total per-request timeout)",
                        request=request,
                    ) from None
                if isinstance(exc, requests.exceptions.RequestException):
                    raise
                raise requests.exceptions.ConnectionError(exc, request=request) from None
        response.request = request  # the caller never sees the credentials we added
        response._content = self.masker.bytes(body) if self.masker else body
        setattr(response, "_content_consumed", True)  # noqa: B010  (private; untyped in stubs)
        if self.masker:
            for name, value in list(response.headers.items()):
                response.headers[name] = self.masker.text(value)
        return response

    def _read(self, response: requests.Response, watch: _Watch) -> bytes:
        cap = self.limits.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:  # the wire size: inflated is no smaller
            response.close()
            raise ResponseTooLarge(_too_large(cap, f"it declares {int(declared)} bytes"))
        raw = response.raw
        body = bytearray()
        try:
            for piece in _decoded(
                raw.stream(RAW_CHUNK, decode_content=False),
                response.headers.get("Content-Encoding", ""),
            ):
                body += piece
                if len(body) > cap:
                    raise ResponseTooLarge(_too_large(cap, "more arrived"))
                if watch.remaining() <= 0:
                    raise TotalTimeout(
                        f"no complete answer within {watch.seconds:g} s (total per-request timeout)"
                    )
            if watch.expired:  # the watchdog cut the exchange short: what arrived is partial
                raise TotalTimeout(
                    f"no complete answer within {watch.seconds:g} s (total per-request timeout)"
                )
        except BaseException:
            # Free the partial body now: the exception's traceback keeps this frame alive, and
            # a run may keep hundreds of such exceptions (one per failed case).
            body.clear()
            response.close()  # never hand a half-read connection back to the pool
            raise
        raw.release_conn()
        return bytes(body)


def _too_large(cap: int, why: str) -> str:
    return (
        f"response body larger than the {mib(cap)} cap ({why}); raise --max-response-size if "
        "the target really answers this much"
    )


def _per_read(timeout: Any, total: float) -> Any:
    if isinstance(timeout, tuple):
        return tuple(min(t, total) if t else total for t in timeout)
    return min(timeout, total) if timeout else total


def guarded_session(
    limits: Limits | None = None,
    auth: tuple[str, str] | None = None,
    masker: Masker | None = None,
) -> requests.Session:
    """A session whose every request is bounded; `auth` is added on the wire only."""
    session = requests.Session()
    adapter = GuardedAdapter(limits, auth, masker)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def split_auth(text: str | None) -> tuple[str, str] | None:
    if not text:
        return None
    user, _, password = text.partition(":")
    return user, password


def configure(
    limits: Limits | None = None,
    auth: tuple[str, str] | None = None,
    masker: Masker | None = None,
) -> None:
    """Set this process's limits and credentials for `process_session` (the pytest plugin)."""
    _installed.clear()
    _installed.update(limits=limits or Limits(), auth=auth, masker=masker or Masker())


def install_from_env() -> None:
    """In the suite's child process: every `requests.Session` created from now on uses the
    guarded adapter, with the limits and credentials the runner put in the environment (and
    takes them out of it, so nothing later in the process can print them)."""
    limits = Limits.from_env(os.environ.pop(LIMITS_ENV, None))
    auth = split_auth(os.environ.pop(AUTH_ENV, None))
    masker = Masker.for_credentials(auth, public=os.environ.pop(PUBLIC_ENV, "") == "1")

    class _Adapter(GuardedAdapter):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(limits, auth, masker)

    requests.sessions.HTTPAdapter = _Adapter
    configure(limits, auth, masker)


PUBLIC_ENV = "MQTT_API_AUTH_IS_DEFAULT"  # "1": the credentials are the broker's published default
_installed: dict[str, Any] = {}


def process_session() -> requests.Session:
    """A guarded session with this process's limits and credentials (for checks that make their
    own requests, such as the HiveMQ walk); where nothing was configured, the defaults."""
    return guarded_session(**_installed)

"""The one error of the network side, `FetchError`, and how its one line for the user is worded:
a failed connection named by its likely cause (no DNS, refused, offline, TLS), an HTTP status
with its reason, a response too big. Anything quoted from outside (a URL, a Location, an
exception's text) goes through `sanitize.quoted` or `sanitize.one_line`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from papertray.store.sanitize import one_line, quoted

__all__ = [
    "Cancelled",
    "FetchError",
    "LimitReached",
    "connect_reason",
    "first_line",
    "host_of",
    "request_error",
    "size_text",
    "status_line",
    "too_big",
]


class FetchError(Exception):
    """A request that could not give what was asked for. `str(e)` is one line for the user;
    `status` is the HTTP status when the server answered, `host` the host asked."""

    def __init__(self, message: str, *, host: str = "", status: int | None = None) -> None:
        super().__init__(one_line(message))
        self.host = host
        self.status = status


class LimitReached(FetchError):
    """A limit on one fetch (its deadline, its bytes) was reached: the pages before it are
    whole and may be kept. `str(e)` names the limit ("the 45 s limit on one fetch")."""


class Cancelled(FetchError):
    """The user cancelled the fetch (the reader's Esc)."""


def host_of(url: str) -> str:
    try:
        return quoted(urlsplit(url).hostname or url, 200)
    except ValueError:
        return quoted(url, 200)


def size_text(limit: int) -> str:
    mib = limit / (1024 * 1024)
    return f"{mib:g} MB" if mib >= 1 else f"{limit} bytes"


def too_big(host: str, limit: int) -> str:
    return f"{host} sent more than {size_text(limit)}: refused (not a digest papertray expects)"


def first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return quoted(lines[0], 300) if lines else type(error).__name__


def request_error(error: BaseException, url: str, settings: Any) -> FetchError:
    """The one line for an httpx (or socket) error of a request to `url`."""
    host = host_of(url)
    name = type(error).__name__
    timeouts = {
        "ConnectTimeout": f"no connection within {settings.connect_timeout:g} s",
        "ReadTimeout": f"no answer within {settings.read_timeout:g} s",
        "PoolTimeout": "no free connection",
        "WriteTimeout": "the request could not be sent in time",
    }
    if name in timeouts or name == "TimeoutException":
        return FetchError(f"{host} timed out: {timeouts.get(name, 'timed out')}", host=host)
    if name == "ConnectError":
        return FetchError(f"cannot reach {host}: {connect_reason(error)}", host=host)
    if name in ("RemoteProtocolError", "ReadError"):
        return FetchError(f"{host}: the response was cut off ({first_line(error)})", host=host)
    if name == "InvalidURL":
        return FetchError(f"not a usable URL: {quoted(url)} ({first_line(error)})", host=host)
    if isinstance(error, OSError):
        return FetchError(f"cannot reach {host}: {first_line(error)}", host=host)
    return FetchError(f"cannot fetch from {host}: {first_line(error)}", host=host)


def connect_reason(error: BaseException) -> str:
    text = first_line(error).lower()
    if (
        "name or service not known" in text
        or "nodename nor servname" in text
        or "no address associated" in text
        or "temporary failure in name resolution" in text
        or "getaddrinfo failed" in text
        or "name resolution" in text
        or "errno -2" in text
        or "errno -3" in text
        or "errno -5" in text
    ):
        return "the name does not resolve (no network, or no DNS)"
    if "connection refused" in text or "errno 111" in text:
        return "connection refused"
    if "network is unreachable" in text or "errno 101" in text:
        return "the network is unreachable (offline?)"
    if "no route to host" in text:
        return "no route to host"
    if "certificate" in text or "ssl" in text:
        return f"TLS failed ({first_line(error)})"
    return first_line(error)


REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def status_line(url: str, status: int) -> str:
    reason = REASONS.get(status, "")
    return f"{host_of(url)} answered {status}{' ' + reason if reason else ''}"

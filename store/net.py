"""HTTP for `papertray fetch` and `enrich`: one small client with the network rules in one place.

- timeouts: to connect, between two pieces of an answer, and a deadline for the whole request
  (`net_watch.py` stops a request from another thread); within `Client.budget()` (one
  source's fetch) also a deadline and a byte budget for all its pages together. The values
  are in `limits.py`;
- up to 3 retries with backoff on 429 and 5xx, honouring `Retry-After`; an honest User-Agent
  (`papertray/VERSION`);
- conditional requests: the ETag / Last-Modified of each URL is remembered in the library
  (`http_cache.py`), so an unchanged page costs one 304. The caller commits
  what it saw only after it has used the response (`Client.remember`): a response that failed
  to import must not turn into a 304 next time;
- a response is read under its cap as it streams in, after decompression (`net_body.py`); only
  https (plain http only to a loopback host, for tests and local mirrors); redirects are
  followed by hand, only to https (`net_urls.py`), and checked before httpx looks at them;
- every failure is a `FetchError` whose `str()` is one line for the user (`net_errors.py`);
  a limit that ends a fetch of several pages early is a `LimitReached`, and a cancel is
  `Cancelled`.

httpx is imported only when a request is made: `papertray list` never pays for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from papertray.store import limits
from papertray.store.http_cache import ValidatorCache
from papertray.store.net_errors import (
    Cancelled,
    FetchError,
    LimitReached,
    host_of,
    size_text,
    status_line,
    too_big,
)
from papertray.store.net_urls import check_url, with_params
from papertray.store.net_watch import Watch
from papertray.store.sanitize import quoted

BACKOFF = 1.0
"""Seconds before the first retry; doubled for each further one."""
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Response:
    url: str
    """The URL finally answered (after redirects)."""
    status: int
    """200 (or another 2xx), or 304 when the remembered copy is still current."""
    content: bytes
    content_type: str
    validators: dict[str, str] = field(default_factory=dict)
    """What to remember for a conditional request next time (`Client.remember`)."""
    request_url: str = ""
    """The URL asked for, the key the validators are remembered under."""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def without_body(self) -> Response:
        """This response as `Client.remember` needs it, its content let go."""
        return replace(self, content=b"")


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("papertray")
    except PackageNotFoundError:  # pragma: no cover - running from a checkout without install
        return "0"


def user_agent() -> str:
    return f"papertray/{version()}"


def _limit(name: str) -> Any:
    return field(default_factory=lambda: getattr(limits, name))


@dataclass
class Settings:
    """The knobs tests turn: the values of `limits.py` by default."""

    connect_timeout: float = _limit("CONNECT_TIMEOUT")
    read_timeout: float = _limit("READ_TIMEOUT")
    request_deadline: float = _limit("REQUEST_DEADLINE")
    fetch_deadline: float = _limit("FETCH_DEADLINE")
    retries: int = _limit("RETRIES")
    backoff: float = BACKOFF
    max_retry_wait: float = _limit("MAX_RETRY_WAIT")
    max_bytes: int = _limit("MAX_RESPONSE")
    max_fetch_bytes: int = _limit("MAX_FETCH_BYTES")
    sleep: Callable[[float], None] | None = None
    """How to wait (retries, pacing); None: a wait that a cancel ends at once."""


def default_settings() -> Settings:
    """The settings a `Client` made without any uses (tests lower the timeouts and the cap, and
    stub `sleep`, by replacing this)."""
    return Settings()


@dataclass
class _Budget:
    """What is left to one source's fetch (`Client.budget`)."""

    ends: float
    """time.monotonic() at its deadline."""
    bytes_left: int


class Client:
    """`Client(data_dir)`; `get(url, params)` -> Response or FetchError. Not thread-safe: one per
    worker, but `cancel()` may be called from any thread. Use as a context manager, or
    `close()` it. `request_deadline` / `fetch_deadline` (seconds) override the settings'."""

    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        settings: Settings | None = None,
        cache: ValidatorCache | None = None,
        request_deadline: float | None = None,
        fetch_deadline: float | None = None,
    ) -> None:
        self.settings = replace(settings or default_settings())  # a copy: never the caller's
        if request_deadline is not None:
            self.settings.request_deadline = request_deadline
        if fetch_deadline is not None:
            self.settings.fetch_deadline = fetch_deadline
        if cache is None:
            cache = ValidatorCache(Path(data_dir) if data_dir is not None else None)
        self.cache = cache
        self.requests = 0
        """Requests sent (retries and redirects included): what a test counts."""
        self._http: dict[str, Any] = {}
        self._last_request: dict[str, float] = {}
        self._watch = Watch()
        self._budget: _Budget | None = None

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        for client in self._http.values():
            client.close()
        self._http.clear()

    def cancel(self) -> None:
        """Stop the request under way at once and refuse every later one (`Cancelled`). Safe
        to call from another thread: the reader's Esc does."""
        self._watch.cancel()

    @property
    def cancelled(self) -> bool:
        return self._watch.cancelled.is_set()

    @contextmanager
    def budget(self) -> Iterator[None]:
        """One source's fetch: its requests share the fetch deadline and the byte budget of
        the settings; going past either raises `LimitReached`."""
        s = self.settings
        self._budget = _Budget(time.monotonic() + s.fetch_deadline, s.max_fetch_bytes)
        try:
            yield
        finally:
            self._budget = None

    def _client(self, tls: bool) -> Any:
        """The httpx client for https (`tls`) or for plain http, which `check_url` allows only
        to loopback. Two clients so that plain http never pays for loading the CA bundle,
        and https always verifies certificates."""
        key = "https" if tls else "http"
        client = self._http.get(key)
        if client is None:
            import httpx  # deferred: imports only the network commands need

            from papertray.store.net_body import ACCEPT_ENCODING

            s = self.settings
            client = httpx.Client(
                timeout=httpx.Timeout(
                    s.read_timeout, connect=s.connect_timeout, pool=s.connect_timeout
                ),
                follow_redirects=False,
                headers={"User-Agent": user_agent(), "Accept-Encoding": ACCEPT_ENCODING},
                verify=tls,  # plain http has no certificate to verify; https always verifies
                # The environment's proxy settings apply.
                trust_env=True,
                # Runs before httpx builds the redirect's next request (which it does even
                # with redirects off): a Location papertray would never follow is refused
                # here, in one line, instead of failing inside httpx.
                event_hooks={"response": [_check_redirect]},
            )
            self._http[key] = client
        return client

    def get(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        *,
        conditional: bool = True,
        accept: str = "*/*",
        min_interval: float = 0.0,
    ) -> Response:
        """GET `url` (with `params`), following up to 5 redirects to https, retrying 429 and
        5xx. With `conditional`, a remembered ETag / Last-Modified is sent and a 304 comes back
        as a Response with status 304 and no content. A 4xx other than 429 raises FetchError
        with its `status`. `min_interval`: seconds to keep between two requests to this server
        (its host and port; arXiv asks for 3)."""
        first = with_params(url, params)
        check_url(first)
        headers = {"Accept": accept}
        known = self.cache.get(first) if conditional else {}
        if known.get("etag"):
            headers["If-None-Match"] = str(known["etag"])
        if known.get("last_modified"):
            headers["If-Modified-Since"] = str(known["last_modified"])
        target = first
        for _hop in range(limits.MAX_REDIRECTS + 1):
            status, got_headers, body = self._send_with_retries(target, headers, min_interval)
            if status in REDIRECTS:
                location = got_headers.get("location")
                if not location:
                    raise FetchError(
                        f"{host_of(target)} redirected without a Location", host=host_of(target)
                    )
                nxt = urljoin(target, location)
                check_url(nxt, came_from=target)
                target = nxt
                continue
            break
        else:
            raise FetchError(f"{host_of(first)}: too many redirects", host=host_of(first))
        validators: dict[str, str] = {}
        if got_headers.get("etag"):
            validators["etag"] = got_headers["etag"]
        if got_headers.get("last-modified"):
            validators["last_modified"] = got_headers["last-modified"]
        if status == 304:
            if not known:
                raise FetchError(
                    f"{host_of(target)} answered 304 Not Modified to a plain request",
                    host=host_of(target),
                    status=304,
                )
            return Response(target, 304, b"", "", dict(known), first)
        if not 200 <= status < 300:
            raise FetchError(status_line(target, status), host=host_of(target), status=status)
        if self._budget is not None:
            self._budget.bytes_left -= len(body)
        return Response(
            target, status, body, got_headers.get("content-type", ""), validators, first
        )

    def remember(self, responses: list[Response], notes: Mapping[str, Mapping[str, Any]]) -> None:
        """Commit the validators of these responses (after their content was used), with any
        extra `notes` per request URL (e.g. how many items that page held)."""
        entries: dict[str, dict[str, Any]] = {}
        for response in responses:
            if response.not_modified:  # still current: keep all that was noted with it
                entry = dict(response.validators)
            else:
                entry = {
                    k: v for k, v in response.validators.items() if k in ("etag", "last_modified")
                }
            entry.update(notes.get(response.request_url, {}))
            if "etag" in entry or "last_modified" in entry:
                entries[response.request_url] = entry
        if entries:
            self.cache.put(entries)

    # -- waiting, and the fetch's deadline ------------------------------------------------------

    def _check_going(self) -> None:
        if self.cancelled:
            raise Cancelled("cancelled")
        if self._budget is not None and time.monotonic() >= self._budget.ends:
            raise LimitReached(self._deadline_words())

    def _deadline_words(self) -> str:
        return f"the {self.settings.fetch_deadline:g} s limit on one fetch"

    def _wait(self, seconds: float) -> None:
        """Sleep `seconds` (a retry, arXiv's pacing); a cancel ends the wait at once, and a
        wait past the fetch's deadline is not begun."""
        if self._budget is not None and time.monotonic() + seconds > self._budget.ends:
            raise LimitReached(self._deadline_words())
        if self.settings.sleep is not None:
            self.settings.sleep(seconds)
        else:
            self._watch.cancelled.wait(seconds)
        self._check_going()

    def _pace(self, url: str, interval: float) -> None:
        if interval <= 0:
            return
        server = urlsplit(url).netloc.lower()  # two servers of one host keep their own pace
        last = self._last_request.get(server)
        if last is not None:
            wait = last + interval - time.monotonic()
            if wait > 0:
                self._wait(wait)
        self._last_request[server] = time.monotonic()

    # -- one request, with retries ----------------------------------------------------------

    def _send_with_retries(
        self, url: str, headers: dict[str, str], min_interval: float = 0.0
    ) -> tuple[int, dict[str, str], bytes]:
        s = self.settings
        attempt = 0
        while True:
            self._pace(url, min_interval)
            status, got, body = self._send(url, headers)
            if status != 429 and status < 500:
                return status, got, body
            if attempt >= s.retries:
                raise FetchError(
                    status_line(url, status) + f" (gave up after {attempt + 1} tries)",
                    host=host_of(url),
                    status=status,
                )
            wait = _retry_after(got.get("retry-after"))
            if wait is None:
                wait = s.backoff * (2**attempt)
            if wait > s.max_retry_wait:
                raise FetchError(
                    f"{host_of(url)} is busy ({status}) and asks to retry after {wait:.0f} s; "
                    "try again later",
                    host=host_of(url),
                    status=status,
                )
            self._wait(wait)
            attempt += 1

    def _send(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """One request, stopped by the watch at its deadline (or the fetch's, if sooner)."""
        self._check_going()
        s = self.settings
        now = time.monotonic()
        seconds, fetch_ends = s.request_deadline, False
        if self._budget is not None and self._budget.ends - now < seconds:
            seconds, fetch_ends = self._budget.ends - now, True
        number = self._watch.arm(seconds)
        try:
            return self._request(url, headers)
        except FetchError:
            if self.cancelled:
                raise Cancelled("cancelled") from None
            if self._watch.expired == number:
                raise self._late(url, fetch_ends) from None
            raise
        finally:
            self._watch.disarm()

    def _late(self, url: str, fetch_ends: bool) -> FetchError:
        if fetch_ends:
            return LimitReached(self._deadline_words())
        host = host_of(url)
        return FetchError(
            f"{host} did not finish answering within {self.settings.request_deadline:g} s: "
            "stopped (the limit on one request)",
            host=host,
        )

    def _request(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        import httpx

        from papertray.store.net_body import BodyError, codings, read_body
        from papertray.store.net_errors import request_error

        client = self._client(url[:6].lower() == "https:")
        host = host_of(url)
        limit = self.settings.max_bytes
        budget = self._budget
        by_budget = budget is not None and budget.bytes_left < limit
        if budget is not None:
            limit = min(limit, max(budget.bytes_left, 0))

        def over() -> FetchError:
            if by_budget:
                return LimitReached(
                    f"the {size_text(self.settings.max_fetch_bytes)} limit on one fetch"
                )
            return FetchError(too_big(host, limit), host=host)

        self.requests += 1
        try:
            with client.stream(
                "GET", url, headers=headers, extensions={"trace": self._watch.trace}
            ) as response:
                got = {k.lower(): v for k, v in response.headers.items()}
                status = response.status_code
                if status == 304 or 300 <= status < 400 or status >= 400:
                    return status, got, b""  # nothing of the body is needed
                declared = got.get("content-length", "")
                applied = codings(got.get("content-encoding", ""))
                if declared.isdigit() and int(declared) > limit and not applied:
                    raise over()
                if len(applied) > limits.MAX_CONTENT_CODINGS:
                    raise FetchError(
                        f"{host} sent a body compressed {len(applied)} times: refused (at most "
                        f"{limits.MAX_CONTENT_CODINGS})",
                        host=host,
                    )
                try:
                    body = read_body(response.iter_raw(), applied, limit, over)
                except BodyError as error:
                    raise FetchError(
                        f"{host}: the response could not be decoded: {error}", host=host
                    ) from None
                return status, got, body
        except FetchError:
            raise
        except (httpx.HTTPError, httpx.InvalidURL, OSError) as error:
            raise request_error(error, url, self.settings) from None


def _check_redirect(response: Any) -> None:
    """httpx event hook: a redirect's Location is checked before httpx builds a request of it."""
    if response.status_code in REDIRECTS and "location" in response.headers:
        came_from = str(response.request.url)
        try:
            check_url(urljoin(came_from, response.headers["location"]), came_from=came_from)
        except ValueError:  # urljoin of a Location no URL parser reads
            raise FetchError(
                f"{host_of(came_from)} redirected to {quoted(response.headers['location'])}: "
                "refused, papertray follows redirects only to https",
                host=host_of(came_from),
            ) from None


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    import email.utils  # deferred: only an HTTP-date Retry-After needs it

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())

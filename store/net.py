"""HTTP for `papertray fetch` and `enrich`: one small client with the network rules in one place.

- timeouts (connect 5 s, read 20 s); up to 3 retries with backoff on 429 and 5xx, honouring
  `Retry-After`; an honest User-Agent (`papertray/VERSION`); the values are in `limits.py`;
- conditional requests: the ETag / Last-Modified of each URL is remembered in `http-cache.json`
  in the data folder (`http_cache.py`), so an unchanged page costs one 304. The caller commits
  what it saw only after it has used the response (`Client.remember`): a response that failed
  to import must not turn into a 304 next time;
- a response is read under its cap as it streams in, after decompression (`net_body.py`); only
  https (plain http only to a loopback host, for tests and local mirrors); redirects are
  followed by hand, only to https (`net_urls.py`), and checked before httpx looks at them;
- within `Client.budget()` (one source's fetch) the pages share a byte budget;
- every failure is a `FetchError` whose `str()` is one line for the user (`net_errors.py`);
  a limit that ends a fetch of several pages early is a `LimitReached`.

httpx is imported only when a request is made: `papertray list` never pays for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from papertray.store import limits
from papertray.store.http_cache import CACHE_FILE, ValidatorCache
from papertray.store.net_errors import (
    FetchError,
    LimitReached,
    host_of,
    size_text,
    status_line,
    too_big,
)
from papertray.store.net_urls import check_url, with_params
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
    retries: int = _limit("RETRIES")
    backoff: float = BACKOFF
    max_retry_wait: float = _limit("MAX_RETRY_WAIT")
    max_bytes: int = _limit("MAX_RESPONSE")
    max_fetch_bytes: int = _limit("MAX_FETCH_BYTES")
    sleep: Callable[[float], None] = time.sleep


def default_settings() -> Settings:
    """The settings a `Client` made without any uses (tests lower the timeouts and the cap, and
    stub `sleep`, by replacing this)."""
    return Settings()


class Client:
    """`Client(data_dir)`; `get(url, params)` -> Response or FetchError. Not thread-safe: one per
    worker. Use as a context manager, or `close()` it."""

    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        settings: Settings | None = None,
        cache: ValidatorCache | None = None,
    ) -> None:
        self.settings = settings or default_settings()
        if cache is None:
            cache = ValidatorCache(Path(data_dir) / CACHE_FILE if data_dir is not None else None)
        self.cache = cache
        self.requests = 0
        """Requests sent (retries and redirects included): what a test counts."""
        self._http: dict[str, Any] = {}
        self._last_request: dict[str, float] = {}
        self._bytes_left: int | None = None
        """Bytes left to the pages of the fetch under way (`budget`)."""

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        for client in self._http.values():
            client.close()
        self._http.clear()

    @contextmanager
    def budget(self) -> Iterator[None]:
        """One source's fetch: its responses share the byte budget of the settings; going
        past it raises `LimitReached`."""
        self._bytes_left = self.settings.max_fetch_bytes
        try:
            yield
        finally:
            self._bytes_left = None

    def _client(self, tls: bool) -> Any:
        """The httpx client for https (`tls`) or for plain http, which `check_url` allows only
        to loopback. Two clients so that plain http never pays for loading the CA bundle
        (~0.1 s), and https always verifies certificates."""
        key = "https" if tls else "http"
        client = self._http.get(key)
        if client is None:
            import httpx  # deferred: ~0.1 s of imports only the network commands need

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
        with its `status`. `min_interval`: seconds to keep between two requests to this host
        (arXiv asks for 3)."""
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
        if self._bytes_left is not None:
            self._bytes_left -= len(body)
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

    # -- one request, with retries ----------------------------------------------------------

    def _pace(self, host: str, interval: float) -> None:
        if interval <= 0:
            return
        last = self._last_request.get(host)
        if last is not None:
            wait = last + interval - time.monotonic()
            if wait > 0:
                self.settings.sleep(wait)
        self._last_request[host] = time.monotonic()

    def _send_with_retries(
        self, url: str, headers: dict[str, str], min_interval: float = 0.0
    ) -> tuple[int, dict[str, str], bytes]:
        s = self.settings
        attempt = 0
        while True:
            self._pace(host_of(url), min_interval)
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
            s.sleep(wait)
            attempt += 1

    def _send(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        import httpx

        from papertray.store.net_body import BodyError, codings, read_body
        from papertray.store.net_errors import request_error

        client = self._client(url[:6].lower() == "https:")
        host = host_of(url)
        limit = self.settings.max_bytes
        left = self._bytes_left
        by_budget = left is not None and left < limit
        if left is not None:
            limit = min(limit, max(left, 0))

        def over() -> FetchError:
            if by_budget:
                return LimitReached(
                    f"the {size_text(self.settings.max_fetch_bytes)} limit on one fetch"
                )
            return FetchError(too_big(host, limit), host=host)

        self.requests += 1
        try:
            with client.stream("GET", url, headers=headers) as response:
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

"""Which URLs papertray may request: https anywhere, plain http only to a loopback host (tests
and local mirrors); a redirect only to https (or staying on loopback http). And query strings
appended in the order given."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from papertray.store.net_errors import FetchError, host_of
from papertray.store.sanitize import quoted

# urlsplit silently drops tabs and newlines (and httpx then refuses the URL): a URL holding any
# whitespace or control character is refused here, by name.
_NOT_IN_URLS = re.compile(r"[\x00-\x20\x7f-\x9f\s]")

__all__ = ["check_url", "is_loopback", "with_params"]


def is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, *, came_from: str | None = None) -> str:
    """`url` if papertray may request it: https, or plain http to a loopback host. A redirect
    (`came_from` set) may go to https only, or stay on plain-http loopback when it started
    there. Raises FetchError otherwise."""
    try:
        if _NOT_IN_URLS.search(url):
            raise ValueError(url)
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises ValueError on a malformed port)
        scheme = parts.scheme.lower()
    except ValueError:
        host, scheme = "", ""
    if not host or scheme not in ("http", "https"):
        if came_from is not None:
            raise FetchError(
                f"{host_of(came_from)} redirected to {quoted(url)}: refused, papertray "
                "follows redirects only to https",
                host=host_of(came_from),
            )
        raise FetchError(f"not a usable http(s) URL: {quoted(url)}", host=quoted(host))
    if scheme == "http":
        loopback_origin = came_from is None or (
            urlsplit(came_from).scheme.lower() == "http" and is_loopback(host_of(came_from))
        )
        if not (is_loopback(host) and loopback_origin):
            if came_from is not None:
                raise FetchError(
                    f"{host_of(came_from)} redirected to plain http ({quoted(url)}): refused, "
                    "papertray follows redirects only to https",
                    host=host_of(came_from),
                )
            raise FetchError(
                f"refusing plain http to {quoted(host)}: papertray fetches only over https "
                "(plain http only from a loopback address)",
                host=host,
            )
    return url


def with_params(url: str, params: Mapping[str, Any] | None) -> str:
    """`url` with `params` appended as a query string, in the order given."""
    if not params:
        return url
    query = urlencode([(k, str(v)) for k, v in params.items() if v is not None], safe=":,+")
    return f"{url}{'&' if '?' in url else '?'}{query}"

"""Find the links in an abstract, clean what page copies glue onto them, and spot code repos.

Only http(s) URLs with a real host are links. Anything else (`javascript:`, `file:`, `data:`,
`ssh://`, a URL with whitespace or control characters in it, one starting with "-") is never
returned, so it can never be opened or offered as a repo.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import urlsplit

from papertray.store.limits import MAX_URL

# A candidate runs from "http(s)://" to whitespace, a control or non-ASCII character, or a
# character that cannot appear unescaped in a URL and that copies wrap URLs in (quotes, <>, {},
# [], `, |, ^, backslash). One character class, one quantifier: linear, no backtracking. The
# class names the printable ASCII characters kept, not those left out: a negated class reaching
# to U+10FFFF took 17 ms to compile, at every start.
_TAIL = re.compile(r"[!#-&(-;=?-Z_a-z~]*")
_TRAILING_GLUE = ".,;:!?*'\"}]>"
_LEADING_GLUE = "<([{\"'`"
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")

_GITHUB_RESERVED = frozenset(
    "about apps collections enterprise explore features login marketplace notifications "
    "orgs pricing search settings site sponsors topics trending".split()
)
_GITLAB_RESERVED = frozenset("explore help users dashboard search".split())
_HF_RESERVED = frozenset(
    "api blog chat collections docs enterprise join learn login models new notifications "
    "organizations papers posts pricing search settings tasks".split()
)
_HF_KINDS = frozenset({"datasets", "spaces"})
_SIMPLE_FORGES = frozenset({"gitlab.com", "codeberg.org", "bitbucket.org"})


def _host_ok(host: str) -> bool:
    if ":" in host:  # urlsplit gives IPv6 literals without their brackets
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return True
    labels = host.removesuffix(".").split(".")
    # A real host has a dot (example.org); "https://exa" is a URL cut at a line break.
    if len(host) > 253 or len(labels) < 2:
        return False
    return all(_LABEL.fullmatch(label) for label in labels)


def is_safe_url(url: str) -> bool:
    """True for an http(s) URL with a host and nothing that could trick a terminal or browser:
    no whitespace or control characters, not starting with "-", no user:password@ part."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL or url[0] == "-":
        return False
    if _ARXIV_PAGE.fullmatch(url):  # a paper's own arXiv page: safe by construction
        return True
    return _split(url) is not None


@lru_cache(maxsize=4096)
def _split(url: str) -> tuple[str, str] | None:
    """(host, path) of a safe URL, else None. Cached: ingest checks each link several times."""
    # isprintable() is False for every control, bidi mark and whitespace character but the space.
    if not url.isprintable() or " " in url or not url.isascii():
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018  (raises ValueError on a malformed port)
    except ValueError:
        return None
    if (
        parts.scheme.lower() not in ("http", "https")
        or url[len(parts.scheme) : len(parts.scheme) + 3] != "://"
    ):
        return None
    # "https://github.com@evil.example/x" opens evil.example: no credentials in links.
    if not host or "@" in parts.netloc or not _host_ok(host):
        return None
    return host.removesuffix("."), parts.path


def clean_url(raw: str) -> str | None:
    """Strip the punctuation a copy glues around a URL (`.`, `}.`, `)`, `,`, quotes, ...) and
    return it, or None if what is left is not a safe http(s) URL. A `)` is kept when a `(`
    inside the URL balances it (Wikipedia-style links)."""
    if not isinstance(raw, str):
        return None
    if _ARXIV_PAGE.fullmatch(raw):  # a paper's own arXiv page, made from its id: already clean
        return raw
    # A digest names the same few thousand repos and pages over and over.
    return _clean_cached(raw) if len(raw) <= _CACHED_LEN else _clean(raw)


_CACHED_LEN = 300  # longer strings are not worth keeping in a cache


@lru_cache(maxsize=4096)
def _clean_cached(raw: str) -> str | None:
    return _clean(raw)


def _clean(raw: str) -> str | None:
    url = raw.strip()
    if len(url) > MAX_URL + 16:
        return None
    url = url.lstrip(_LEADING_GLUE)
    opened = url.count("(")
    closed = url.count(")")
    end = len(url)
    while end:
        ch = url[end - 1]
        if ch in _TRAILING_GLUE:
            end -= 1
        elif ch == ")" and closed > opened:
            closed -= 1
            end -= 1
        else:
            break
    url = url[:end]
    return url if is_safe_url(url) else None


def extract_links(text: str) -> list[str]:
    """Every http(s) link in `text`, cleaned, deduplicated, in order of appearance."""
    found: list[str] = []
    seen: set[str] = set()
    # str.find("://") runs at C speed and "://" is rare, so a long abstract costs one scan; the
    # scheme is then checked case-insensitively just before it.
    pos = text.find("://")
    while pos >= 0:
        tail = _TAIL.match(text, pos + 3)
        tail_end = tail.end() if tail else pos + 3
        scheme = text[max(0, pos - 5) : pos].lower()
        start = pos - 5 if scheme == "https" else pos - 4 if scheme.endswith("http") else -1
        if start >= 0:
            url = clean_url(text[start:tail_end])
            if url is not None and url not in seen:
                seen.add(url)
                found.append(url)
        pos = text.find("://", max(tail_end, pos + 3))
    return found


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def is_code_repo(url: str) -> bool:
    """True for a code repository or model hub page: github.com/<owner>/<repo>[/...], the same
    on gitlab.com, codeberg.org and bitbucket.org, and huggingface.co/<org>/<model>. A Hugging
    Face dataset or Space is a link of the paper, not its code."""
    if not is_safe_url(url):
        return False
    return _is_code_repo(url)


@lru_cache(maxsize=4096)
def _is_code_repo(url: str) -> bool:
    """`is_code_repo` of a URL that `is_safe_url` accepts."""
    if _ARXIV_PAGE.fullmatch(url):
        return False
    split = _split(url)
    if split is None:  # pragma: no cover - is_safe_url said it was safe
        return False
    host = split[0].removeprefix("www.")
    segs = _segments(split[1])
    if host == "github.com":
        return len(segs) >= 2 and segs[0].lower() not in _GITHUB_RESERVED
    if host in _SIMPLE_FORGES:
        return len(segs) >= 2 and segs[0].lower() not in _GITLAB_RESERVED
    if host == "huggingface.co":
        if segs and segs[0] in _HF_KINDS:
            return False
        return len(segs) >= 2 and segs[0].lower() not in _HF_RESERVED
    return False


def repo_of(url: str) -> str:
    """The repository a code link points into: `github.com/o/r/blob/master/README.md` ->
    `github.com/o/r` (GitLab: up to its `/-/`; Hugging Face: the model). A link that is the
    repository itself is returned as it is. `url` must be one `is_code_repo` accepts."""
    split = _split(url)
    if split is None:  # pragma: no cover - is_code_repo said it was safe
        return url
    host, path = split
    segs = _segments(path)
    if host.removeprefix("www.") == "gitlab.com":
        keep = segs.index("-") if "-" in segs else len(segs)
    else:
        keep = 2
    if len(segs) <= keep:
        return url
    scheme_end = url.index("://") + 3
    netloc = url[scheme_end:].split("/", 1)[0]
    return f"{url[:scheme_end]}{netloc}/{'/'.join(segs[:keep])}"


def order_links(links: list[str]) -> tuple[tuple[str, ...], str | None]:
    """Deduplicate and drop unsafe links; put the first code repo first.

    Returns (links, repo) where repo is the repository of the first code link (`repo_of`), or
    None. A link deeper into the repository (a README, a folder) stays among the links."""
    if len(links) == 1:  # the usual abstract names one link
        url = links[0]
        if not is_safe_url(url):
            return (), None
        if not _is_code_repo(url):
            return (url,), None
        repo = repo_of(url)
        return ((url,) if repo == url else (repo, url)), repo
    kept: list[str] = []
    seen: set[str] = set()
    for url in links:
        if url not in seen and is_safe_url(url):
            seen.add(url)
            kept.append(url)
    found = next((url for url in kept if is_code_repo(url)), None)
    if found is None:
        return tuple(kept), None
    repo = repo_of(found)
    if repo in seen:
        kept.remove(repo)
    kept.insert(0, repo)
    return tuple(kept), repo


def arxiv_links(arxiv_id: str) -> list[str]:
    """The paper's own pages, from its arXiv id: the arXiv abstract page, the PDF, and the
    Hugging Face paper page. The first is what the reader's open-paper key opens."""
    return [
        f"https://arxiv.org/abs/{arxiv_id}",
        f"https://arxiv.org/pdf/{arxiv_id}",
        f"https://huggingface.co/papers/{arxiv_id}",
    ]


def with_arxiv_links(links: tuple[str, ...], arxiv_id: str | None) -> tuple[str, ...]:
    """`links` with the paper's own pages (`arxiv_links`) after them, where missing. The one
    place these links are derived: ingest applies it to every paper with an arXiv id."""
    if not arxiv_id:
        return links
    # Made from an id of the characters ids have, the links are safe by construction: checking
    # each (urlsplit, host labels) was a third of an arXiv email import of 100k papers.
    safe = _ARXIV_ID.fullmatch(arxiv_id) is not None
    if safe and len(links) == 1 and links[0] == f"https://arxiv.org/abs/{arxiv_id}":
        # The usual paper of an arXiv digest: its abstract page, not yet its PDF or HF page.
        pdf, hf = f"https://arxiv.org/pdf/{arxiv_id}", f"https://huggingface.co/papers/{arxiv_id}"
        return (links[0], pdf, hf)
    have = {_same_page(u) for u in links}
    extra = [
        u
        for u in arxiv_links(arxiv_id)
        if _same_page(u) not in have and (safe or is_safe_url(u))
    ]
    return (*links, *extra) if extra else links


_ARXIV_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]{0,30}(?:/[0-9]{7})?")
_ARXIV_PAGE = re.compile(r"https://arxiv\.org/(?:abs|pdf)/[A-Za-z0-9][A-Za-z0-9.\-]{0,30}(?:/[0-9]{7})?")


_VERSION_TAIL = re.compile(r"v\d+(?:\.pdf)?$|\.pdf$")


def _same_page(url: str) -> str:
    """What makes two links to one arXiv page the same: no scheme, no www, no version."""
    bare = url.split("://", 1)[-1].removeprefix("www.").rstrip("/")
    if bare.startswith(("arxiv.org/", "export.arxiv.org/")):
        bare = _VERSION_TAIL.sub("", bare.removeprefix("export."))
    return bare


# -- what a link is, said in a word (the reader's pane, the CLI's Markdown) ----------------------

_FORGES = {
    "github.com": "GitHub",
    "gitlab.com": "GitLab",
    "codeberg.org": "Codeberg",
    "bitbucket.org": "Bitbucket",
}
_PROJECT_HOSTS = (".github.io", ".gitlab.io", ".pages.dev", ".netlify.app", ".vercel.app")


def link_label(url: str) -> str:
    """A link named by its kind or host: "arXiv" (an abstract page), "PDF" (arXiv's, or any
    `.pdf`), "GitHub", "GitLab", "Codeberg", "Bitbucket", "HF" (Hugging Face), "DOI",
    "OpenReview", "project page" (a project's own site: `name.github.io`, ...), else the host
    without `www.` ("example.org"); "" for a link that is not safe (never shown as one)."""
    split = _split(url) if is_safe_url(url) else None
    if split is None:
        return ""
    host, path = split[0].lower().removeprefix("www."), split[1]
    if host in ("arxiv.org", "export.arxiv.org"):
        return "PDF" if path.startswith("/pdf/") else "arXiv"
    if path.lower().endswith(".pdf") or (host == "openreview.net" and path.startswith("/pdf")):
        return "PDF"
    if host in _FORGES:
        return _FORGES[host]
    if host == "huggingface.co" or host.endswith(".hf.space"):
        return "HF"
    if host in ("doi.org", "dx.doi.org"):
        return "DOI"
    if host == "openreview.net":
        return "OpenReview"
    if host.endswith(_PROJECT_HOSTS):
        return "project page"
    return host


def pdf_link(arxiv_id: str | None, links: tuple[str, ...]) -> str | None:
    """The paper's PDF, as `P` opens it: arXiv's (`arxiv_links`), else the first of its links
    that is a PDF (`link_label`); None when it has neither."""
    if arxiv_id and _ARXIV_ID.fullmatch(arxiv_id):
        return arxiv_links(arxiv_id)[1]
    return next((url for url in links if link_label(url) == "PDF"), None)

"""Cleaning one field of a record (JSON, an API item, a feed entry) into a paper's field: text
with controls stripped, whole numbers, ISO dates, author lists, URLs and arXiv ids. Any value
of the wrong type gives the empty value, never an error: records come from anywhere."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from papertray.store import limits
from papertray.store.formats.latex import has_latex, latex_to_text
from papertray.store.links import clean_url
from papertray.store.sanitize import clean_text

_ARXIV_NEW = re.compile(r"(\d{4}\.\d{4,5})(?:v\d+)?")
_ARXIV_OLD = re.compile(r"([a-z][a-z-]*(?:\.[A-Za-z]{2})?/\d{7})(?:v\d+)?")
# An arXiv id as it sits in a URL or DOI: the new form, or the old one (`hep-th/9901001`,
# `math.GT/0309136`), its version and a `.pdf` dropped; never the front of a longer token
# (`2403.123456` is no id, not 2403.12345).
_ID_IN_URL = r"(\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[a-z]{2})?/\d{7})(?:v\d+)?(?:\.pdf)?(?![\w.-])"
_ARXIV_URL = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)|huggingface\.co/papers|alphaxiv\.org/abs)/" + _ID_IN_URL,
    re.I,
)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\." + _ID_IN_URL, re.I)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def normalize_arxiv_id(value: Any) -> str | None:
    """ "arXiv:2403.12345v2" -> "2403.12345"; None if `value` is not an arXiv id."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    value = value.strip()
    if value[:6].lower() == "arxiv:":
        value = value[6:].strip()
    match = _ARXIV_NEW.fullmatch(value) or _ARXIV_OLD.fullmatch(value)
    return match.group(1) if match else None


def arxiv_from_url(value: Any) -> str | None:
    """The arXiv id an arXiv / Hugging Face / alphaXiv paper URL names (abs, pdf, html pages,
    any version), or an arXiv DOI (`10.48550/arXiv.2403.12345`, bare or as a doi.org URL): both
    name exactly one arXiv paper, so every format reads them alike. None for anything else."""
    if not isinstance(value, str):
        return None
    head = value[:300]
    match = _ARXIV_URL.search(head) or _ARXIV_DOI.search(head)
    return normalize_arxiv_id(match.group(1)) if match else None


_VERSION = re.compile(r"\d{4}\.\d{4,5}v(\d{1,3})\b|/\d{7}v(\d{1,3})\b")


def arxiv_version_of(value: Any) -> int | None:
    """The version an arXiv id or URL names (`2401.01234v2` -> 2), or None."""
    if not isinstance(value, str):
        return None
    match = _VERSION.search(value[:300])
    return int(match.group(1) or match.group(2)) if match else None


def text_field(value: Any, *, multiline: bool = False) -> str:
    if isinstance(value, str):
        # LaTeX pieces read as text ($\\alpha$ -> α): the filter matches what is shown.
        return latex_text(clean_text(value, multiline=multiline))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def int_field(value: Any) -> int | None:
    """A count, or None for anything else: a count past `limits.MAX_COUNT` (or below 0) is junk,
    and one past 64 bits would stop SQLite from storing the paper."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value) if 0 <= value <= limits.MAX_COUNT else None


def date_field(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    if _ISO_DATE.match(value):
        return value[:10]
    cleaned = clean_text(value[:200])
    return cleaned[:64] or None


def author_list(value: Any) -> list[str]:
    items: Iterable[Any]
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list):
        items = value
    else:
        return []
    names: list[str] = []
    for item in items:
        name = text_field(item.get("name")) if isinstance(item, dict) else text_field(item)
        if name:
            names.append(name)
    return names


def keyword_list(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [k for k in (text_field(v) for v in value) if k]


def url_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def field_urls(record: dict[str, Any], *keys: str) -> list[str]:
    urls: list[str] = []
    for key in keys:
        if key in record:
            urls += filter(None, map(clean_url, url_list(record[key])))
    return urls


def latex_text(text: str) -> str:
    """`text` (clean) with its LaTeX pieces as Unicode; three `in` tests when it has none."""
    if not has_latex(text):
        return text

    return clean_text(latex_to_text(text), multiline=True)

"""How a tag is cleaned: the one rule the CLI, the reader's tags editor and the state file share.

A tag is lower-case, its words joined by "-", with no control characters and at most 40
characters; a leading "+", "-" or "#" is dropped (the CLI reads `+tag`/`-tag` as add/remove, and
`#llm` is how the reader shows `llm`). Commas and spaces separate tags, so `+a,b` and the
editor's `a, b` both mean two tags.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from papertray.store.sanitize import clean_text

__all__ = ["TAG_MAX", "clean_tag", "normalize_tags", "parse_tag_changes", "split_tags"]

TAG_MAX = 40
_SEPARATORS = re.compile(r"[\s,]+")


def clean_tag(text: str) -> str:
    """One tag as stored, or "" when nothing is left."""
    words = clean_text(text[: TAG_MAX * 8]).lower().split()
    tag = "-".join(words).lstrip("+-#")
    return tag[:TAG_MAX].rstrip("-")


def normalize_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Each tag cleaned, empties dropped, duplicates dropped keeping the first."""
    return tuple(dict.fromkeys(tag for tag in map(clean_tag, map(str, tags)) if tag))


def split_tags(value: str) -> list[str]:
    """`llm, to-read  quant` -> ["llm", "to-read", "quant"]: commas or spaces separate tags."""
    return list(normalize_tags(_SEPARATORS.split(value)))


def parse_tag_changes(changes: Sequence[str]) -> tuple[list[str], list[str]]:
    """`["+llm,quant", "-todo"]` -> (tags to add, tags to remove). Raises ValueError with a
    one-line message for a change that is neither `+TAG` nor `-TAG`."""
    add: list[str] = []
    remove: list[str] = []
    for change in changes:
        sign, rest = change[:1], change[1:]
        if sign not in ("+", "-") or not rest.strip():
            raise ValueError(f"tag changes are +TAG or -TAG, not {change!r}")
        (add if sign == "+" else remove).extend(split_tags(rest))
    return add, remove

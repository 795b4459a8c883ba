"""The plain data papertray passes around: a paper and the user's marks on it."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple


class Paper(NamedTuple):
    """One paper of a digest, immutable (many holders share one: the library, the reader's
    list, a search index). All text is already sanitised by `store.sanitize`.

    A named tuple rather than a frozen dataclass: an import or a load makes 100k of them, and
    a frozen dataclass sets each of its fields through `object.__setattr__`, several times the
    cost of a tuple, paid by every import and every load.
    `paper._replace(...)` makes a changed copy."""

    id: str
    """Stable id: `arxiv:<id>` when the source names one, else `t:<hash of the title key>`."""
    title: str
    abstract: str = ""
    authors: tuple[str, ...] = ()
    published: str | None = None
    links: tuple[str, ...] = ()
    """Every http(s) link, cleaned: the code repo first, then the others in the order found."""
    repo: str | None = None
    """The first code-repository link (GitHub, GitLab, Codeberg, Bitbucket, HF), if any."""
    source: str = ""
    """Where the paper came from: the file name it was imported from."""
    arxiv_id: str | None = None
    upvotes: int | None = None
    stars: int | None = None
    comments: int | None = None
    keywords: tuple[str, ...] = ()
    digest_date: str | None = None
    """The day the paper appeared in the digest (HF API `publishedAt` of the item)."""
    added_at: float | None = None
    """When the paper was first imported (POSIX seconds), set by `Library.add` and kept on every
    re-import. None for papers imported before papertray recorded it: no `added:` term matches
    them and they sort last by newest added (their true import time is not known)."""
    categories: tuple[str, ...] = ()
    """arXiv categories, the primary first (`cs.CL`, `cs.LG`)."""
    remarks: str = ""
    """The authors' comments line of arXiv ("NeurIPS 2025, 12 pages, code at ...")."""
    arxiv_version: int | None = None
    """The arXiv version the source named (2 for `2401.01234v2`), when it named one."""

    def to_dict(self) -> dict[str, Any]:
        """The fields as JSON-ready values (lists for the tuple fields)."""
        data = self._asdict()
        for name in LIST_FIELDS:
            data[name] = list(data[name])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Paper:
        """A paper from `to_dict()` output (unknown keys ignored, lists made tuples)."""
        known = cls._fields
        kept = {k: v for k, v in data.items() if k in known}
        for name in LIST_FIELDS:
            if name in kept:
                kept[name] = tuple(kept[name] or ())
        return cls(**kept)


LIST_FIELDS = ("authors", "links", "keywords", "categories")
"""The fields of a Paper that are sequences: tuples in a Paper, lists in JSON."""


@dataclass(frozen=True, slots=True)
class PaperState:
    """What the user has marked on one paper. The default is an untouched paper."""

    read: bool = False
    starred: bool = False
    tags: tuple[str, ...] = ()
    note: str = ""
    read_at: float | None = None
    starred_at: float | None = None
    updated_at: float | None = None
    later: bool = False
    """In the read-later queue (oldest queued first: `later_at`)."""
    later_at: float | None = None
    conflicting_note: str = ""
    """The text of a note written on another machine at the same time as `note` (neither had
    seen the other's), which lost to it by the sync's clock (store/sync_merge.py); the pane
    shows it. Saving the note, even unchanged, settles the conflict and clears it."""

    @property
    def untouched(self) -> bool:
        return not (
            self.read or self.starred or self.tags or self.note or self.later
            or self.conflicting_note
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "starred": self.starred,
            "tags": list(self.tags),
            "note": self.note,
            "read_at": self.read_at,
            "starred_at": self.starred_at,
            "updated_at": self.updated_at,
            "later": self.later,
            "later_at": self.later_at,
            "conflicting_note": self.conflicting_note,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PaperState:
        tags = data.get("tags") or ()
        return cls(
            read=bool(data.get("read", False)),
            starred=bool(data.get("starred", False)),
            tags=tuple(str(t) for t in tags) if isinstance(tags, (list, tuple)) else (),
            note=str(data.get("note") or ""),
            read_at=_float_or_none(data.get("read_at")),
            starred_at=_float_or_none(data.get("starred_at")),
            updated_at=_float_or_none(data.get("updated_at")),
            later=bool(data.get("later", False)),
            later_at=_float_or_none(data.get("later_at")),
            conflicting_note=str(data.get("conflicting_note") or ""),
        )


UNTOUCHED = PaperState()
_NON_WORD = re.compile(r"[\W_]+")
# For ASCII titles (nearly all), title_key's steps reduce to one byte table: letters and digits
# lower-cased, everything else a space. bytes.translate is several times faster than NFKC +
# casefold + re.
_ASCII_KEY = bytes(ord(chr(c).lower()) if chr(c).isalnum() and c < 128 else 32 for c in range(256))


def _float_or_none(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def title_key(title: str) -> str:
    """The normalised form of a title two copies of one paper share: NFKC, case-folded,
    punctuation and spacing dropped. Used for title-derived ids and to merge sources."""
    if title.isascii():
        return " ".join(title.encode("ascii").translate(_ASCII_KEY).decode("ascii").split())
    folded = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(_NON_WORD.sub(" ", folded).split())


def paper_id(*, arxiv_id: str | None = None, title: str = "") -> str:
    """The stable id: `arxiv:<id>` when there is an arXiv id, else `t:<16 hex of the title key>`."""
    if arxiv_id:
        return f"arxiv:{arxiv_id}"
    return key_id(title_key(title))


def key_id(key: str) -> str:
    """The title-derived id of a title whose `title_key` is `key`: `t:<16 hex>`."""
    return f"t:{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}"


def key_ids(keys: Iterable[str]) -> list[str]:
    """`[key_id(k) for k in keys]`, without a function call per key."""
    sha1 = hashlib.sha1
    return ["t:" + sha1(key.encode("utf-8")).hexdigest()[:16] for key in keys]

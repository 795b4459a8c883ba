"""Which paper a user means by an id: the full id (`arxiv:2403.12015`, `t:243ff14e…`), a bare
arXiv id (`2403.12015`, also of a paper whose id is `t:…` but that gained its arXiv id from a
second source), or an unambiguous prefix of either.
"""

from __future__ import annotations

from collections.abc import Sequence

from papertray.store.library import Library

__all__ = ["UnknownId", "resolve_ids"]


class UnknownId(LookupError):
    """No paper, or more than one, answers to an id. `str(e)` is one line for the user."""


def resolve_ids(library: Library, wanted: Sequence[str]) -> list[str]:
    """The paper id each of `wanted` names, de-duplicated in order. The ids come from the
    library's preview when it matches (starring one of 100k papers parses no abstract)."""
    preview = library.preview()
    if preview is not None:
        known, arxiv = list(preview.ids), preview.arxiv_ids()
    else:
        papers = library.papers()
        known, arxiv = [p.id for p in papers], [p.arxiv_id or "" for p in papers]
    known_set = set(known)
    # arXiv id -> paper id, for papers whose id is not `arxiv:<that id>`.
    by_arxiv = {a: pid for pid, a in zip(known, arxiv, strict=True) if a and pid != f"arxiv:{a}"}
    resolved: list[str] = []
    for raw in wanted:
        key = raw.strip()
        if key in known_set:
            resolved.append(key)
            continue
        bare = key[6:] if key[:6].lower() == "arxiv:" else key
        if f"arxiv:{bare}" in known_set:
            resolved.append(f"arxiv:{bare}")
            continue
        if bare in by_arxiv:
            resolved.append(by_arxiv[bare])
            continue
        matches = [
            pid for pid in known if pid.startswith(key) or pid.split(":", 1)[-1].startswith(key)
        ]
        if len(matches) == 1 and key:
            resolved.append(matches[0])
        elif not matches or not key:
            raise UnknownId(f"no paper with id {raw!r} in the library (see `papertray list`)")
        else:
            raise UnknownId(
                f"id {raw!r} is ambiguous: {', '.join(matches[:5])}"
                + ("…" if len(matches) > 5 else "")
            )
    return list(dict.fromkeys(resolved))

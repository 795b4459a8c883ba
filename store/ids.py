"""Which paper a user means by an id: the full id (`arxiv:2403.12015`, `t:243ff14e…`), a bare
arXiv id (`2403.12015`, also of a paper whose id is `t:…` but that gained its arXiv id from a
second source), any other name the paper answers to (a DOI `doi:10.…`, the id of a record
folded into it), or an unambiguous prefix of an id.
"""

from __future__ import annotations

from collections.abc import Sequence

from papertray.store.library import Library

__all__ = ["UnknownId", "resolve_ids"]


class UnknownId(LookupError):
    """No paper, or more than one, answers to an id. `str(e)` is one line for the user."""


def resolve_ids(library: Library, wanted: Sequence[str]) -> list[str]:
    """The paper id each of `wanted` names, de-duplicated in order."""
    present = set()
    resolved: list[str] = []
    for raw in wanted:
        key = raw.strip()
        bare = key[6:] if key[:6].lower() == "arxiv:" else key
        found = None
        for name in (key, f"arxiv:{bare}", f"doi:{key.lower()}" if key.startswith("10.") else ""):
            if name and (pid := library.resolve(name)) is not None:
                if pid in present or pid in library:
                    present.add(pid)
                    found = pid
                    break
        if found is None and key:
            matches = library.ids_starting(key)
            if len(matches) == 1:
                found = matches[0]
            elif len(matches) > 1:
                shown = ", ".join(matches[:5])
                more = "…" if len(matches) > 5 else ""
                raise UnknownId(f"id {raw!r} is ambiguous: {shown}{more}")
        if found is None:
            raise UnknownId(f"no paper with id {raw!r} in the library (see `papertray list`)")
        resolved.append(found)
    return list(dict.fromkeys(resolved))

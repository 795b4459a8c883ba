"""Importing digest files into the library, as `papertray import` and `papertray FILE` (the
reader) do: read every file first, so a bad file in the list never half-imports the others; skip
the parse of a file imported before and unchanged since (see `store/recall.py`); then add each
file's papers in one transaction. `read_files` only reads (`papertray list FILE` shows a file
without importing it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from papertray.store.dates import now as clock_now
from papertray.store.formats.common import IngestError, IngestResult
from papertray.store.ingest import ingest_bytes, read_input
from papertray.store.library import Library
from papertray.store.models import Paper
from papertray.store.paths import sample_digest
from papertray.store.recall import ContentKey, KnownImport, content_key
from papertray.store.similar import build_in_background
from papertray.store.storage import StoreError

__all__ = ["FileImport", "ImportOutcome", "import_files", "read_files", "seed_sample"]


@dataclass
class FileImport:
    """What importing one file did."""

    name: str
    format: str
    papers: int
    """Papers in the file, duplicates within it included."""
    new: int = 0
    merged: int = 0
    skipped: int = 0
    """Papers already in the library with nothing new, plus duplicates within the file."""
    save_error: str | None = None
    """Why the papers could not be saved (a read-only or full disk): they are then unsaved."""
    replacements: int = 0
    """arXiv replacement entries in the file (they only revise papers in the library)."""
    revised: int = 0
    """Papers in the library those revised; the other replacements were skipped."""

    @property
    def summary(self) -> str:
        """`d.txt: 3 papers (page): 2 new, 0 merged, 1 skipped`."""
        line = (
            f"{self.name}: {self.papers} papers ({self.format}): "
            f"{self.new} new, {self.merged} merged, {self.skipped} skipped"
        )
        if self.replacements:
            left = self.replacements - self.revised
            line += (
                f"; {self.replacements} replacement(s): {self.revised} updated, "
                f"{left} not in the library (skipped)"
            )
        return line


@dataclass
class ImportOutcome:
    ids: list[str] = field(default_factory=list)
    """The id of each paper of the files, in file order, after merging (may repeat)."""
    papers: list[Paper] = field(default_factory=list)
    """Those papers (when asked for), the library's copy where it has one."""
    files: list[FileImport] = field(default_factory=list)

    @property
    def saved(self) -> bool:
        return all(f.save_error is None for f in self.files)


@dataclass
class _Loaded:
    name: str
    data: bytes
    source: str
    key: ContentKey
    result: IngestResult | None


def import_files(
    library: Library,
    files: Sequence[str],
    fmt: str | None = None,
    *,
    keep_papers: bool = True,
    on_warning: Callable[[str], None] | None = None,
) -> ImportOutcome:
    """Import each file ("-" is standard input) in order. Raises `IngestError` (one line, naming
    the file) before anything is written when any file cannot be read or parsed. A file that
    cannot be saved is reported in its `FileImport.save_error`, its papers kept unsaved in the
    outcome. `on_warning` hears each file's parse warnings (`d.txt: 1 duplicate ...`) as they
    are found, before any write."""
    batch = clock_now()  # every file of one call is one import batch (`is:new`)
    loaded: list[_Loaded] = []
    for name in files:
        data, source = read_input(name)
        key = content_key(data, fmt)
        known = library.recall(key)
        result = None if known is not None else _parse(name, data, fmt, source)
        warnings = known.warnings if known is not None else result.warnings if result else []
        if on_warning is not None:
            for warning in warnings:
                on_warning(f"{name}: {warning}")
        loaded.append(_Loaded(name, data, source, key, result))
    outcome = ImportOutcome()
    for item in loaded:
        # Recalled again here: an earlier file of this same import may have changed the papers.
        result = item.result
        known = library.recall(item.key) if result is None else None
        if result is None and known is None:
            result = _parse(item.name, item.data, fmt, item.source)
        if known is not None:
            outcome.files.append(
                FileImport(
                    item.name,
                    known.format,
                    len(known.ids) + known.duplicates,
                    skipped=len(known.ids) + known.duplicates,
                )
            )
            outcome.ids.extend(known.ids)
            if keep_papers:
                outcome.papers.extend(p for p in map(library.get, known.ids) if p is not None)
            continue
        assert result is not None
        count = len(result.papers) + result.duplicates
        remember = KnownImport(item.key, result.format, result.duplicates, result.warnings)
        try:
            report = library.add(
                result.papers, title_keys=result.title_keys, remember=remember, batch=batch
            )
        except StoreError as error:
            outcome.files.append(FileImport(item.name, result.format, count, save_error=str(error)))
            outcome.ids.extend(p.id for p in result.papers)
            outcome.papers.extend(result.papers)
            continue
        revised = 0
        if result.updates:
            try:
                revised = library.update(result.updates)
            except StoreError:
                revised = 0
        outcome.files.append(
            FileImport(
                item.name,
                result.format,
                count,
                new=report.new,
                merged=report.merged,
                skipped=report.skipped + result.duplicates,
                replacements=len(result.updates),
                revised=revised,
            )
        )
        outcome.ids.extend(report.ids)
        if keep_papers:
            outcome.papers.extend(result.papers)
    if any(f.new or f.merged for f in outcome.files):
        # The similarity index of a big library is rebuilt by a background process now, so the
        # first "more like this" finds it ready; the import does not wait (milliseconds).
        build_in_background(library)
    return outcome


def read_files(files: Sequence[str], fmt: str | None = None) -> Iterator[tuple[str, IngestResult]]:
    """Each file's papers, parsed ("-" is standard input); raises `IngestError` (one line,
    naming the file) for a file that cannot be read or parsed."""
    for name in files:
        data, source = read_input(name)
        yield name, _parse(name, data, fmt, source)


def _parse(name: str, data: bytes, fmt: str | None, source: str) -> IngestResult:
    try:
        return ingest_bytes(data, fmt=fmt, source=source)
    except IngestError as error:
        raise IngestError(f"{name}: {error}") from None


def seed_sample(library: Library) -> ImportOutcome | None:
    """Put the bundled sample digest (101 papers) into an empty library, as the first run of
    the reader does; None when the library is not empty."""
    if len(library):
        return None
    return import_files(library, [str(sample_digest())], keep_papers=False)

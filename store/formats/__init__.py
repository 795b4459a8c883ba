"""Input formats: one module per format, each with a `parse(digest) -> IngestResult`.

`FORMATS` maps a format's name (what `--format` accepts) to its `Format`. Adding a format is
one module here and one line in `FORMATS`; give it a `sniff` so that `ingest` detects it when
no `--format` is given (formats with a sniff are tried in this order before the built-in
JSON / page detection).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from papertray.store.formats import detect, hf_api, page, records
from papertray.store.formats.common import Digest, IngestError, IngestResult

__all__ = ["FORMATS", "Digest", "Format", "IngestError", "IngestResult"]


class Format(NamedTuple):
    parse: Callable[[Digest], IngestResult]
    """The papers of a digest in this format; `IngestError` (one line) when it holds none."""
    sniff: Callable[[str], bool] | None = None
    """True when a text (its start is enough) is surely in this format; None: detected by
    `ingest`'s own JSON / page detection."""


FORMATS: dict[str, Format] = {
    "page": Format(page.parse),
    "json": Format(records.parse_json),
    "jsonl": Format(records.parse_jsonl),
    "hf-api": Format(hf_api.parse),
    # The formats of issue 10 (`detect.py`): each module is imported only when its format is
    # met; their sniffs share one look at the text's first 64 KB.
    **{name: Format(detect.parser(name), detect.sniffer(name)) for name in detect.FORMATS},
}

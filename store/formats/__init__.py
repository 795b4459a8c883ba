"""Input formats: one module per format, each with a `parse(digest) -> IngestResult`.

`FORMATS` maps a format's name (what `--format` accepts) to its `Format`. Adding a format is
one module here and one line in `FORMATS`; give it a `sniff` so that `ingest` detects it when
no `--format` is given (formats with a sniff are tried in this order before the built-in
JSON / page detection).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from papertray.store.formats import detect

if TYPE_CHECKING:
    from papertray.store.formats.common import Digest, IngestResult

__all__ = ["FORMATS", "Format"]


class Format(NamedTuple):
    parse: Callable[[Digest], IngestResult]
    """The papers of a digest in this format; `IngestError` (one line) when it holds none."""
    sniff: Callable[[str], bool] | None = None
    """True when a text (its start is enough) is surely in this format; None: detected by
    `ingest`'s own JSON / page detection."""


def _parser(module: str, name: str) -> Callable[[Digest], IngestResult]:
    """`module.name`, imported when a digest in its format is first read: the reader's start
    names the formats (its `--format`) but reads none, and even the page, JSON and HF parsers
    cost import time."""

    def parse(digest: Digest) -> IngestResult:
        found: Callable[[Digest], IngestResult] = getattr(
            importlib.import_module(f"papertray.store.formats.{module}"), name
        )
        return found(digest)

    return parse


FORMATS: dict[str, Format] = {
    "page": Format(_parser("page", "parse")),
    "json": Format(_parser("records", "parse_json")),
    "jsonl": Format(_parser("records", "parse_jsonl")),
    "hf-api": Format(_parser("hf_api", "parse")),
    # The formats of issue 10 (`detect.py`): each module is imported only when its format is
    # met; their sniffs share one look at the text's first 64 KB.
    **{name: Format(detect.parser(name), detect.sniffer(name)) for name in detect.FORMATS},
}

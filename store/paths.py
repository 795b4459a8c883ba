"""Where papertray keeps its files, resolved in one place and only when asked."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "PAPERTRAY_DATA_DIR"
LIBRARY_FILE = "library.json"
"""The library of releases before 0.2 (`store/migrate.py` moves it into `LIBRARY_DB`)."""
LIBRARY_DB = "library.db"
STATE_FILE = "state.json"
SYNC_FILE = "sync.json"
"""What this data folder's sync knows (store/sync.py): the records every log merged gives, how
far each log was read. Derived from the sync folder's logs and `state.json`; a lost one is
made again by reading the logs from their start."""


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: `override` (from `--data-dir`), else `$PAPERTRAY_DATA_DIR`, else the
    platform's user data folder. Always absolute; never created here."""
    chosen = override or os.environ.get(ENV_VAR)
    if chosen:
        return Path(chosen).expanduser().resolve()
    import platformdirs  # deferred: only the default path needs it

    return Path(platformdirs.user_data_path("papertray")).resolve()


def sample_digest() -> Path:
    """The bundled sample digest (a Hugging Face Papers listing; arXiv metadata, CC0)."""
    return Path(__file__).resolve().parent / "data" / "sample_digest.txt"

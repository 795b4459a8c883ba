"""`papertray [FILE ...]`: open the reader, on the digests given (imported first) or on the
whole library, whose first frame comes straight from the database; an empty library gets the
bundled sample. Textual is imported only here, when the reader starts.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from papertray.tui.cli_common import import_files, open_store

__all__ = ["cmd_tui"]


def cmd_tui(args: argparse.Namespace) -> int:
    files = list(args.files)
    library, state = open_store(args.data_dir, check=bool(files))
    ids: list[str] | None = None
    warnings: list[str] = []
    link_new = False
    if files:
        outcome = import_files(library, files, args.format)
        ids = outcome.ids
        # A page copy's papers have no arXiv id: the reader links them in the background.
        link_new = outcome.saved and any(not p.arxiv_id for p in outcome.papers)
        if not outcome.saved:
            warnings.append("the data folder cannot be written: marks made now will not be saved")
    elif not len(library):
        # Importing loads the formats and the ingest (~12 ms): only for an empty library.
        from papertray.store import seed_sample

        seeded = seed_sample(library)
        if seeded is not None:
            ids = seeded.ids
            warnings.append(
                "your library was empty: the bundled sample digest (101 papers) is in it now "
                "(papertray remove --source sample_digest.txt takes it out)"
            )
    from papertray.tui.app import PapertrayApp  # deferred: headless commands never import Textual

    app = PapertrayApp(
        library,
        state,
        paper_ids=list(dict.fromkeys(ids)) if ids is not None else None,
        warnings=[*library.warnings, *state.warnings, *warnings],
        scope=", ".join(Path(name).name for name in files),
        link_new=link_new,
        sync_dir=args.data_dir,  # synced in the background with [sync] folder in the config
    )
    app.run()
    return app.return_code or 0

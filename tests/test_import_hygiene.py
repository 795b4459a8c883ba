"""store/ must stay free of Textual: scripts and the headless CLI never pay for the TUI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_python(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout


def test_store_does_not_import_textual() -> None:
    out = run_python(
        "import sys, papertray.store, papertray.store.export, papertray.store.paths\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    assert out.strip() == "[]"


def test_headless_cli_does_not_import_textual() -> None:
    out = run_python(
        "import sys, io, contextlib\n"
        "from papertray.tui import cli\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stderr(out), contextlib.redirect_stdout(out):\n"
        "    cli.run(['tags'])\n"
        "print('textual' in sys.modules)"
    )
    assert out.strip() == "False"


HEAVY = ("numpy", "scipy", "sklearn")


def test_reader_start_and_list_do_not_import_numpy(tmp_path: Path) -> None:
    """numpy, scipy and scikit-learn (tens of MB and a long import) load only when a ranking is
    asked for."""
    out = run_python(
        "import sys, io, asyncio, contextlib\n"
        f"import os; os.environ['PAPERTRAY_DATA_DIR'] = {str(tmp_path)!r}\n"
        "from papertray.tui import cli\n"
        "from papertray.store.paths import sample_digest\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stderr(out), contextlib.redirect_stdout(out):\n"
        "    cli.run(['import', str(sample_digest())])\n"
        "    cli.run(['list', '--sort', 'unread', '-q', 'llm', '--format', 'json'])\n"
        "from papertray.store import Library, State\n"
        "from papertray.tui.app import PapertrayApp\n"
        "async def main():\n"
        "    folder = cli.resolve_data_dir(None)\n"
        "    app = PapertrayApp(Library.open(folder), State.open(folder))\n"
        "    async with app.run_test() as pilot:\n"
        "        await pilot.press('j', 'S', 'enter')\n"
        "        await pilot.pause()\n"
        "asyncio.run(main())\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))"
    )
    assert out.strip().splitlines()[-1] == "[]"


# -- the reader's start loads only what its first frame needs (issue 13) -------------------------

# Loaded when first used, never by the reader's start up to its first frame: the formats and
# their parsers, the import, export and listing, the similarity index, the network side, the
# modal screens, the clipboard and browser, Textual's TextArea (the note editor),
# importlib.metadata (`--version`), and the libraries behind them. (The library, the marks, the
# query language and the mute rules are the first frame's: it is a query of the library.)
NOT_AT_FIRST_FRAME = (
    *(f"papertray.store.formats.{name}" for name in ("common", "_common", "page", "records")),
    *(f"papertray.store.formats.{name}" for name in ("hf_api", "fields", "latex", "feeds")),
    "papertray.store.ingest",
    "papertray.store.imports",
    "papertray.store.export",
    "papertray.store.listing",
    *("papertray.store.similar", "papertray.store.similar_build", "papertray.store.similar_file"),
    *("papertray.store.fetch", "papertray.store.fetch_common", "papertray.store.fetch_hf"),
    *("papertray.store.net", "papertray.store.http_cache", "papertray.store.enrichment"),
    "papertray.store.config",
    *(f"papertray.tui.screens.{name}" for name in ("help", "tags", "note", "confirm", "mute")),
    *("papertray.tui.screens.mutes", "papertray.tui.fetching"),
    # What is new and the sync (issues 24, 25): their screens, the watch, the sync's modules.
    *("papertray.tui.screens.follows", "papertray.tui.screens.updates", "papertray.tui.syncing"),
    *("papertray.store.watch", "papertray.store.runlock", "papertray.tui.notify"),
    *(f"papertray.store.{name}" for name in ("sync", "sync_book", "sync_files", "sync_merge")),
    "papertray.tui.clipboard",
    "textual.widgets._text_area",
    *("importlib.metadata", "email", "csv", "webbrowser"),
    *("feedparser", "bibtexparser", "pylatexenc", "httpx", "rapidfuzz", *HEAVY),
)
# Not even by importing the reader: the library and the marks are opened by the CLI.
NOT_AT_IMPORT = (*NOT_AT_FIRST_FRAME, "papertray.store.library", "papertray.store.state")

_LOADED = (
    "sorted(m for m in sys.modules if any(m == w or m.startswith(w + '.') for w in {wanted!r}))"
)


def test_importing_the_store_loads_none_of_its_modules() -> None:
    """The facade loads each name's module on first use (`store/__init__.py`)."""
    out = run_python(
        "import sys, papertray.store\n"
        "print(sorted(m for m in sys.modules if m.startswith('papertray.')))\n"
        "from papertray.store import Paper\n"
        "print(Paper.__module__, 'papertray.store.models' in sys.modules)"
    )
    assert out.splitlines() == [
        "['papertray.store', 'papertray.store.lazy']",
        "papertray.store.models True",
    ]


def test_the_store_facade_names_agree_with_its_table() -> None:
    """`__all__`, the lazy table, the namespaces and the type checker's imports name the same
    things."""
    import ast

    import papertray.store as store

    source = Path(store.__file__).read_text(encoding="utf-8")
    typed = {
        alias.asname or alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom)
        and (node.module or "").startswith("papertray.store")
        and node.module != "papertray.store.lazy"  # the machinery, not a name of the facade
        for alias in node.names
    }
    assert set(store.__all__) == set(store._WHERE) | set(store._NAMESPACES) == typed
    assert len(store.__all__) == len(set(store.__all__))


# The facade, pinned (issue 22): the nouns, the entry points, the errors a caller tells apart,
# and five namespaces. A name added here is a name every reader of the store must learn: put a
# small function in the namespace of its concern, or on the noun it is about, first.
FACADE = {
    "nouns": (
        "Library State Paper PaperState UNTOUCHED Clock Query MuteSet SimilarityIndex Config "
        "Client Sync"
    ),
    "entry points": (
        "resolve_data_dir FORMATS import_files seed_sample parse_query resolve_ids list_papers "
        "OUTPUT_FORMATS render_bytes render_ranked_bytes load_config run_fetch enrich run_watch "
        "run_lock"
    ),
    "errors": "StoreError IngestError QueryError MuteError SearchError UnknownId ConfigError "
    "AlreadyRunning",
    "namespaces": "rules display following remote types",
}


def test_the_store_facade_is_the_pinned_forty_names() -> None:
    import papertray.store as store

    pinned = [name for names in FACADE.values() for name in names.split()]
    assert len(pinned) <= 40
    assert sorted(store.__all__) == sorted(pinned)


def test_no_facade_name_is_a_module_of_the_store() -> None:
    """Importing `papertray.store.X` sets the package's `X` to that module: a facade name `X`
    would then be hidden by it (the namespaces are their modules on purpose)."""
    import papertray.store as store

    modules = {path.stem for path in Path(store.__file__).parent.glob("*.py")}
    modules |= {path.name for path in Path(store.__file__).parent.iterdir() if path.is_dir()}
    assert sorted(set(store.__all__) & modules) == sorted(store._NAMESPACES)


def test_a_namespace_loads_a_module_when_one_of_its_names_is_used() -> None:
    """`rules.shown_text` loads the sanitizer, not the citation rules beside it."""
    out = run_python(
        "import sys\n"
        "from papertray.store import rules\n"
        "rules.shown_text('x')\n"
        "print(sorted(m for m in sys.modules if m.startswith('papertray.store.')))"
    )
    assert out.strip() == (
        "['papertray.store.lazy', 'papertray.store.rules', 'papertray.store.sanitize']"
    )


def test_each_namespace_names_only_what_its_modules_define() -> None:
    """A namespace is a list of names kept elsewhere (`rules.one_line` is sanitize's): it
    defines nothing itself, and says each name once in `__all__`."""
    import papertray.store as store

    for name in store._NAMESPACES:
        space = getattr(store, name)
        assert space is sys.modules[f"papertray.store.{name}"]
        assert len(space.__all__) == len(set(space.__all__)), name
        homes = {
            getattr(space, member).__module__
            for member in space.__all__
            if hasattr(getattr(space, member), "__module__")
        }
        assert f"papertray.store.{name}" not in homes, name


def test_every_facade_name_is_what_its_module_defines() -> None:
    """In any order of first use: `enrich` first imports `papertray.store.enrichment`, which sets
    the package's `enrich` to the module, not to its function; a namespace is its module."""
    check = (
        "import sys, papertray.store as store\n"
        "wrong = []\n"
        "for name in sorted(store.__all__, reverse={reverse}):\n"
        "    if name in store._NAMESPACES:\n"
        "        if getattr(store, name) is not sys.modules['papertray.store.' + name]:\n"
        "            wrong.append(name)\n"
        "        continue\n"
        "    module, attribute = store._WHERE[name]\n"
        "    if getattr(store, name) is not getattr(sys.modules[module], attribute):\n"
        "        wrong.append(name)\n"
        "print(wrong, callable(store.enrich), store.resolve_data_dir.__name__)"
    )
    for reverse in (False, True):
        assert run_python(check.format(reverse=reverse)).strip() == "[] True data_dir"


def test_importing_the_reader_loads_only_what_it_starts_with() -> None:
    out = run_python(
        "import sys, papertray.tui.cli, papertray.tui.app\n"
        f"print({_LOADED.format(wanted=NOT_AT_IMPORT)})"
    )
    assert out.strip() == "[]"


def test_the_first_frame_is_drawn_before_the_lazy_modules_load(tmp_path: Path) -> None:
    """The reader started as `papertray` starts it: at its first frame (`on_ready`) it shows
    the library's papers, and none of the modules it loads on first use are loaded yet."""
    from papertray.store.paths import sample_digest

    run_python(
        "from papertray.tui import cli\n"
        f"cli.run(['import', {str(sample_digest())!r}, '--data-dir', {str(tmp_path)!r}])"
    )
    out = tmp_path / "first-frame.json"
    run_python(
        "import json, sys\n"
        "from textual.app import App\n"
        "from papertray.tui import cli\n"
        "from papertray.tui.app import PapertrayApp\n"
        "run = App.run\n"
        "App.run = lambda self, **options: run(self, headless=True, **options)\n"
        "def on_ready(self):\n"
        f"    loaded = {_LOADED.format(wanted=NOT_AT_FIRST_FRAME)}\n"
        "    rows = self.main.paper_list.row_count\n"
        f"    open({str(out)!r}, 'w').write(json.dumps([rows, loaded]))\n"
        "    self.exit()\n"
        "PapertrayApp.on_ready = on_ready\n"
        f"cli.run(['--data-dir', {str(tmp_path)!r}])"
    )
    import json

    # The sample's 101 papers, straight from the database.
    assert json.loads(out.read_text()) == [101, []]


SYNC_MODULES = tuple(
    f"papertray.store.{n}" for n in ("sync", "sync_book", "sync_files", "sync_merge")
)


def test_a_reader_that_syncs_nothing_never_loads_the_sync(tmp_path: Path) -> None:
    """The sync worker reads the config file first: with no `[sync] folder` it ends there,
    and the sync's modules (~70 ms of imports on a slow machine, in a thread beside the first
    paint) are never loaded. With a folder, they are."""
    from papertray.store.paths import sample_digest

    run_python(
        "from papertray.tui import cli\n"
        f"cli.run(['import', {str(sample_digest())!r}, '--data-dir', {str(tmp_path)!r}])"
    )
    config = tmp_path / "config.toml"
    out = tmp_path / "loaded.json"
    script = (
        "import asyncio, json, os, sys\n"
        f"os.environ['PAPERTRAY_CONFIG'] = {str(config)!r}\n"
        "from textual.app import App\n"
        "from papertray.tui import cli\n"
        "from papertray.tui.app import PapertrayApp\n"
        "run = App.run\n"
        "App.run = lambda self, **options: run(self, headless=True, **options)\n"
        "ready = PapertrayApp.on_ready\n"
        "def on_ready(self):\n"
        "    ready(self)\n"
        "    async def later():\n"
        "        for worker in [w for w in self.workers if w.group == 'sync']:\n"
        "            for _ in range(100):\n"
        "                if worker.is_finished or 'papertray.store.sync' in sys.modules:\n"
        "                    break\n"
        "                await asyncio.sleep(0.05)\n"
        f"        loaded = {_LOADED.format(wanted=SYNC_MODULES)}\n"
        f"        open({str(out)!r}, 'w').write(json.dumps(loaded))\n"
        "        self.exit()\n"
        "    self.call_later(later)\n"
        "PapertrayApp.on_ready = on_ready\n"
        f"cli.run(['--data-dir', {str(tmp_path)!r}])"
    )
    import json

    config.write_text("[reader]\ncopy_id = 'bare'\n")
    run_python(script)
    assert json.loads(out.read_text()) == []
    (tmp_path / "shared").mkdir()
    config.write_text(f"[sync]\nfolder = {str(tmp_path / 'shared')!r}\n")
    run_python(script)
    assert "papertray.store.sync" in json.loads(out.read_text())


def test_listing_the_library_loads_no_parser(tmp_path: Path) -> None:
    """`papertray list` of the library reads no digest: the formats' parsers, the import and
    the network side stay out (they load with `list FILE`)."""
    from papertray.store.paths import sample_digest

    run_python(
        "from papertray.tui import cli\n"
        f"cli.run(['import', {str(sample_digest())!r}, '--data-dir', {str(tmp_path)!r}])"
    )
    wanted = (
        *(f"papertray.store.formats.{name}" for name in ("page", "records", "_common", "latex")),
        *("papertray.store.ingest", "papertray.store.imports", "papertray.store.fetch", "httpx"),
    )
    out = run_python(
        "import sys\n"
        "from papertray.tui import cli\n"
        f"cli.run(['list', '-q', 'llm', '--format', 'jsonl', '--data-dir', {str(tmp_path)!r}])\n"
        f"print({_LOADED.format(wanted=wanted)})"
    )
    lines = out.strip().splitlines()
    assert len(lines) > 1 and lines[-1] == "[]"  # some papers listed, then no parser loaded

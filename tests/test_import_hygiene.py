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
    """numpy, scipy and scikit-learn (~60 MB, ~1 s) load only when a ranking is asked for."""
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

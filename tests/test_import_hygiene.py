"""store/ must stay free of Textual: scripts and the headless CLI never pay for the TUI."""

from __future__ import annotations

import subprocess
import sys


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

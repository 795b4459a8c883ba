"""The CLI run as a user runs it (a process of its own), and the data folders kept as fixtures.

Not collected by pytest (no `test_` prefix); imported as `helpers.cli`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def papertray(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`papertray --data-dir folder args…`, its output captured."""
    return subprocess.run(
        [sys.executable, "-c", "from papertray.tui.cli import main; main()",
         "--data-dir", str(folder), *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def copied_fixture(name: str, tmp_path: Path) -> Path:
    """A copy of the data folder `tests/fixtures/<name>` to change (the fixture stays as the
    release that made it left it)."""
    folder = tmp_path / "old"
    shutil.copytree(FIXTURES / name, folder)
    return folder


PEAK_KB = """
def peak_kb():
    # This process's own peak RSS in KB (VmHWM). Not ru_maxrss: Linux keeps, across exec, the
    # peak of the process that forked it, so a child of a large pytest worker starts high.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
"""
"""Source for a script run in a process of its own, measuring its memory (Linux only)."""

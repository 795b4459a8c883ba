"""How the `papertray` command ends: `os._exit` once its output is flushed (store/ and tui/ write
everything else before `run` returns), with Python's own exit status when that flush fails."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PRINTS = (
    "import sys\n"
    "from papertray.tui import cli\n"
    "def run(argv):\n"
    "    print('x' * 100)\n"  # left in stdout's buffer: main() flushes it
    "    return int(argv[0])\n"
    "cli.run = run\n"
    "sys.argv = ['papertray', sys.argv[1]]\n"
    "cli.main()\n"
)


# Buffered as a terminal-less run is by default (this machine's shells set PYTHONUNBUFFERED).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}


@pytest.mark.parametrize("status", [0, 3])
def test_the_output_gets_out_and_the_status_is_the_command_s(status: int) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PRINTS, str(status)], capture_output=True, timeout=60, env=ENV
    )
    assert done.returncode == status
    assert done.stdout == b"x" * 100 + b"\n"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_output_that_cannot_be_written_is_a_failure() -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-c", PRINTS, "0"],
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=60,
            env=ENV,
        )
    assert done.returncode == 120


def test_a_reader_gone_is_not_a_failure() -> None:
    reader, writer = os.pipe()
    os.close(reader)  # `papertray list | head` after head has exited
    try:
        done = subprocess.run(
            [sys.executable, "-c", PRINTS, "0"],
            stdout=writer,
            stderr=subprocess.PIPE,
            timeout=60,
            env=ENV,
        )
    finally:
        os.close(writer)
    assert done.returncode == 0 and b"Traceback" not in done.stderr

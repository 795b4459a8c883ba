"""A writer process for the hardening concurrency test (run as a script, not collected).

    python mark_worker.py DATA_DIR PREFIX N GO

waits for the file GO, then does N operations on papers PREFIX:0 .. PREFIX:N-1, cycling through
set_read, toggle_star, add_tags and set_note, so every kind of read-modify-write races the others.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from papertray.store.state import State  # noqa: E402


def main() -> None:
    folder, prefix, n, go = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    state = State.open(folder)
    while not os.path.exists(go):
        time.sleep(0.001)
    for i in range(n):
        pid = f"{prefix}:{i}"
        kind = i % 4
        if kind == 0:
            state.set_read(pid, True)
        elif kind == 1:
            state.toggle_star(pid)
        elif kind == 2:
            state.add_tags(pid, [f"{prefix}-t{i}"])
        else:
            state.set_note(pid, f"{prefix} note {i}")


if __name__ == "__main__":
    main()

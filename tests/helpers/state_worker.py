"""A writer process for the crash and concurrency tests (run as a script, not collected).

    python state_worker.py DATA_DIR counter PID          set PID's note to "1", "2", ... forever;
                                                         prints "ready", then each value once saved
    python state_worker.py DATA_DIR star PREFIX N [GO]   toggle_star PREFIX:0 .. PREFIX:N-1
    python state_worker.py DATA_DIR tags PREFIX N K [GO] add tag PREFIX-i to paper shared:(i % K)

GO is a file to wait for, so several workers start writing at the same moment.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from papertray.store.state import State  # noqa: E402


def wait_for(go: str | None) -> None:
    while go and not os.path.exists(go):
        time.sleep(0.001)


def main() -> None:
    folder, mode = Path(sys.argv[1]), sys.argv[2]
    state = State.open(folder)
    if mode == "counter":
        pid = sys.argv[3]
        value = int(state.get(pid).note or 0)
        print("ready", flush=True)
        while True:
            value += 1
            state.set_note(pid, str(value))
            print(value, flush=True)
    elif mode == "star":
        prefix, n = sys.argv[3], int(sys.argv[4])
        wait_for(sys.argv[5] if len(sys.argv) > 5 else None)
        for i in range(n):
            state.toggle_star(f"{prefix}:{i}")
    elif mode == "tags":
        prefix, n, k = sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
        wait_for(sys.argv[6] if len(sys.argv) > 6 else None)
        for i in range(n):
            state.add_tags(f"shared:{i % k}", [f"{prefix}-{i}"])
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()

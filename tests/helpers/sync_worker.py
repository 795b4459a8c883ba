"""A syncing process for the sync crash and concurrency tests (run as a script, not collected).

python sync_worker.py DATA SHARED counter PID COMPACT
    set PID's note to "1", "2", ... forever, syncing after each; prints "ready", then each
    value once its sync returned (written to this machine's log); COMPACT: compact_after
python sync_worker.py DATA SHARED marks SEED N [GO]
    N random changes (star, read, tags, notes, mute rules) on 40 papers, each followed by a
    sync, as the commands do with [sync] folder set; GO is a file to wait for first
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from papertray.store import MuteError, State, Sync  # noqa: E402


def main() -> None:
    data, shared, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    state = State.open(data)
    if mode == "counter":
        pid, compact = sys.argv[4], int(sys.argv[5])
        sync = Sync(state, shared, name="counter", compact_after=compact)
        value = int(state.get(pid).note or 0)
        sync.run()  # the first run of a process reads everything: the kills land after it
        print("ready", flush=True)
        while True:
            value += 1
            state.set_note(pid, str(value))
            report = sync.run()
            if not report.ok or report.refused:
                print(f"error {report.error} {report.refused}", flush=True)
                return
            print(value, flush=True)
    elif mode == "marks":
        seed, n = int(sys.argv[4]), int(sys.argv[5])
        go = sys.argv[6] if len(sys.argv) > 6 else None
        while go and not os.path.exists(go):
            time.sleep(0.001)
        rng = random.Random(seed)
        sync = Sync(state, shared, name=f"marks{seed}")
        for i in range(n):
            pid = f"arxiv:{rng.randrange(40)}"
            op = rng.randrange(8)
            if op == 0:
                state.toggle_star(pid)
            elif op == 1:
                state.set_read(pid, rng.random() < 0.5)
            elif op == 2:
                state.add_tags(pid, [rng.choice(["llm", "rl", "cv", "todo"])])
            elif op == 3:
                state.remove_tags(pid, [rng.choice(["llm", "rl", "cv", "todo"])])
            elif op == 4:
                state.set_note(pid, f"note {seed}.{i}" if rng.random() < 0.8 else "")
            elif op == 5:
                try:
                    state.add_mute(rng.choice(["survey", "benchmark", "dataset"]))
                except MuteError:
                    pass
            elif op == 6:
                rules = state.mute_rules()
                if rules:
                    state.remove_mute(rng.choice(rules).number)
            else:
                state.set_read_many([f"arxiv:{rng.randrange(40)}" for _ in range(3)], True)
            report = sync.run()
            if not report.ok or report.refused:
                raise SystemExit(f"sync failed: {report.error} {report.refused}")
        print("done", flush=True)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()

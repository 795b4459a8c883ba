"""The reader starts where POSIX-only modules do not exist (issue 22, point 9): every module of
`tui/` imports, and a Pilot session reads, filters, marks, sorts and quits, in a Python whose
`termios`, `fcntl`, `resource`, `pty` and `tty` cannot be imported, without `os.fork`,
`select.poll`, SIGHUP or `setitimer` (as on Windows). What the hang-up handling cannot do there
it says in one line."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SESSION = textwrap.dedent(
    """
    import sys

    BLOCKED = {"termios", "fcntl", "resource", "pty", "tty"}


    class Blocker:
        # The first finder asked: a blocked module is not found anywhere.
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"{name} does not exist on this system (blocked by the test)")
            return None


    for name in list(sys.modules):
        if name.split(".")[0] in BLOCKED:
            del sys.modules[name]
    sys.meta_path.insert(0, Blocker())
    import os, select, signal

    for module, names in ((os, ("fork", "forkpty")), (select, ("poll",)),
                          (signal, ("SIGHUP", "SIGALRM", "setitimer", "getitimer"))):
        for attr in names:
            if hasattr(module, attr):
                delattr(module, attr)

    import asyncio
    import importlib
    import pkgutil
    import tempfile
    from pathlib import Path

    import papertray.tui

    modules = [m.name for m in pkgutil.walk_packages(papertray.tui.__path__, "papertray.tui.")]
    for name in modules:
        importlib.import_module(name)
    assert not BLOCKED & {m.split(".")[0] for m in sys.modules}, "a POSIX-only module loaded"

    # Textual picks its driver by platform (its Windows driver on Windows); here, on Linux
    # with termios blocked, its Linux driver cannot load, and a Pilot session is headless.
    from textual.app import App
    from textual.drivers.headless_driver import HeadlessDriver
    from textual.worker import WorkerCancelled

    App.get_driver_class = lambda self: HeadlessDriver

    from papertray.store import Library, State
    from papertray.store.ingest import ingest_file
    from papertray.store.paths import sample_digest
    from papertray.tui import signals
    from papertray.tui.app import PapertrayApp

    folder = Path(tempfile.mkdtemp())
    papers = ingest_file(sample_digest()).papers
    Library.open(folder).add(papers)


    async def settle(pilot, app):
        for _ in range(20):
            await pilot.pause()
            if not any(w.is_running for w in app.workers):
                return
            try:
                await app.workers.wait_for_complete()
            except WorkerCancelled:  # an exclusive worker replaced it: waited for again
                pass


    async def session():
        app = PapertrayApp(Library.open(folder), State.open(folder))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app)
            assert app.main.paper_list.row_count == len(papers)
            await pilot.press("j", "s", "r", "slash", *"memory", "enter")
            await settle(pilot, app)
            shown = app.main.paper_list.row_count
            assert 0 < shown < len(papers), shown
            await pilot.press("escape", "S", "S", "question_mark", "escape", "u")
            await settle(pilot, app)

            class Terminal:  # a reader on a real terminal (not headless), as on Windows
                is_headless = False

            notes = signals.install_exit_signals(Terminal())
            assert len(notes) == 1 and "not noticed on this system" in notes[0], notes
            signals._Terminal().restore()  # no termios, no fcntl: nothing to do, no error
            assert signals._pending_input() is False
            await pilot.press("q")
        state = State.open(folder).get(papers[1].id)
        assert state.starred and not state.read  # r was undone, s stays
        print("reader ran", len(modules), "modules")


    asyncio.run(session())
    """
)


def test_the_reader_runs_without_posix_only_modules(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SESSION],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
             "PAPERTRAY_DATA_DIR": str(tmp_path / "unused")},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("reader ran "), done.stdout


def test_the_blocker_blocks(tmp_path: Path) -> None:
    """The check above can fail: with the blocker in place, `import termios` is an error."""
    head = SESSION.split("import os, select, signal")[0]
    code = head + "\ntry:\n    import termios\nexcept ImportError:\n    print('blocked')\n"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.stdout.strip() == "blocked", done.stderr

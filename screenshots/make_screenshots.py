#!/usr/bin/env python3
"""Make the README's screenshots: drive the real app with Pilot on the bundled sample digest.

    python screenshots/make_screenshots.py      # rewrites screenshots/*.svg

Runs in a throw-away data folder, so it never touches your library.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from papertray.store import Library, State, ingest_file, sample_digest  # noqa: E402
from papertray.tui.app import PapertrayApp  # noqa: E402


def fresh_app(folder: Path) -> PapertrayApp:
    library = Library.open(folder)
    state = State.open(folder)
    report = library.add(ingest_file(sample_digest()).papers)
    ids = report.ids
    # A morning's triage, so the list shows every kind of mark.
    for pid in ids[:4]:
        state.set_read(pid, True)
    state.toggle_star(ids[2])
    state.toggle_star(ids[6])
    state.set_tags(ids[2], ["memory", "training"])
    state.set_tags(ids[6], ["quantization"])
    state.set_note(ids[2], "Try the head-wise quantization on our ViT runs.")
    return PapertrayApp(library, state, paper_ids=ids)


async def shoot(
    name: str, size: tuple[int, int], steps: list[str] | None = None, typed: str = ""
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = fresh_app(Path(tmp))
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for key in steps or []:
                await pilot.press(key)
                await pilot.pause()
            if typed:
                await pilot.press("slash", *typed)
                await pilot.pause()
            app.clear_notifications()
            await pilot.pause()
            app.save_screenshot(f"{name}.svg", str(HERE))
            print(f"wrote screenshots/{name}.svg")


async def main() -> None:
    await shoot("main", (130, 36), steps=["j", "j"])
    await shoot("filter", (130, 36), typed="memory efficient")
    await shoot("tags", (130, 36), steps=["j", "j", "t"])
    await shoot("help", (130, 40), steps=["question_mark"])
    await shoot("narrow", (80, 40), steps=["j", "j"])


if __name__ == "__main__":
    asyncio.run(main())

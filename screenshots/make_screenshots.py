#!/usr/bin/env python3
"""Make the README's screenshots: drive the real app with Pilot on the bundled sample digest
(and the Hugging Face daily papers of tests/fixtures, which give two of its papers their authors,
arXiv ids, dates and upvotes, as `papertray fetch` would).

    python screenshots/make_screenshots.py      # rewrites screenshots/*.svg

Runs in a throw-away data folder, so it never touches your library.

Textual's SVG export leans on the Fira Code web font: one <text> per styled run, spaces as
no-break spaces, each run stretched to its cells with `textLength`. A renderer without that font
(rsvg-convert, GitHub's image proxy, most browsers offline) draws another font whose glyphs are
wider or narrower than the cells: markers shift onto the titles, a wide fallback glyph (⎇) overlaps
its neighbour, spaces at the edge of a run get lost (`97unread`, `^ppalette`) and a box's border
shows twice. `portable_svg` rewrites every run so nothing depends on the font: a font list of
common monospace fonts, no whitespace drawn at all (the cell background is a separate rectangle),
and every word or non-ASCII glyph placed at its own cell and squeezed into exactly its cells.
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from rich.cells import cell_len

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from papertray.store import Library, State  # noqa: E402
from papertray.store.ingest import ingest_file  # noqa: E402
from papertray.store.models import title_key  # noqa: E402
from papertray.store.paths import sample_digest  # noqa: E402
from papertray.store.updates import Answer  # noqa: E402
from papertray.tui.app import PapertrayApp  # noqa: E402

FONTS = (
    '"Fira Code", "DejaVu Sans Mono", "Cascadia Mono", Menlo, Consolas, "Liberation Mono", '
    "monospace"
)
_FONT_FACE = re.compile(r"\s*@font-face\s*\{[^}]*\}")
_MATRIX_FONT = re.compile(r"font-family: Fira Code, monospace;")
_RUN = re.compile(
    r'<text class="(?P<cls>[^"]+)" x="(?P<x>[\d.]+)" y="(?P<y>[\d.]+)" '
    r'textLength="(?P<length>[\d.]+)" clip-path="(?P<clip>[^"]+)">(?P<text>[^<]*)</text>'
)
_BLANK = frozenset(" \u00a0")
# Rich's layout: text baselines sit CHAR_HEIGHT below a line's top, lines are LINE_HEIGHT apart.
CHAR_HEIGHT, LINE_HEIGHT, LINE_TOP = 20.0, 24.4, 1.5
# Block elements (U+2580-U+2595: Textual's borders, scrollbars and half-cells) as the part of the
# cell each fills, (left, top, right, bottom): drawn as rectangles they fill their cells exactly,
# where a font's glyph is shorter than the line and leaves a seam on every row.
_EIGHTHS = {chr(0x2581 + i): (0, 1 - (i + 1) / 8, 1, 1) for i in range(8)}  # ▁▂▃▄▅▆▇█
_LEFT = {chr(0x2589 + i): (0, 0, (7 - i) / 8, 1) for i in range(7)}  # ▉▊▋▌▍▎▏
BLOCKS: dict[str, tuple[float, float, float, float]] = {
    **_EIGHTHS,
    **_LEFT,
    "▀": (0, 0, 1, 0.5),
    "▐": (0.5, 0, 1, 1),
    "▔": (0, 0, 1, 1 / 8),
    "▕": (7 / 8, 0, 1, 1),
}


def portable_svg(svg: str) -> str:
    """`svg` (Textual's export) drawn the same with whatever monospace font the renderer has."""
    svg = _FONT_FACE.sub("", svg)
    svg = _MATRIX_FONT.sub(f"font-family: {FONTS};", svg)
    return _RUN.sub(_split_run, svg)


def _split_run(match: re.Match[str]) -> str:
    text = html.unescape(match["text"])
    cells = cell_len(text)
    if not cells:
        return ""
    cell = float(match["length"]) / cells
    x0 = float(match["x"])
    out = []
    for offset, token in _tokens(text):
        if token in BLOCKS:
            left, top, right, bottom = BLOCKS[token]
            y = float(match["y"]) - CHAR_HEIGHT + LINE_TOP
            # 0.3 px more below, as Rich's own background rectangles, so rows join without a seam.
            out.append(
                f'<rect class="{match["cls"]}" x="{x0 + (offset + left) * cell:.2f}" '
                f'y="{y + top * LINE_HEIGHT:.2f}" width="{(right - left) * cell:.2f}" '
                f'height="{(bottom - top) * LINE_HEIGHT + 0.3:.2f}" shape-rendering="crispEdges"/>'
            )
            continue
        out.append(
            f'<text class="{match["cls"]}" x="{x0 + offset * cell:.2f}" y="{match["y"]}" '
            f'textLength="{cell_len(token) * cell:.2f}" lengthAdjust="spacingAndGlyphs" '
            f'clip-path="{match["clip"]}">{escape(token, {chr(34): "&quot;"})}</text>'
        )
    return "".join(out)


def _tokens(text: str) -> list[tuple[int, str]]:
    """(cell offset, token): runs of ASCII non-blank characters, and each other glyph alone, so
    a fallback glyph of another width is squeezed into its own cells and moves nothing else."""
    tokens: list[tuple[int, str]] = []
    word, start, offset = "", 0, 0
    for char in text:
        if char in _BLANK or not char.isascii():
            if word:
                tokens.append((start, word))
                word = ""
            if char not in _BLANK:
                tokens.append((offset, char))
        else:
            if not word:
                start = offset
            word += char
        offset += cell_len(char)
    if word:
        tokens.append((start, word))
    return tokens


HF_DAY = HERE.parent / "tests" / "fixtures" / "hf_daily_papers.json"
DAY = 86_400.0
WATCHED_AT = 1_796_558_400.0  # 2026-12-06, noon UTC: when the watch found the changes


def fresh_app(folder: Path, updates: bool = False) -> PapertrayApp:
    """The sample digest after a morning's triage; `updates`: and what a watch found of the
    starred and read-later papers (the Updates list)."""
    library = Library.open(folder)
    state = State.open(folder)
    papers = ingest_file(sample_digest()).papers
    if updates:  # the watched ones as arXiv papers, each at its first version
        papers = [
            p._replace(arxiv_id=f"2612.{n + 101:05d}", arxiv_version=1) if n in (1, 2, 6, 8) else p
            for n, p in enumerate(papers)
        ]
    report = library.add(papers)
    ids = report.ids
    titles = {title_key(p.title) for p in ingest_file(sample_digest()).papers}
    daily = [p for p in ingest_file(HF_DAY).papers if title_key(p.title) in titles]
    library.add(daily)  # two of the same papers, as the daily page has them
    # A morning's triage, so the list shows every kind of mark.
    for pid in ids[:4]:
        state.set_read(pid, True)
    state.toggle_star(ids[2])
    state.toggle_star(ids[6])
    state.set_tags(ids[2], ["memory", "training"])
    state.set_tags(ids[6], ["quantization"])
    state.set_note(ids[2], "Try the head-wise quantization on our ViT runs.")
    state.set_tags(ids[0], ["generative"])
    state.set_later(ids[0], True)
    state.set_later(ids[9], True)
    state.save_search("code to try", "has:repo is:unread", 1)
    state.save_search("quantization", "quantization -tag:quantization", 2)
    if updates:
        _watched(library, state, ids)
    return PapertrayApp(library, state, paper_ids=ids)


def _watched(library: Library, state: State, ids: list[str]) -> None:
    """Two watches: yesterday's (seen already) and this morning's."""
    state.set_later(ids[1], True)
    state.set_later(ids[8], True)
    now = {p.id: p for p in library.papers()}
    old, lightgen, ldp, jacol = now[ids[2]], now[ids[6]], now[ids[1]], now[ids[8]]
    (seen,) = library.apply_watch(
        [Answer(old.id, "arxiv", old._replace(arxiv_version=2))], at=WATCHED_AT - DAY
    )
    library.mark_updates_seen([seen.id])
    library.apply_watch(
        [
            Answer(ldp.id, "arxiv", ldp._replace(arxiv_version=3)),
            Answer(ldp.id, "hf", ldp._replace(repo="https://github.com/example/ld-pruner")),
            Answer(jacol.id, "hf", jacol._replace(repo="https://github.com/example/jacolbert")),
            Answer(lightgen.id, "arxiv", lightgen._replace(arxiv_version=2)),
        ],
        at=WATCHED_AT,
    )


async def shoot(
    name: str,
    size: tuple[int, int],
    steps: list[str] | None = None,
    typed: str = "",
    updates: bool = False,
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = fresh_app(Path(tmp), updates)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for key in steps or []:
                await pilot.press(key)
                await pilot.pause()
            if typed:
                await pilot.press("slash", *typed)
                await pilot.pause()
            while any(w.is_running for w in app.workers):  # the search, a write: done
                await app.workers.wait_for_complete()
                await pilot.pause()
            await pilot.pause(0.3)  # the palette counts the saved searches in a thread
            app.clear_notifications()
            await pilot.pause()
            svg = portable_svg(app.export_screenshot(title="papertray"))
            (HERE / f"{name}.svg").write_text(svg, encoding="utf-8")
            print(f"wrote screenshots/{name}.svg")


async def main() -> None:
    await shoot("main", (130, 36), steps=["j", "j"])
    await shoot("filter", (130, 36), typed="memory efficient")
    # A prefix typed, so the completion from the tags in use shows (→ would accept it).
    await shoot("tags", (130, 36), steps=["j", "j", "t", "q", "u"])
    await shoot("help", (130, 40), steps=["question_mark"])
    await shoot("narrow", (80, 40), steps=["j", "j"])
    # The Updates list (U) over the list: a new version, code that appeared, one seen before.
    await shoot("updates", (130, 30), steps=["U"], updates=True)
    # The pane of a paper the daily page knew (authors, arXiv id and dates, upvotes, the code's
    # host, both digests), then the same paper read full screen (enter).
    await shoot("pane", (130, 36))
    await shoot("fullscreen", (130, 36), steps=["enter"])
    # A saved search on key 1, then the palette listing the saved ones with their unread papers.
    await shoot("search", (130, 36), steps=["1", "ctrl+p", *"search"])


if __name__ == "__main__":
    asyncio.run(main())

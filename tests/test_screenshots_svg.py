"""Issue 8, item 7: the README's screenshots draw right without the Fira Code web font.

`portable_svg` rewrites Textual's SVG export so that no glyph's width and no whitespace handling
can move anything: every word sits at its own cell. Rebuilt from the SVG's positions alone, the
screen must read exactly as the app drew it."""

from __future__ import annotations

import html
import importlib.util
import re
from pathlib import Path

from papertray.store import Library, Paper, State
from papertray.tui.app import PapertrayApp

SCRIPT = Path(__file__).resolve().parents[1] / "screenshots" / "make_screenshots.py"
CELL_WIDTH, LINE_HEIGHT, BASELINE = 12.2, 24.4, 20.0  # Rich's export at its 20 px font
_TEXT = re.compile(
    r'<text class="[^"]*-r\d+" x="([\d.]+)" y="([\d.]+)" textLength="([\d.]+)" '
    r'lengthAdjust="spacingAndGlyphs"[^>]*>([^<]*)</text>'
)


def load_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_screenshots", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rebuild(svg: str, width: int, height: int) -> list[str]:
    """The screen's text, placed only by the x/y of each <text> in the SVG."""
    grid = [[" "] * width for _ in range(height)]
    for x, y, length, text in _TEXT.findall(svg):
        token = html.unescape(text)
        assert token.strip() == token and "\u00a0" not in token, token
        col = float(x) / CELL_WIDTH
        row = (float(y) - BASELINE) / LINE_HEIGHT
        assert abs(col - round(col)) < 0.01 and abs(row - round(row)) < 0.01
        assert abs(float(length) - len(token) * CELL_WIDTH) < 0.02
        for i, char in enumerate(token):
            grid[round(row)][round(col) + i] = char
    return ["".join(line).rstrip() for line in grid]


async def test_the_svg_places_every_word_in_its_cell_without_the_web_font(screen_text) -> None:
    script = load_script()
    library = Library.in_memory()
    library.add(
        [
            Paper(id="t:1", title="Mesa: A Memory-saving Framework", repo="https://github.com/a/b"),
            Paper(id="t:2", title="Plain paper", abstract="Words  with   gaps."),
        ]
    )
    app = PapertrayApp(library, State.in_memory())
    size = (100, 20)
    async with app.run_test(size=size) as pilot:
        await pilot.press("question_mark")  # a modal with a tall border over the list
        await pilot.pause()
        svg = script.portable_svg(app.export_screenshot(title="papertray"))
        expected = screen_text(app).splitlines()
    assert "@font-face" not in svg and "cdnjs" not in svg
    assert '"DejaVu Sans Mono"' in svg and "monospace" in svg
    blocks = set(script.BLOCKS)
    want = ["".join(" " if c in blocks else c for c in line).rstrip() for line in expected]
    assert rebuild(svg, *size) == want
    # The help's border is drawn with rectangles, not with a font's block glyphs.
    assert 'shape-rendering="crispEdges"/>' in svg
    assert not any(block in svg for block in blocks)

"""The README's key and query tables say what the code does: each is checked row by row against
the one table the app's bindings, help screen and palette come from."""

from __future__ import annotations

import io
import re
from pathlib import Path

from textual.app import App

from papertray.store import parse_query
from papertray.tui.app import PapertrayApp
from papertray.tui.keys import KEYS, markdown_table, palette_actions
from papertray.tui.query_help import FILTER_HINT, QUERY_ROWS
from papertray.tui.screens.help import help_renderables
from papertray.tui.screens.main import MainScreen
from papertray.tui.screens.papers import PapersScreen

ROOT = Path(__file__).resolve().parents[1]


def readme_table(header: str) -> list[tuple[tuple[str, ...], str]]:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index(header) + 2
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        first, what = (cell.strip() for cell in line.strip("|").split(" | ", 1))
        rows.append((tuple(re.findall(r"`([^`]+)`", first)), what))
    return rows


def test_readme_key_table_is_the_key_table() -> None:
    assert readme_table("| key | what it does |") == [(k.keys, k.what) for k in KEYS]


def test_readme_key_table_is_written_from_keys_py() -> None:
    """`python -m papertray.tui.keys` prints the table the README holds, byte for byte."""
    assert markdown_table() in (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_query_table_is_the_query_table() -> None:
    assert readme_table("| query | matches |") == list(QUERY_ROWS)


def test_every_query_example_parses() -> None:
    for examples, _ in QUERY_ROWS:
        for example in examples:
            parse_query(example.replace("NAME", "x").replace("WORD", "x").replace("TEXT", "x"))
    parse_query(FILTER_HINT.removeprefix("filter: "))


OWNERS = {"app": PapertrayApp, "main": MainScreen, "papers": PapersScreen}


def test_every_bound_key_is_in_the_table_and_every_action_exists() -> None:
    described = {key for k in KEYS for key in k.keys}
    for owner in OWNERS.values():
        for binding in owner.BINDINGS:
            action = binding.action.split("(")[0]  # type: ignore[union-attr]
            assert hasattr(owner, f"action_{action}"), (owner, binding)
            keys = binding.key.split(",")  # type: ignore[union-attr]
            names = {"slash": "/", "question_mark": "?", "plus": "+", "at": "@"}
            names |= {"left_square_bracket": "[", "right_square_bracket": "]"}
            assert any(names.get(k, k) in described or k.isdigit() for k in keys), binding
    for name, action, _keys, owner in palette_actions():
        assert hasattr(OWNERS[owner], f"action_{action.split('(')[0]}"), name
    assert {k.owner for k in KEYS} == set(OWNERS)
    # ctrl+q and ctrl+p are Textual's own: still bound as the table says.
    assert "ctrl+q" in {b.key for b in App.BINDINGS}  # type: ignore[union-attr]
    assert App.COMMAND_PALETTE_BINDING == "ctrl+p"


def test_help_shows_every_row_of_both_tables() -> None:
    from rich.console import Console

    console = Console(width=200, record=True, file=io.StringIO())
    for part in help_renderables():
        console.print(part)
    text = console.export_text()
    for key in KEYS:
        assert key.what in text
    for _, what in QUERY_ROWS:
        assert what.replace("`", "") in text


def test_the_filter_notes_examples_are_true_on_the_bundled_sample() -> None:
    """The query section's examples of a word being typed (`memor` shows what `memor*` finds,
    `memory ef` shows `memory`, `m` all papers): each, as typed, finds nothing on the sample
    (the fallback applies only then), and the list shows what the README says."""
    from papertray.store import Library
    from papertray.store.ingest import ingest_file
    from papertray.store.paths import sample_digest
    from papertray.tui.live_query import LiveQuery

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    note = readme[readme.index("While you type in the reader's filter") :].split("\n\n", 1)[0]
    note = " ".join(note.split())  # its lines are wrapped anywhere
    examples = re.findall(r"`([^`]+)` shows (?:what )?`([^`]+)`", note)
    examples += [(typed, "") for typed in re.findall(r"`([^`]+)` all papers", note)]
    assert len(examples) >= 3, examples
    library = Library.in_memory()
    library.add(ingest_file(sample_digest()).papers)

    def found(live: LiveQuery) -> int:
        *_, result = live.search({}, None).run(library)
        return len(result.rowids)

    for typed, shows in examples:
        live = LiveQuery()
        live.type(typed)
        assert found(live) == 0, f"{typed!r} finds papers as typed: the list shows those"
        assert live.ask_word_start() and live.fallback == shows, typed
        assert found(live) == found(LiveQuery(text=shows, query=parse_query(shows))) > 0, typed

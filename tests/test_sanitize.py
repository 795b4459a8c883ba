"""clean_text / clean_tag: untrusted text loses its controls, keeps everything else; one_line /
quoted: a message shows them as escapes."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papertray.store.sanitize import FORBIDDEN, clean_text, one_line, quoted
from papertray.store.tags import clean_tag

CONTROLS = (
    [chr(c) for c in range(0x00, 0x20) if chr(c) not in "\t\n"]
    + ["\x7f"]
    + [chr(c) for c in range(0x80, 0xA0)]
    + ["\u061c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"]
    + ["\u2066", "\u2067", "\u2068", "\u2069", "\ufeff"]
)
# Unicode's Bidi_Control property (PropList.txt): the marks, embeddings, overrides and isolates.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@pytest.mark.parametrize("char", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_every_forbidden_control_is_removed(char: str) -> None:
    for multiline in (False, True):
        out = clean_text(f"ab{char}cd{char}", multiline=multiline)
        assert char not in out
        assert out in ("abcd", "ab cd")


def test_terminal_escape_sequences_lose_their_escape() -> None:
    title = "Evil\x1b]52;c;SGVsbG8=\x07 paper \x1b[2J\x1bc\u009b31m end\x1b"
    out = clean_text(title)
    assert "\x1b" not in out and "\x07" not in out and "\u009b" not in out
    assert out == "Evil]52;c;SGVsbG8= paper [2Jc31m end"


def test_bidi_override_is_removed_but_text_kept() -> None:
    assert clean_text("safe\u202etxt.exe\u202c") == "safetxt.exe"


def test_every_bidi_control_is_forbidden_and_escaped() -> None:
    """The whole Bidi_Control set, the Arabic letter mark too: each reorders what a reader
    sees. The explicit formatting classes are checked against Python's own Unicode data."""
    explicit = {"LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"}
    found = {c for c in map(chr, range(0x110000)) if unicodedata.bidirectional(c) in explicit}
    assert found < set(BIDI_CONTROLS) <= FORBIDDEN
    assert clean_text("\u0627\u061c1\u200f2") == "\u062712"
    assert one_line("a\u061cb") == "a\\u061cb"


def test_emoji_cjk_and_accents_are_kept() -> None:
    text = "Flow 🚀 matching 流匹配 für Modelle — ok 👩‍🔬"
    assert clean_text(text) == text


def test_single_line_collapses_all_whitespace() -> None:
    assert clean_text("  a\t\tb \n\n c\r\nd\u00a0e\u3000f  ") == "a b c d e f"


def test_separator_controls_become_spaces_not_glue() -> None:
    assert clean_text("one\x0btwo\x0cthree\x1cfour\x85five") == "one two three four five"


def test_multiline_keeps_paragraphs_only() -> None:
    text = "First  line\nsame paragraph.\n \t\n\n\nSecond\tparagraph.\r\n\r\nThird.\n"
    assert clean_text(text, multiline=True) == (
        "First line same paragraph.\n\nSecond paragraph.\n\nThird."
    )


def test_lone_surrogate_becomes_replacement_char() -> None:
    assert clean_text("a\ud800b") == "a\ufffdb"


def test_empty_and_blank() -> None:
    assert clean_text("") == ""
    assert clean_text(" \n\t ", multiline=True) == ""


@pytest.mark.timeout(60)  # only catches a hang: quadratic behaviour would take hours
def test_ten_megabytes_is_linear() -> None:
    big = ("word \x1b\u202e " * 1_000_000)[:10_000_000]
    out = clean_text(big, multiline=True)
    assert "\x1b" not in out and out.startswith("word word")


@settings(max_examples=200, deadline=None)
@given(st.text(), st.booleans())
def test_property_output_has_no_forbidden_character(text: str, multiline: bool) -> None:
    out = clean_text(text, multiline=multiline)
    assert not (set(out) & FORBIDDEN)
    assert out == out.strip()
    assert clean_text(out, multiline=multiline) == out  # idempotent


@pytest.mark.parametrize(
    ("raw", "tag"),
    [
        ("ToRead", "toread"),
        ("  deep   learning ", "deep-learning"),
        ("+important", "important"),
        ("-x", "x"),
        ("#nlp", "nlp"),
        ("evil\x1b[31m", "evil[31m"),
        ("\u202e\x00", ""),
        ("a" * 100, "a" * 40),
        ("综述", "综述"),
    ],
)
def test_clean_tag(raw: str, tag: str) -> None:
    assert clean_tag(raw) == tag


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_property_tags_are_short_and_clean(text: str) -> None:
    tag = clean_tag(text)
    assert len(tag) <= 40
    assert not any(c.isspace() for c in tag)
    assert not (set(tag) & FORBIDDEN)
    assert tag == tag.lower()


@pytest.mark.parametrize(
    "char", [*CONTROLS, "\n", "\t", "\r", "\ud800"], ids=lambda c: f"U+{ord(c):04X}"
)
def test_a_message_shows_every_control_as_its_escape(char: str) -> None:
    line = one_line(f"file{char}name")
    assert char not in line and line.isprintable()
    assert line.startswith("file\\") and line.endswith("name")


def test_one_line_examples() -> None:
    assert one_line("plain ünïcode 综述 text") == "plain ünïcode 综述 text"
    assert one_line("a\x1b]0;pwned\x07b\nc\u202e") == "a\\x1b]0;pwned\\x07b\\nc\\u202e"
    assert one_line(3) == "3"
    assert quoted("x" * 300, 10) == "x" * 9 + "\u2026"
    assert quoted("\x1b" * 300, 10).isprintable()


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_property_a_message_is_one_line_without_controls(text: str) -> None:
    line = one_line(text)
    assert not (set(line) & (FORBIDDEN | {"\n", "\t"}))
    assert not any("\ud800" <= c <= "\udfff" for c in line)
    assert one_line(line) == line  # quoting twice changes nothing

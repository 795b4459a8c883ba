"""Untrusted text in every field a digest gives, and in the name of its file, never reaches the
terminal from the CLI's output: not when imported now, nor when a library stored by an earlier
version (or edited by hand) holds it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from papertray.store import Library, Paper
from papertray.store.sanitize import FORBIDDEN
from papertray.tui.cli import run

FORMATS = ("table", "json", "jsonl", "md", "csv", "bibtex", "ris")
OSC52 = "\x1b]52;c;aGk=\x07"
# Every kind of control a field may bring: an OSC 52 clipboard write, a C1 CSI, the bidi
# override, embedding, isolate and Arabic letter mark, a zero-width no-break space.
DIRT = OSC52 + "\u009b31m\u202e\u202a\u2066\u061c\ufeff"
# Keywords are split at ";" and ",": theirs has neither.
KEYWORD_DIRT = "\x1b[2J\x07\u009b31m\u202e\u202a\u2066\u061c\ufeff"
# CSV ends its lines with CRLF; every other forbidden character is a leak.
LEAKS = FORBIDDEN - {"\r"}


def listed(capsysbinary: pytest.CaptureFixture[bytes], fmt: str) -> str:
    assert run(["list", "--format", fmt]) == 0
    out = capsysbinary.readouterr().out.decode("utf-8")
    leaked = sorted({f"U+{ord(c):04X}" for c in out if c in LEAKS})
    assert leaked == [], (fmt, leaked)
    return out


def imported(tmp_path: Path, name: str, body: str, capsysbinary) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    assert run(["import", str(path)]) == 0
    capsysbinary.readouterr()


def xml(text: str) -> str:
    """C0 controls as character references (XML holds no other way); the rest raw."""
    return "".join(f"&#x{ord(c):x};" if c < " " else c for c in text)


def test_feed_categories_are_stored_clean_and_never_printed_raw(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    # A feed's C1 character is read as the Windows-1252 one it stands for: not one here.
    raw = DIRT.replace("\u009b", "")
    dirt = xml(raw)
    rss = (
        '<rss version="2.0"><channel><title>cs.CL updates on arXiv.org</title><item>'
        "<title>RSS cat paper</title><link>https://arxiv.org/abs/2604.21935</link>"
        f"<category>cs.CL{dirt}</category>"
        "<description>arXiv:2604.21935v1 Announce Type: new Abstract: x</description>"
        "</item></channel></rss>"
    )
    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">'
        "<entry><id>http://arxiv.org/abs/2606.13677v1</id><title>Atom cat paper</title>"
        f'<summary>s</summary><category term="cs.LG{raw}"/></entry></feed>'
    )
    imported(tmp_path, "cat.rss", rss, capsysbinary)
    imported(tmp_path, "cat.atom", atom, capsysbinary)
    records = {r["title"]: r for r in json.loads(listed(capsysbinary, "json"))}
    assert records["RSS cat paper"]["categories"] == ["cs.CL]52;c;aGk=31m"]
    assert records["Atom cat paper"]["categories"] == ["cs.LG]52;c;aGk=31m"]
    assert "primaryClass = {cs.CL]52;c;aGk=31m}" in listed(capsysbinary, "bibtex")
    assert "N1  - arXiv:2604.21935 [cs.CL]52;c;aGk=31m]" in listed(capsysbinary, "ris")


@pytest.mark.parametrize(
    ("name", "body"),
    [
        (
            "k.csv",
            "Title,Author,Abstract Note,Manual Tags\n"
            f'"Csv paper","A. One","x","one{KEYWORD_DIRT}; two"\n',
        ),
        ("k.ris", f"TY  - JOUR\nTI  - Ris paper\nKW  - one{KEYWORD_DIRT}\nKW  - two\nER  - \n"),
        ("k.bib", f"@article{{k, title = {{Bib paper}}, keywords = {{one{KEYWORD_DIRT}, two}}}}\n"),
    ],
)
def test_keywords_of_every_format_are_stored_clean(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes], name: str, body: str
) -> None:
    imported(tmp_path, name, body, capsysbinary)
    (record,) = json.loads(listed(capsysbinary, "json"))
    assert record["keywords"] == ["one[2J31m", "two"]
    for fmt in FORMATS:
        listed(capsysbinary, fmt)


def test_text_stored_by_an_earlier_version_is_cleaned_in_every_output(
    data_dir: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    """Fields written into the database past every check of the way in (an earlier version
    kept categories, keywords and remarks as given): each output format cleans them."""
    library = Library.open(data_dir)
    library.add([Paper("t:old", "placeholder", "placeholder")])
    library.close()
    with sqlite3.connect(data_dir / "library.db") as db:
        db.execute(
            "UPDATE papers SET title = ?, abstract = ?, authors = ?, published = ?, "
            "source = ?, arxiv_id = ?, keywords = ?, categories = ?, remarks = ?, links = ?, "
            "repo = ?",
            (
                f"Old title{DIRT}",
                f"Old abstract{DIRT}\n\nsecond",
                f"Mallory{DIRT}",
                f"2024-01-02{DIRT}",
                f"src{DIRT}",
                f"2401.01234{DIRT}",
                f"kw{DIRT}",
                f"cs.CL{DIRT}",
                f"remark{DIRT}",
                f"https://github.com/a/b{DIRT}",
                f"https://github.com/a/b{DIRT}",
            ),
        )
        db.execute("UPDATE paper_sources SET source = ?", (f"src{DIRT}",))
    outputs = {fmt: listed(capsysbinary, fmt) for fmt in FORMATS}
    (record,) = json.loads(outputs["json"])
    assert record["categories"] == ["cs.CL]52;c;aGk=31m"]
    assert record["keywords"] == ["kw]52;c;aGk=31m"]
    assert record["remarks"] == "remark]52;c;aGk=31m"
    assert record["abstract"] == "Old abstract]52;c;aGk=31m\n\nsecond"
    assert "Old title]52;c;aGk=31m" in outputs["table"]


EVIL_NAME = f"ev{OSC52}il.json"
SHOWN_NAME = "ev\\x1b]52;c;aGk=\\x07il.json"
PAPER = b'[{"title": "A named paper", "abstract": "x"}]'


def test_a_file_name_is_shown_escaped_as_the_import_says_it(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    path = tmp_path / EVIL_NAME
    path.write_bytes(PAPER)
    assert run(["import", str(path)]) == 0
    assert SHOWN_NAME in capsysbinary.readouterr().err.decode()
    assert run(["sources"]) == 0
    assert capsysbinary.readouterr().out.decode() == f"     1  {SHOWN_NAME}\n"
    (record,) = json.loads(listed(capsysbinary, "json"))
    assert record["source"] == SHOWN_NAME
    assert SHOWN_NAME in listed(capsysbinary, "csv")
    assert run(["remove", "--source", SHOWN_NAME]) == 0
    assert listed(capsysbinary, "json") == "[]\n"


def test_a_file_name_stored_raw_by_an_earlier_version_is_shown_escaped(
    data_dir: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    path = tmp_path / "plain.json"
    path.write_bytes(PAPER)
    assert run(["import", str(path)]) == 0
    with sqlite3.connect(data_dir / "library.db") as db:
        db.execute("UPDATE papers SET source = ?", (EVIL_NAME,))
        db.execute("UPDATE paper_sources SET source = ?", (EVIL_NAME,))
    capsysbinary.readouterr()
    assert run(["sources"]) == 0
    out = capsysbinary.readouterr().out.decode()
    assert out == f"     1  {SHOWN_NAME}\n"
    assert SHOWN_NAME in listed(capsysbinary, "csv")
    # The name as `sources` shows it finds the digest stored raw.
    assert run(["remove", "--source", SHOWN_NAME]) == 0
    assert listed(capsysbinary, "json") == "[]\n"

"""Files whose fields have the wrong type or size for what papertray makes of them: each is read
like other damage in its format (the field left out, the entry skipped, or the file refused in
one line), never exit 70, under `import` and `list FILE` alike."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.loopback import Handler, RawServer, answer, folder_bytes, sends, the_line

from papertray.store import IngestError, Library, limits
from papertray.store.ingest import ingest_text
from papertray.tui.cli import run


def _both(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Import `path` and list it: both succeed; the import's stderr is returned."""
    assert run(["import", str(path)]) == 0
    err = capsys.readouterr().err
    assert run(["list", str(path)]) == 0
    assert "unexpected error" not in capsys.readouterr().err
    return err


def _hf(item: dict[str, object] | None = None, **paper: object) -> str:
    """A daily-papers item (json: orjson writes no integer past 64 bits)."""
    fields = {"id": "2606.00467", "title": "t", "summary": "s", **paper}
    return json.dumps([{"paper": fields, **(item or {})}])


def test_a_count_past_64_bits_is_left_out(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "hf.json"
    path.write_text(_hf({"numComments": 1e300}, upvotes=10**20, githubStars=-(10**20)))
    _both(path, capsys)
    (paper,) = Library.open(data_dir).papers()
    assert (paper.id, paper.upvotes, paper.stars, paper.comments) == (
        "arxiv:2606.00467",
        None,
        None,
        None,
    )


def test_max_count() -> None:
    at = ingest_text(_hf(upvotes=limits.MAX_COUNT, githubStars=0)).papers
    assert [(p.upvotes, p.stars) for p in at] == [(limits.MAX_COUNT, 0)]
    past = ingest_text(_hf(upvotes=limits.MAX_COUNT + 1, githubStars=-1)).papers
    assert [(p.upvotes, p.stars) for p in past] == [(None, None)]


def _feed(item: dict[str, object]) -> str:
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": [item]})


_S2_PAGE = "https://www.semanticscholar.org/paper/abc"
_S2 = {"paperId": "abc", "externalIds": {"ArXiv": "2401.00001"}, "title": "T", "abstract": "a"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A list (or object) where a URL belongs: the URL left out, the others kept.
        (
            json.dumps(
                {
                    "results": [
                        {
                            "id": "https://openalex.org/W1",
                            "title": "A",
                            "doi": {},
                            "primary_location": {
                                "pdf_url": [],
                                "landing_page_url": "https://x.org/a",
                            },
                            "keywords": [{"display_name": ["k"]}, {"display_name": "\x1b[31mk"}],
                        }
                    ]
                }
            ),
            ("A", (), "https://x.org/a", ("[31mk",), None),
        ),
        # `true` (or a number) where the list of authors belongs: no authors.
        (
            _feed({"title": "T", "url": "https://arxiv.org/abs/2401.00001", "authors": True}),
            ("T", (), "https://arxiv.org/abs/2401.00001", (), None),
        ),
        (
            _feed(
                {
                    "title": "T",
                    "url": "https://arxiv.org/abs/2401.00001",
                    "authors": 1.5,
                    "author": {"name": "Ann"},
                    "tags": ["a\nb", 7, ["c"]],
                }
            ),
            ("T", ("Ann",), "https://arxiv.org/abs/2401.00001", ("a b",), None),
        ),
        # A year that is no number is no date.
        (json.dumps({"data": [{**_S2, "year": [2024]}]}), ("T", (), _S2_PAGE, (), None)),
        (json.dumps({"data": [{**_S2, "year": 2024}]}), ("T", (), _S2_PAGE, (), "2024")),
    ],
)
def test_a_field_of_the_wrong_type_is_left_out(text: str, expected: tuple[object, ...]) -> None:
    (paper,) = ingest_text(text).papers
    first_link = paper.links[0]
    assert (paper.title, paper.authors, first_link, paper.keywords, paper.published) == expected


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (
            '{"results":[{"id":"https://openalex.org/W1","title":"A",'
            '"primary_location":{"pdf_url":[]}}]}',
            "A",
        ),
        (
            _feed(
                {
                    "id": "1",
                    "title": "T",
                    "url": "https://arxiv.org/abs/2401.00001",
                    "authors": True,
                }
            ),
            "T",
        ),
    ],
)
def test_the_reviewers_files_import_and_list(
    text: str, title: str, tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "in.json"
    path.write_text(text)
    _both(path, capsys)
    assert [p.title for p in Library.open(data_dir).papers()] == [title]


_MAIL = (
    "Date: Thu, 14 Mar 2024 00:45:57 -0400\n"
    "From: send mail ONLY to cs <no-reply@arXiv.org>\n"
    "Subject: cs daily Subj-class mailing 1 1\n"
    "Content-Type: text/plain; charset={charset}\n"
    "\n"
    "------------------------------------------------------------------------------\n"
    "\\\\\n"
    "arXiv:2403.00001\n"
    "Date: Mon, 11 Mar 2024 14:20:19 GMT   (482kb)\n"
    "\n"
    "Title: A Paper Sent in a Mail\n"
    "Authors: Ann Author\n"
    "Categories: cs.CL\n"
    "\\\\\n"
    "  Its abstract, in plain words.\n"
    "\\\\ ( https://arxiv.org/abs/2403.00001 ,  12kb)\n"
    "------------------------------------------------------------------------------\n"
)


@pytest.mark.parametrize("charset", ["undefined", "idna", "utf\x00-8", "no-such-charset"])
def test_a_mail_whose_charset_decodes_nothing_is_read_as_utf8(
    charset: str, tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cs.eml"
    path.write_text(_MAIL.format(charset=charset), encoding="utf-8")
    _both(path, capsys)
    assert [(p.id, p.title, p.abstract) for p in Library.open(data_dir).papers()] == [
        ("arxiv:2403.00001", "A Paper Sent in a Mail", "Its abstract, in plain words.")
    ]


def _doubling(levels: int, entries: int = 1) -> str:
    """A BibTeX file whose @string macro `a{levels}` is ten characters doubled `levels` times,
    and `entries` papers titled with it after their number."""
    lines = ["@string{a0 = {xxxxxxxxxx}}"]
    lines += [f"@string{{a{n + 1} = a{n} # a{n}}}" for n in range(levels)]
    lines += [
        f"@article{{k{n}, title = {{{n}}} # a{levels}, author = {{Ann}}}}" for n in range(entries)
    ]
    return "\n".join(lines) + "\n"


def test_a_string_macro_bomb_is_refused_in_one_line(
    tmp_path: Path, seeded: dict[str, bytes], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reviewer's 633 bytes: 24 doublings made a title of 168 million characters (1.3 GB of
    memory, a 504 MB library); 60 got the process killed."""
    path = tmp_path / "bomb.bib"
    for levels in (24, 60):
        path.write_text(_doubling(levels))
        for command in ("import", "list"):
            assert run([command, str(path)]) == 1
            assert the_line(capsys.readouterr().err) == (
                f"papertray: {path}: its @string macros expand to a value longer than "
                "16,777,216 characters, the limit on one value (refused: a macro bomb?)"
            )
    assert folder_bytes(data_dir) == seeded


def test_expanded_values_at_and_past_the_line_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_LINE", 1281)
    (paper,) = ingest_text(_doubling(7)).papers
    assert paper.title == "0" + "x" * 1280
    with pytest.raises(IngestError) as refused:
        ingest_text(_doubling(7).replace("{0} # a7", "{00} # a7"))
    assert str(refused.value) == (
        "its @string macros expand to a value longer than 1,281 characters, the limit on one "
        "value (refused: a macro bomb?)"
    )


def test_expanded_values_at_and_past_the_file_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each value within its limit, but many of them: all of them are held to a file's size."""
    # The macros built from a0 (20 + 40 + ... + 1280 characters), and four titles of 1281.
    monkeypatch.setattr(limits, "MAX_INPUT_BYTES", 2540 + 4 * 1281)
    titles = [p.title for p in ingest_text(_doubling(7, entries=4)).papers]
    assert titles == [f"{n}" + "x" * 1280 for n in range(4)]
    with pytest.raises(IngestError) as refused:
        ingest_text(_doubling(7, entries=5))
    assert str(refused.value) == (
        f"its @string macros expand to values of more than {limits.MAX_INPUT_BYTES:,} "
        "characters, the limit on one file (refused: a macro bomb?)"
    )


def test_a_broken_bibtex_block_is_said_in_papertrays_line_only(tmp_path: Path) -> None:
    """bibtexparser logs two lines of its own for a block it gives up on; with no handler of the
    program's, Python printed them on stderr. In a process of its own: pytest's log capture would
    take them."""
    path = tmp_path / "unclosed.bib"
    path.write_text(
        "@article{a, title={Open {brace never closed, author={A}}\n"
        "@article{b, title={Second}, author={B}}\n"
    )
    env = dict(os.environ, PAPERTRAY_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from papertray.tui.cli import run; sys.exit(run(sys.argv[1:]))",
            "import",
            str(path),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (proc.returncode, proc.stderr.splitlines()) == (
        0,
        [
            f"papertray: warning: {path}: skipped 1 block(s) that are not valid BibTeX",
            f"papertray: {path}: 1 papers (bibtex): 1 new, 0 merged, 0 skipped",
        ],
    )


def test_a_server_sending_a_count_past_64_bits(
    serve: Callable[[Handler], RawServer], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`fetch hf` reads the daily papers as the `hf-api` format: the count is left out."""
    body = _hf({"publishedAt": "2026-12-01T00:00:00.000Z"}, upvotes=10**20).encode()
    serve(sends(answer("200 OK", {"Content-Type": "application/json"}, body)))
    assert run(["fetch", "hf", "--date", "2026-12-01"]) == 0
    assert "unexpected error" not in capsys.readouterr().err
    assert [(p.id, p.upvotes) for p in Library.open(data_dir).papers()] == [
        ("arxiv:2606.00467", None)
    ]

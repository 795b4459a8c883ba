"""Citations a reference manager takes (issue 23, point 6): BibTeX `@article`/`@misc` with keys
`lastnameYEARfirstword` made unique, read back by bibtexparser to the same fields; the same
fields in RIS, read back by papertray's RIS reader; the id `y` copies, per the config file."""

from __future__ import annotations

from pathlib import Path

import bibtexparser
import pytest
from bibtexparser import middlewares

from papertray.store import ConfigError, load_config
from papertray.store.citation import bibtex_entries, bibtex_entry, citable_id, cite_key, ris_records
from papertray.store.ingest import ingest_text
from papertray.store.models import UNTOUCHED, Paper, PaperState
from papertray.tui.cli import run

ATTENTION = Paper(
    id="arxiv:1706.03762",
    title="Attention Is All You Need",
    authors=("Ashish Vaswani", "Noam Shazeer"),
    published="2017-06-12",
    arxiv_id="1706.03762",
    categories=("cs.CL", "cs.LG"),
    links=("https://arxiv.org/abs/1706.03762", "https://github.com/tensorflow/tensor2tensor"),
    repo="https://github.com/tensorflow/tensor2tensor",
)
JOURNAL = Paper(
    id="doi:10.1038/nature14539",
    title="Deep learning",
    authors=("LeCun, Yann", "Bengio, Yoshua", "Hinton, Geoffrey"),
    published="2015-05-28",
    links=("https://doi.org/10.1038/NATURE14539",),
)
ODD = Paper(
    id="arxiv:2401.01234",
    title="Groß & Söhne: 100% {robust} $x_1$ \\LaTeX ~ tilde #1",
    authors=("Jürgen Groß", "Øystein Ørsted", "The Google and DeepMind Team"),
    published="2024-01-03",
    arxiv_id="2401.01234",
    categories=("cs.CL",),
    links=("https://doi.org/10.5555/Odd.Case",),
)
BARE = Paper(id="t:0123456789abcdef", title="Flow Matching in Latent Space")


def parsed(text: str) -> list[tuple[str, str, dict[str, object]]]:
    """(type, key, fields) of each entry, as bibtexparser reads them: authors split, LaTeX
    decoded."""
    library = bibtexparser.parse_string(
        text,
        append_middleware=[middlewares.SeparateCoAuthors(), middlewares.LatexDecodingMiddleware()],
    )
    assert library.failed_blocks == []
    return [(e.entry_type, e.key, {f.key: f.value for f in e.fields}) for e in library.entries]


def test_an_arxiv_preprint_is_misc_with_every_field() -> None:
    ((kind, key, fields),) = parsed(bibtex_entry(ATTENTION))
    assert (kind, key) == ("misc", "vaswani2017attention")
    assert fields == {
        "author": ["Ashish Vaswani", "Noam Shazeer"],
        "title": "Attention Is All You Need",
        "year": "2017",
        "eprint": "1706.03762",
        "archivePrefix": "arXiv",
        "primaryClass": "cs.CL",
        "doi": "10.48550/arXiv.1706.03762",
        "url": "https://arxiv.org/abs/1706.03762",
    }
    assert "title = {{Attention Is All You Need}}" in bibtex_entry(ATTENTION)  # case kept
    assert "tensor2tensor" not in bibtex_entry(ATTENTION)  # the code is not the paper


def test_a_paper_with_a_doi_of_its_own_is_an_article() -> None:
    ((kind, key, fields),) = parsed(bibtex_entry(JOURNAL))
    assert (kind, key) == ("article", "lecun2015deep")
    assert fields == {
        "author": ["LeCun, Yann", "Bengio, Yoshua", "Hinton, Geoffrey"],
        "title": "Deep learning",
        "year": "2015",
        "doi": "10.1038/NATURE14539",  # as the link writes it
        "url": "https://doi.org/10.1038/NATURE14539",
    }


def test_special_characters_come_back_the_same() -> None:
    ((kind, key, fields),) = parsed(bibtex_entry(ODD))
    assert (kind, key) == ("article", "gross2024gross")
    assert fields["title"] == ODD.title
    # "and" inside a name: one author (bibtexparser keeps the braces that say so)
    assert [str(a).strip("{}") for a in fields["author"]] == list(ODD.authors)  # type: ignore
    assert fields["doi"] == "10.5555/Odd.Case" and fields["eprint"] == "2401.01234"
    # papertray's own BibTeX reader (bibtexparser and pylatexenc) gets the same paper back,
    # the escaped braces of the title too.
    (back,) = ingest_text(bibtex_entry(ODD), fmt="bibtex").papers
    assert (back.title, back.arxiv_id, back.published) == (ODD.title, "2401.01234", "2024")
    assert back.authors[:2] == ODD.authors[:2]
    assert "https://doi.org/10.5555/Odd.Case" in back.links


def test_no_author_no_year_is_still_an_entry() -> None:
    ((kind, key, fields),) = parsed(bibtex_entry(BARE))
    assert (kind, key, fields) == ("misc", "flow", {"title": "Flow Matching in Latent Space"})
    nothing = Paper(id="t:1", title="数据")  # nothing a key can spell
    ((_kind, key, fields),) = parsed(bibtex_entry(nothing))
    assert key == "paper" and fields == {"title": "数据"}


@pytest.mark.parametrize(
    ("paper", "key"),
    [
        (ATTENTION, "vaswani2017attention"),
        (ATTENTION._replace(title="The Annotated Transformer"), "vaswani2017annotated"),
        (ATTENTION._replace(title="A Survey of: On the Diffusion"), "vaswani2017survey"),
        (ATTENTION._replace(title="Memory-Efficient Training"), "vaswani2017memory"),
        (ATTENTION._replace(authors=("Øystein Ørsted",)), "orsted2017attention"),
        (ATTENTION._replace(authors=("José Núñez-García",)), "nunezgarcia2017attention"),
        (ATTENTION._replace(authors=("Vaswani, Ashish",)), "vaswani2017attention"),
        (ATTENTION._replace(authors=(), published=None), "attention"),
        (ATTENTION._replace(published="Dec 2023"), "vaswani2023attention"),
        (ATTENTION._replace(title="α-RNN"), "vaswani2017rnn"),  # no ASCII spelling: skipped
    ],
)
def test_keys(paper: Paper, key: str) -> None:
    assert cite_key(paper, set()) == key


def test_keys_are_unique_within_one_output() -> None:
    rows = [(ATTENTION, UNTOUCHED)] * 3 + [(BARE, UNTOUCHED), (BARE, UNTOUCHED)]
    keys = [key for _kind, key, _fields in parsed("".join(bibtex_entries(rows)))]
    assert keys == [
        "vaswani2017attention",
        "vaswani2017attentiona",
        "vaswani2017attentionb",
        "flow",
        "flowa",
    ]


def test_the_users_tags_and_note_go_with_an_export() -> None:
    state = PaperState(tags=("llm", "to-read"), note="see §3 & the appendix")
    ((_kind, _key, fields),) = parsed(bibtex_entry(ATTENTION, state))
    assert fields["keywords"] == "llm, to-read"
    assert fields["note"] == "see §3 & the appendix"


def test_ris_carries_the_same_fields() -> None:
    text = "".join(ris_records([(ATTENTION, UNTOUCHED), (JOURNAL, UNTOUCHED), (BARE, UNTOUCHED)]))
    records = [block.strip() for block in text.split("ER  - \n") if block.strip()]
    assert records[0].splitlines()[:10] == [
        "TY  - GEN",
        "TI  - Attention Is All You Need",
        "AU  - Ashish Vaswani",
        "AU  - Noam Shazeer",
        "PY  - 2017",
        "DA  - 2017/06/12",
        "DO  - 10.48550/arXiv.1706.03762",
        "N1  - arXiv:1706.03762 [cs.CL]",
        "UR  - https://arxiv.org/abs/1706.03762",
        "UR  - https://github.com/tensorflow/tensor2tensor",
    ]
    assert records[1].startswith("TY  - JOUR\nTI  - Deep learning\n")
    assert "DO  - 10.1038/NATURE14539\n" in records[1]
    assert records[2].splitlines() == [
        "TY  - GEN",
        "TI  - Flow Matching in Latent Space",
        "ID  - t:0123456789abcdef",
    ]
    back = ingest_text(text, fmt="ris").papers
    assert [p.title for p in back] == [ATTENTION.title, JOURNAL.title, BARE.title]
    assert back[0].arxiv_id == "1706.03762" and back[0].authors == ATTENTION.authors
    assert back[1].published and back[1].published.startswith("2015")
    assert "https://doi.org/10.1038/NATURE14539" in back[1].links


def test_list_writes_citations_that_parse(seed_path: Path, capsys) -> None:
    assert run(["import", str(seed_path)]) == 0
    capsys.readouterr()
    assert run(["list", "--format", "bibtex"]) == 0
    entries = parsed(capsys.readouterr().out)
    assert len(entries) == 101
    keys = [key for _kind, key, _fields in entries]
    assert len(set(keys)) == 101 and all(key.isascii() and key.isalnum() for key in keys)
    assert all("title" in fields for _kind, _key, fields in entries)


# -- the id the reader's y copies -----------------------------------------------------------------


def test_citable_id_styles() -> None:
    assert citable_id(ATTENTION) == "1706.03762"
    assert citable_id(ATTENTION, "bare") == "1706.03762"
    assert citable_id(ATTENTION, "arxiv") == "arXiv:1706.03762"
    assert citable_id(BARE, "arxiv") is None
    with pytest.raises(ValueError, match="unknown copy_id 'doi'"):
        citable_id(ATTENTION, "doi")


def test_copy_id_in_the_config_file(tmp_path: Path, monkeypatch, capsys) -> None:
    config = tmp_path / "config.toml"
    monkeypatch.setenv("PAPERTRAY_CONFIG", str(config))
    assert load_config().copy_id == "bare"  # no file: the default
    config.write_text('[fetch]\nhf = true\n\n[reader]\ncopy_id = "arxiv"\n')
    assert load_config().copy_id == "arxiv"
    assert run(["config"]) == 0
    assert '\n[reader]\ncopy_id = "arxiv"\n' in capsys.readouterr().out
    for text, message in (
        (
            '[reader]\ncopy_id = "doi"\n',
            'reader.copy_id must be "bare" or "arxiv", not \'doi\' (line 2)',
        ),
        ("[reader]\ncopy = 1\n", "unknown key reader.copy (line 2)"),
        ("reader = 3\n", "reader must be a table ([reader]) (line 1)"),
    ):
        config.write_text(text)
        with pytest.raises(ConfigError) as caught:
            load_config()
        assert message in str(caught.value), str(caught.value)

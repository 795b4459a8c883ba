"""TeX in titles, abstracts and names read as the text the author typed (issue 21, points 1 and
12), and BibTeX values put together from @string macros and `#` as BibTeX does."""

from __future__ import annotations

import subprocess
import sys

import pytest

from papertray.store.formats._common import text
from papertray.store.ingest import ingest_text

# Shapes: pylatexenc's own tests (phfaist/pylatexenc test/test_latex2text.py: `{\em ...}`,
# `\textbackslash`, `~`), arXiv abstracts as written (the tie in `Fig.~3`, math such as
# `$4 \lesssim z$` in astro-ph), and the escapes of reference managers' BibTeX exports: Zotero
# (zotero/translators BibTeX.js: `\$`, `\^{}`, `\_`, `{\textbackslash}`, `\textless`), Mendeley
# (`{\$}`, `$\backslash$`).
CASES = [
    # 1. A tie is a space; a tilde in prose or a URL stays.
    (r"A.~Smith and B.~Jones", "A. Smith and B. Jones"),
    (r"as in Fig.~3 and Smith~et~al.", "as in Fig. 3 and Smith et al."),
    (
        "about ~100 runs, 10~100 ms, https://x.org/~user/a~b",
        "about ~100 runs, 10~100 ms, https://x.org/~user/a~b",
    ),
    # Math that starts with a digit is still math; an amount of money is not.
    (
        r"galaxies at high redshift ($4 \lesssim z \lesssim 6$)",
        "galaxies at high redshift (4 ≲ z ≲ 6)",
    ),
    (r"a $2\times$ speed-up", "a 2× speed-up"),
    ("costs $5 and $6 in total", "costs $5 and $6 in total"),
    # Font switches are styling, not words.
    (r"a 3 {\rm km} wide crater", "a 3 km wide crater"),
    (r"{\it et al.} and {\bf x}", "et al. and x"),
    (
        r"the {\em whole of a long emphasised phrase that goes on past thirty characters}",
        "the whole of a long emphasised phrase that goes on past thirty characters",
    ),
    (r"$\mathrm{km\,s^{-1}}$", "km s^-1"),
    # Text-mode symbols.
    # (TeX swallows the space after a control word; Zotero writes `{\textless}`.)
    (r"a {\textless}b{\textgreater} c {\textbar} d", "a <b> c | d"),
    (r"\textasciitilde 5 and \textbackslash n", "~5 and \\n"),
    (r"see \S 3, \dag, \ldots and R\&D", "see §3, †, … and R&D"),
    # Reference-manager escapes: the character the author typed.
    (r"costs \$5, x\^{}2, snake\_case, {\textbackslash}n", "costs $5, x^2, snake_case, \\n"),
    (r"Mendeley: {\$}5 and $\backslash$n", "Mendeley: $5 and \\n"),
    # 12. pylatexenc's test macros that came out as junk.
    (r"a well\hyphen known fact", "a well-known fact"),
    (r"$x_2$ and H{$^{3}$}", "x_2 and H^3"),
    (r"\textfrac{1}{2} of it", "1/2 of it"),
]


@pytest.mark.parametrize(("raw", "shown"), CASES)
def test_tex_reads_as_text(raw: str, shown: str) -> None:
    assert text(raw) == shown


def test_pylatexenc_warnings_never_reach_stderr() -> None:
    """pylatexenc logs "macro '\\textfrac' failed its substitution!" through the logging module;
    with no handler of papertray's own, Python printed it on stderr."""
    code = (
        "from papertray.store.formats.latex import _convert, latex_to_text\n"
        "print(latex_to_text(r'\\textfrac{1}{2}'))\n"
        "print(_convert(r'\\textfrac{1}{2} \\begin{x} \\verb'))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0
    assert run.stdout.splitlines()[0] == "1/2"
    assert run.stderr == ""


# bibtexparser's tests of @string interpolation (sciunto-org/python-bibtexparser,
# tests/middleware_tests/test_interpolate.py) and of the `#` concatenation its splitter keeps
# as written (tests/splitter_tests/test_splitter_string.py); BibTeX's month macros from btxdoc.
BIB = r"""
@string{jean = "Jean"}
@STRING{cesar = {C{\'e}sar}}
@string{conf = "Proc. of " # "the Conf"}
@article{k1, author = jean # " " # cesar, title = "A " # {Title} # " Here", journal = conf,
  year = 2020, month = jan}
@article{k2, author = {Doe, J.}, year = "2019",
  title = {{BERT}: Pre-training with {$x_2$}, a well\hyphen known {$^{3}$}H and \textfrac{1}{2}}}
@article{k3, title = {{Title in Double Braces}}, author = "Roe, Jane and Poe, Edgar"}
"""


def test_bibtex_strings_and_concatenation() -> None:
    papers = ingest_text(BIB).papers
    assert [(p.title, p.authors, p.published) for p in papers] == [
        ("A Title Here", ("Jean César",), "2020"),
        (
            "BERT: Pre-training with x_2, a well-known ^3H and 1/2",
            ("J. Doe",),
            "2019",
        ),
        ("Title in Double Braces", ("Jane Roe", "Edgar Poe"), None),
    ]

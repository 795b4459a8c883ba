"""What is no digest is refused in one line that names what it is, never read as papers by the
page-copy fallback (issue 21, points 7 and 15)."""

from __future__ import annotations

import json

import pytest

from papertray.store.ingest import IngestError, ingest_bytes, ingest_text

# Each sample is shaped after a public file (cited); the words after "looks like" are checked.
OPML = """<?xml version="1.0" encoding="ISO-8859-1"?>
<opml version="2.0">
  <head><title>mySubscriptions.opml</title></head>
  <body>
    <outline text="CNET News.com" type="rss" xmlUrl="http://news.com.com/2547-1_3-0-5.xml"/>
    <outline text="arXiv cs.CL" type="rss" xmlUrl="https://rss.arxiv.org/rss/cs.CL"/>
  </body>
</opml>
"""  # opml.org/spec2.opml, "subscriptionList.opml"

COMMENTED_XML = """<!--
Description: a test file whose comment names <feed> and <rss>
-->
<catalog><book id="bk101"><title>XML Developer's Guide</title></book></catalog>
"""  # feedparser's test files open with such a comment; the root here is <catalog>

ISSUES_FEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "papertray issues",
    "home_page_url": "https://github.com/o/papertray/issues",
    "items": [
        {"id": "https://github.com/o/papertray/issues/12", "title": "Crash on empty file",
         "url": "https://github.com/o/papertray/issues/12",
         "content_text": "Running papertray list on an empty file prints a traceback.",
         "authors": [{"name": "someone"}]},
        {"id": "https://github.com/o/papertray/issues/13", "title": "Dark theme",
         "url": "https://github.com/o/papertray/issues/13",
         "content_html": "<p>Could the reader have a dark theme?</p>"},
    ],
}  # fmt: skip  # jsonfeed.org/version/1.1 (items: id, url, title, content_text/html, authors)

BLOG_FEED = {
    "version": "https://jsonfeed.org/version/1",
    "title": "My Example Feed",
    "home_page_url": "https://example.org/",
    "items": [
        {"id": "2", "title": "Second post", "content_text": "This is a second item.",
         "url": "https://example.org/second-item"},
        {"id": "1", "title": "Hello", "content_html": "<p>Hello, world!</p>",
         "url": "https://example.org/initial-post"},
    ],
}  # fmt: skip  # the example of jsonfeed.org/version/1.1

VCR_YAML = """interactions:
- request:
    body: null
    headers:
      Accept:
      - '*/*'
      Connection:
      - keep-alive
    method: GET
    uri: https://api.semanticscholar.org/graph/v1/paper/CorpusId:215416146
  response:
    content:
      encoding: utf-8
      string: '{"paperId": "5c5751d45e298cea054f32b392c12c61027d2fe7", "title": "Construction"}'
    headers:
      Content-Type:
      - application/json
    status:
      code: 200
      message: OK
version: 1
"""  # danielnsilva/semanticscholar tests/data/test_get_paper.yaml (a vcrpy cassette)

PRETTY_BAD_JSON = """{
    "name": "papertray",
    "version": "0.1.0",
    "scripts": {
        "test": "pytest",
    },
    "keywords": [
        "papers",
        "reader"
    ]
}
"""  # a package.json edited by hand: a trailing comma (JSON5 allows it, JSON does not)

GITHUB_ISSUES = [
    {"url": f"https://api.github.com/repos/o/r/issues/{n}", "id": n, "number": n,
     "title": f"Issue number {n}", "state": "open", "user": {"login": "someone"},
     "body": "It crashes."}
    for n in range(1, 4)
]  # fmt: skip  # api.github.com/repos/{owner}/{repo}/issues

TEX = r"""\documentclass[11pt]{article}
\usepackage{amsmath}
\title{A Paper}
\author{A. Author}
\begin{document}
\maketitle
\section{Introduction}
We study $x^2$ and its friends, as in~\cite{knuth}.
\end{document}
"""  # phfaist/pylatexenc test/test_input_1.tex (a LaTeX document)

PY_LOG = """2024-03-14 10:00:01,123 - papertray - INFO - starting
2024-03-14 10:00:01,456 - papertray - INFO - reading digest.txt
2024-03-14 10:00:02,001 - papertray - WARNING - 3 duplicate paper(s) ignored
2024-03-14 10:00:02,010 - papertray - ERROR - cannot write library.json
Traceback (most recent call last):
  File "/usr/lib/python3.11/shutil.py", line 825, in move
OSError: [Errno 28] No space left on device
"""  # Python's logging with "%(asctime)s - %(name)s - %(levelname)s - %(message)s"

UNICODE_DATA = """0041;LATIN CAPITAL LETTER A;Lu;0;L;;;;;N;;;;0061;
0042;LATIN CAPITAL LETTER B;Lu;0;L;;;;;N;;;;0062;
0043;LATIN CAPITAL LETTER C;Lu;0;L;;;;;N;;;;0063;
0061;LATIN SMALL LETTER A;Ll;0;L;;;;;N;;;0041;;0041
0062;LATIN SMALL LETTER B;Ll;0;L;;;;;N;;;0042;;0042
"""  # unicode.org Public/UCD/latest/ucd/UnicodeData.txt

WOS = """FN Clarivate Analytics Web of Science
VR 1.0
PT J
AU Parkes-Loach, PS
   Majeed, AP
TI Interactions stabilizing the structure of the core light-harvesting
   complex (LHl) of photosynthetic bacteria and its subunit (B820)
SO BIOCHEMISTRY
PY 2004
ER

EF
"""  # MrTango/rispy tests/example_wos.ris (Web of Science "plain text" export)

REFER = """%0 Journal Article
%T EndNote: The Only Reference I Can Remember
%A Smith, A. Nonymous
%A Doe, J.
%J Journal of Reference Management
%D 2024
"""  # EndNote's tagged export ("EndNote Export" / refer), as rispy's example_endnote.ris

RIS_WITHOUT_TY = """AU  - Shannon,Claude E.
PY  - 1948/07//
TI  - A Mathematical Theory of Communication
JF  - Bell System Technical Journal
ER  -
"""  # MrTango/rispy tests/data/example_urls.ris with its TY line lost

CSV_OTHER = "name,title,salary\nAnn,Engineer,1\nBob,Manager,2\nCat,Director,3\n"

REFUSED = {
    "opml": (OPML, "an OPML outline"),
    "a tag named in an XML comment": (COMMENTED_XML, "XML of an unknown kind (<catalog>)"),
    "a JSON Feed of issues": (json.dumps(ISSUES_FEED), "a JSON Feed (papertray issues) whose "
                              "items are not papers"),
    "a blog's JSON Feed": (json.dumps(BLOG_FEED), "a JSON Feed (My Example Feed) whose items"),
    "yaml": (VCR_YAML, "YAML"),
    "pretty JSON that is not valid": (PRETTY_BAD_JSON, "JSON that is not valid"),
    "JSON records that are not papers": (json.dumps(GITHUB_ISSUES, indent=2),
                                         "JSON records that are not papers"),
    "latex source": (TEX, "LaTeX source"),
    "a log": (PY_LOG, "a program's log"),
    "a unicode table": (UNICODE_DATA, "a table of semicolon-separated values"),
    "web of science": (WOS, "Web of Science plain text"),
    "endnote": (REFER, "EndNote's tagged text"),
    "ris without its TY line": (RIS_WITHOUT_TY, "RIS records without their TY line"),
    "a CSV of something else": (CSV_OTHER, "a CSV table (columns name, title, salary)"),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(REFUSED))
def test_what_is_no_digest_is_refused_naming_what_it_is(kind: str) -> None:
    text, what = REFUSED[kind]
    with pytest.raises(IngestError) as caught:
        ingest_bytes(text.encode("utf-8"))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"looks like {what}"), message
    assert message.endswith("(see --format))")
    said = message.split(", not a digest")[0]
    assert "an HTML page" not in said and "Markdown" not in said


def test_a_json_feed_of_papers_is_still_read() -> None:
    feed = dict(BLOG_FEED)
    feed["items"] = [
        {"id": "1", "title": "A Paper", "url": "https://huggingface.co/papers/2608.19880"},
        {"id": "2", "title": "A Post", "url": "https://example.org/post"},
    ]
    assert [p.title for p in ingest_text(json.dumps(feed)).papers] == ["A Paper", "A Post"]


def test_a_page_copy_with_colons_and_commas_is_still_a_page_copy() -> None:
    """Titles with a colon, abstracts with commas and semicolons: none of the refusals above."""
    text = (
        "Mesa: Memory-Efficient Attention\n\nWe propose Mesa, a method; it is fast, small, "
        "and simple.\n\nFlow: A Survey\n\nThis survey covers flows, diffusion; and more.\n\n"
        "Tiny: Small Models\n\nWe show that small models, trained well, suffice; really.\n"
    )
    result = ingest_text(text)
    assert result.format == "page"
    assert [p.title for p in result.papers] == [
        "Mesa: Memory-Efficient Attention",
        "Flow: A Survey",
        "Tiny: Small Models",
    ]

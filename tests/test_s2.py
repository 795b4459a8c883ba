"""Every Semantic Scholar response shape gives its papers, with arXiv id, DOI and S2 id as names
(issue 21, points 5, 11 and 13). Shapes: the Graph API reference
(api.semanticscholar.org/api-docs/graph) and the recorded bodies of danielnsilva/semanticscholar
(tests/data/Paper.json, Citation.json, Reference.json, Author.json,
test_get_recommended_papers.yaml); v1 from the retired api.semanticscholar.org/v1/paper docs."""

from __future__ import annotations

import json

import pytest

from papertray.store.identity import identities
from papertray.store.ingest import ingest_text

SWIN = {
    "paperId": "c8b25fab5608c3e033d34b4483ec47e68ba109b7",
    "externalIds": {"ArXiv": "2103.14030", "DOI": "10.1109/ICCV48922.2021.00986"},
    "url": "https://www.semanticscholar.org/paper/c8b25fab5608c3e033d34b4483ec47e68ba109b7",
    "title": "Swin Transformer",
    "abstract": "Shifted windows.",
    "year": 2021,
    "authors": [{"authorId": "1", "name": "Ze Liu"}],
}
THROW = {
    "paperId": "bdcbc589c8d1e4dd0c6572630f8511557406ad2f",
    "externalIds": {"DOI": "10.1109/LRA.2022.3229266", "CorpusId": 254723237},
    "url": "https://www.semanticscholar.org/paper/bdcbc589c8d1e4dd0c6572630f8511557406ad2f",
    "title": "Learning to Throw With a Handful of Samples Using Decision Transformers",
    "abstract": "Then, the DT is fine-tuned on an handful ($\\sim 5$) of real throws.",
    "year": 2023,
    "publicationDate": "2023-02-01",
    "authors": [{"authorId": "97501516", "name": "M. Monastirsky"}],
}
EXPECTED = [
    ("arxiv:2103.14030", "Swin Transformer", "2021"),
    (None, "Learning to Throw With a Handful of Samples Using Decision Transformers", "2023-02-01"),
]

SHAPES = {
    "search": {"total": 2, "offset": 0, "next": 2, "data": [SWIN, THROW]},
    "bulk-search": {"total": 2, "token": "PCOA3RZZB2ADADAEYCX2BLJJRSKNNXY6", "data": [SWIN, THROW]},
    "batch": [SWIN, None, THROW],
    "citations": {
        "offset": 0,
        "data": [
            {"contexts": ["as in [15]"], "intents": ["methodology"], "isInfluential": True,
             "citingPaper": SWIN},
            {"contexts": [], "intents": [], "isInfluential": False, "citingPaper": THROW},
        ],
    },
    "references": {"offset": 0, "data": [{"citedPaper": SWIN}, {"citedPaper": THROW}]},
    "recommendations": {"recommendedPapers": [SWIN, THROW]},
    "author-with-papers": {"authorId": "2262347", "name": "A. Turing", "papers": [SWIN, THROW]},
    "author-papers": {"offset": 0, "data": [SWIN, THROW]},
}  # fmt: skip


@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_graph_api_shape(shape: str) -> None:
    result = ingest_text(json.dumps(SHAPES[shape]))
    assert result.format == "s2"
    assert [(p.id if p.arxiv_id else None, p.title, p.published) for p in result.papers] == EXPECTED
    throw = result.papers[1]
    assert throw.abstract == "Then, the DT is fine-tuned on an handful (∼ 5) of real throws."
    assert identities(throw) == {
        "doi": "10.1109/lra.2022.3229266",
        "s2": "bdcbc589c8d1e4dd0c6572630f8511557406ad2f",
    }
    assert identities(result.papers[0])["arxiv"] == "2103.14030"


def test_the_v1_api_shape() -> None:
    """api.semanticscholar.org/v1/paper/arXiv:1706.03762: `arxivId` and `doi` at the top, the
    paper's citations and references nested (not papers of this input)."""
    v1 = {
        "abstract": "The dominant sequence transduction models.",
        "arxivId": "1706.03762",
        "authors": [{"authorId": "40348417", "name": "Ashish Vaswani", "url": "https://x"}],
        "citationVelocity": 9000,
        "citations": [{"paperId": "1", "title": "A Citing Paper", "arxivId": None}],
        "corpusId": 13756489,
        "doi": "10.5555/3295222.3295349",
        "paperId": "204e3073870fae3d05bcbc2f6a8e263d9b72e776",
        "references": [{"paperId": "2", "title": "A Cited Paper"}],
        "title": "Attention is All you Need",
        "url": "https://www.semanticscholar.org/paper/204e3073870fae3d05bcbc2f6a8e263d9b72e776",
        "venue": "NIPS",
        "year": 2017,
    }
    (paper,) = ingest_text(json.dumps(v1)).papers
    assert (paper.id, paper.title, paper.authors, paper.published) == (
        "arxiv:1706.03762",
        "Attention is All you Need",
        ("Ashish Vaswani",),
        "2017",
    )
    assert identities(paper) == {
        "arxiv": "1706.03762",
        "doi": "10.5555/3295222.3295349",
        "s2": "204e3073870fae3d05bcbc2f6a8e263d9b72e776",
    }


def test_jats_and_mathml_leave_titles_and_abstracts() -> None:
    """Crossref-sourced S2 records keep the publisher's JATS: `<jats:p>`, `<jats:italic>`,
    `<inline-formula><mml:math>...`."""
    record = {
        "paperId": "a" * 40,
        "externalIds": {"DOI": "10.1000/jats"},
        "title": "Growth of <i>E. coli</i> at <inline-formula><mml:math><mml:mi>T</mml:mi>"
        "<mml:mo>&gt;</mml:mo><mml:mn>40</mml:mn></mml:math></inline-formula> K",
        "abstract": "<jats:p>First paragraph.</jats:p><jats:p>Second <jats:italic>one"
        "</jats:italic>.</jats:p>",
        "year": 2020,
    }
    (paper,) = ingest_text(json.dumps({"data": [record]})).papers
    assert paper.title == "Growth of E. coli at T>40 K"
    assert paper.abstract == "First paragraph.\n\nSecond one."


def test_openalex_titles_lose_their_html() -> None:
    """OpenAlex takes titles from Crossref as publishers wrote them (api.openalex.org/works:
    "Enhanced CO<sub>2</sub> capture", "<i>Escherichia coli</i>")."""
    work = {
        "id": "https://openalex.org/W2741809807",
        "title": "Enhanced CO<sub>2</sub> capture by <i>Escherichia coli</i> &amp; friends",
        "doi": "https://doi.org/10.1000/co2",
        "abstract_inverted_index": {"Carbon": [0], "capture.": [1]},
    }
    (paper,) = ingest_text(json.dumps({"results": [work]})).papers
    assert paper.title == "Enhanced CO2 capture by Escherichia coli & friends"
    assert paper.abstract == "Carbon capture."

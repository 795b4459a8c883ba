"""Feeds as arXiv served them before 2024 (RSS 1.0), re-exported by feed readers, and in every
dialect feedparser reads; markup out of titles; encodings as the feed declares them (issue 21,
points 3, 4, 10, 11 and 14)."""

from __future__ import annotations

import pytest

from papertray.store.ingest import IngestError, ingest_bytes, ingest_text

# arXiv's RSS 1.0 (export.arxiv.org/rss/hep-ex, 2018), as PhysBiblio's test of its arXiv daily
# reader keeps it (physbiblio tests/test_webimport_arxiv.py): "(arXiv:ID [cat])" title
# suffixes, CROSS LISTED and UPDATED, escaped <p> descriptions with TeX, dc:creator holding
# <a href> links to each author's listing.
RSS10 = """<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF
 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://arxiv.org/">
<title>hep-ex updates on arXiv.org</title>
<link>http://arxiv.org/</link>
<items><rdf:Seq><rdf:li rdf:resource="http://arxiv.org/abs/1805.08875" /></rdf:Seq></items>
</channel>
<item rdf:about="http://arxiv.org/abs/1805.08875">
<title>Measurement of Transverse Single Spin Asymmetries. (arXiv:1805.08875v1 [hep-ex])</title>
<link>http://arxiv.org/abs/1805.08875</link>
<description rdf:parseType="Literal">&lt;p&gt;The asymmetry $A_{N}$ in a forward
range of $2.6&amp;lt;\\eta&amp;lt;4$.
&lt;/p&gt;
</description>
<dc:creator> &lt;a href=&quot;http://arxiv.org/find/hep-ex/1/au:+Dilks_C/0/1/0/all/0/1&quot;&gt;Christopher Dilks&lt;/a&gt; (STAR Collaboration)</dc:creator>
</item>
<item rdf:about="http://arxiv.org/abs/1805.09166">
<title>Recent Top quark results from the Tevatron. (arXiv:1805.09166v1 [hep-ex] CROSS LISTED)</title>
<link>http://arxiv.org/abs/1805.09166</link>
<description rdf:parseType="Literal">&lt;p&gt;We present recent measurements
&lt;/p&gt;
</description>
<dc:creator> &lt;a href=&quot;http://arxiv.org/find/hep-ex/1/au:+Tuchming_B/0/1/0/all/0/1&quot;&gt;Boris Tuchming&lt;/a&gt;</dc:creator>
</item>
<item rdf:about="http://arxiv.org/abs/1805.06430">
<title>New Perspective on Hybrid Mesons. (arXiv:1805.06430v2 [nucl-th] UPDATED)</title>
<link>http://arxiv.org/abs/1805.06430</link>
<description rdf:parseType="Literal">&lt;p&gt;First paragraph.&lt;/p&gt;&lt;p&gt;Second one.&lt;/p&gt;</description>
<dc:creator> &lt;a href=&quot;http://arxiv.org/find/nucl-th/1/au:+Xu_S/0/1/0/all/0/1&quot;&gt;Shu-Sheng Xu&lt;/a&gt;, &lt;a href=&quot;http://arxiv.org/find/nucl-th/1/au:+Cui_Z/0/1/0/all/0/1&quot;&gt;Zhu-Fang Cui&lt;/a&gt;</dc:creator>
</item>
</rdf:RDF>
"""  # noqa: E501


def test_arxiv_rss_1_0() -> None:
    result = ingest_text(RSS10)
    assert result.format == "arxiv-rss"
    assert [(p.id, p.title, p.authors, p.categories, p.abstract) for p in result.papers] == [
        (
            "arxiv:1805.08875",
            "Measurement of Transverse Single Spin Asymmetries",
            ("Christopher Dilks",),
            ("hep-ex",),
            "The asymmetry A_N in a forward range of 2.6<η<4.",
        ),
        (
            "arxiv:1805.09166",
            "Recent Top quark results from the Tevatron",
            ("Boris Tuchming",),
            ("hep-ex",),
            "We present recent measurements",
        ),
        (
            "arxiv:1805.06430",
            "New Perspective on Hybrid Mesons",
            ("Shu-Sheng Xu", "Zhu-Fang Cui"),
            ("nucl-th",),
            # Paragraphs stay apart: they were glued ("First paragraph.Second one.").
            "First paragraph. Second one.",
        ),
    ]


# arXiv's RSS (rss.arxiv.org, 2024-) passed through a feed reader (FreshRSS, Inoreader): the
# channel is the reader's, the description keeps "arXiv:ID Announce Type: ... Abstract:" (as
# feed archives on GitHub show it: "arXiv:2509.15479v1 Announce Type: new Abstract: ...").
REEXPORTED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Starred items (FreshRSS)</title><link>https://rss.example.org/</link>
<item>
  <title>Cooperative Driving World Models</title>
  <link>https://arxiv.org/abs/2509.15479</link>
  <description>arXiv:2509.15479v1 Announce Type: new Abstract: Recent video generation
systems assign tokenization to dedicated models.</description>
  <dc:creator>Ann One, Bob Two, Cat Three</dc:creator>
</item>
<item>
  <title>Replaced One</title>
  <link>https://example.org/mirror/2</link>
  <description>arXiv:2301.00009v3 Announce Type: replace-cross Abstract: Revised.</description>
  <dc:creator>Dan Four</dc:creator>
</item>
</channel></rss>
"""


def test_arxiv_rss_re_exported_by_a_feed_reader() -> None:
    result = ingest_text(REEXPORTED)
    assert result.format == "rss"
    assert [(p.id, p.abstract, p.authors) for p in result.papers] == [
        (
            "arxiv:2509.15479",
            "Recent video generation systems assign tokenization to dedicated models.",
            ("Ann One", "Bob Two", "Cat Three"),
        ),
        ("arxiv:2301.00009", "Revised.", ("Dan Four",)),
    ]


# feedparser's own tests: escaped markup in titles and descriptions
# (kurtmckee/feedparser tests/wellformed/rss/item_description_escaped_markup.xml,
# channel_title_lt.xml), Atom 0.3 (tests/wellformed/atom/*.xml: version="0.3",
# xmlns="http://purl.org/atom/ns#"), RSS 2.0 with a prefixed root
# (tests/wellformed/namespace/rss2.0NSwithModulesNoDefNS.xml: <r:rss>), CDF
# (tests/wellformed/cdf/item_abstract_map_summary.xml), each opening with a comment that
# describes the test.
MARKUP = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Picks</title>
<item><title>&lt;b&gt;Bold&lt;/b&gt; Results &amp;amp; More: x &lt; y for the &lt;unk&gt; Token
</title>
<link>https://example.org/1</link>
<description>&lt;p&gt;First.&lt;/p&gt;&lt;p&gt;Second &amp;amp; last.&lt;/p&gt;</description></item>
</channel></rss>
"""


def test_markup_leaves_titles_and_paragraphs_stay_apart() -> None:
    (paper,) = ingest_text(MARKUP).papers
    assert paper.title == "Bold Results & More: x < y for the <unk> Token"
    assert paper.abstract == "First.\n\nSecond & last."


ATOM03 = """<!--
Description: entry title in Atom 0.3
Expect:      not bozo and entries[0]['title'] == 'Example Atom'
-->
<feed version="0.3" xmlns="http://purl.org/atom/ns#">
<title>An Atom 0.3 feed</title>
<entry>
  <title>Example Atom Paper</title>
  <link rel="alternate" type="text/html" href="https://arxiv.org/abs/2101.00001"/>
  <summary>An abstract in Atom 0.3.</summary>
</entry>
</feed>"""

PREFIXED = """<!--
Description: RSS 2.0 in Username namespace, no default namespace <rss>
-->
<r:rss version="2.0" xmlns:r="http://backend.userland.com/rss2">
<r:channel><r:title>RSS Tests</r:title><r:link>http://example.org/</r:link>
<r:item><r:title>Test Item - RSS2.0 w/ NS no default NS</r:title>
<r:link>http://example.org/1</r:link><r:description>A fairly standard item.</r:description>
</r:item></r:channel></r:rss>"""

CDF = """<!--
Description: CDF item abstract maps to summary
-->
<CHANNEL HREF="http://example.org/">
<TITLE>A CDF channel</TITLE>
<ITEM HREF="http://example.org/item">
  <TITLE>A CDF Item</TITLE>
  <ABSTRACT>Example description</ABSTRACT>
</ITEM>
</CHANNEL>"""


@pytest.mark.parametrize(
    ("text", "title", "abstract"),
    [
        (ATOM03, "Example Atom Paper", "An abstract in Atom 0.3."),
        (PREFIXED, "Test Item - RSS2.0 w/ NS no default NS", "A fairly standard item."),
        (CDF, "A CDF Item", "Example description"),
    ],
    ids=["atom-0.3", "prefixed-rss-root", "cdf"],
)
def test_every_feed_dialect_feedparser_reads(text: str, title: str, abstract: str) -> None:
    result = ingest_text(text)
    assert result.format == "rss"
    assert [(p.title, p.abstract) for p in result.papers] == [(title, abstract)]


def test_an_empty_feed_that_is_not_arxiv_is_not_told_about_weekends() -> None:
    empty = '<?xml version="1.0"?><rss version="2.0"><channel><title>A Blog</title>'
    result = ingest_text(empty + "<link>https://blog.example.org/</link></channel></rss>")
    assert result.papers == []
    assert result.warnings == ["A Blog has no entries"]
    arxiv = ingest_text(RSS10.split("<item ")[0] + "</rdf:RDF>")
    assert arxiv.warnings == [
        "hep-ex updates on arXiv.org has no entries (arXiv announces none on weekends)"
    ]


# feedparser's encoding tests (tests/encoding/euc-kr-item.xml, x80_koi8-r.xml, and the
# iso-8859-1 and gb2312 declarations of tests/encoding/): the XML declaration names the
# encoding, and the bytes are not UTF-8.
ENCODED = [
    ("iso-8859-1", "Über die Größe von Café-Modellen", "Résumé: ça marche."),
    ("koi8-r", "Нейронные сети для перевода", "Мы предлагаем новый метод."),
    ("euc-kr", "신경망 기계 번역 연구", "우리는 새로운 방법을 제안한다."),
    ("gb2312", "神经机器翻译的研究", "我们提出了一种新方法。"),
]


@pytest.mark.parametrize(("encoding", "title", "abstract"), ENCODED, ids=[e[0] for e in ENCODED])
def test_a_feed_in_the_encoding_its_declaration_names(
    encoding: str, title: str, abstract: str
) -> None:
    feed = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>'
        f"<title>Feed</title><item><title>{title}</title><link>https://example.org/1</link>"
        f"<description>{abstract}</description></item></channel></rss>\n"
    )
    result = ingest_bytes(feed.encode(encoding))
    assert [(p.title, p.abstract) for p in result.papers] == [(title, abstract)]
    assert result.warnings == []


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le"])
def test_a_feed_in_utf16_or_utf32_is_read(codec: str) -> None:
    """UTF-16 and UTF-32, with a byte-order mark (utf-16, utf-32) and without (-le, -be), as
    XML's appendix F tells them apart; feedparser's tests/encoding/utf-32*.xml."""
    declared = codec.split("-")[0] + "-" + codec.split("-")[1]
    feed = (
        f'<?xml version="1.0" encoding="{declared}"?>\n<rss version="2.0"><channel>'
        "<title>Feed</title><item><title>Ünïcode Title</title><link>https://example.org/1</link>"
        "<description>An abstract.</description></item></channel></rss>\n"
    )
    (paper,) = ingest_bytes(feed.encode(codec)).papers
    assert (paper.title, paper.abstract) == ("Ünïcode Title", "An abstract.")


# bibtexparser's tests/resources/gbk_test.bib (sciunto-org/python-bibtexparser): a .bib in GBK,
# which was refused as binary.
GBK_BIB = """@article{zhang2020,
  title = {基于深度学习的中文分词方法研究},
  author = {张三 and 李四},
  journal = {计算机学报},
  year = {2020},
  abstract = {本文提出了一种基于深度学习的中文分词方法，在多个数据集上取得了较好的效果。}
}
"""


def test_a_bibtex_file_in_gbk_is_read_and_the_encoding_said() -> None:
    result = ingest_bytes(GBK_BIB.encode("gbk"))
    assert result.format == "bibtex"
    (paper,) = result.papers
    assert paper.title == "基于深度学习的中文分词方法研究"
    assert paper.authors == ("张三", "李四")
    (said,) = result.warnings
    assert said.startswith("invalid UTF-8 at byte ") and said.endswith(
        ": read as GB18030 (detected)"
    )


def test_a_feed_that_is_no_feed_is_one_line() -> None:
    with pytest.raises(IngestError) as caught:
        ingest_text("<?xml version='1.0'?><rss version='2.0'><channel><item>", fmt="rss")
    assert "\n" not in str(caught.value)

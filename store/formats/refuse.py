"""What a file that is not a paper digest looks like, in a few words, so papertray can refuse it
in one line instead of turning a README or /etc/services into "papers".

Only the start of the text is looked at (64 KB): the verdict costs the same for any size."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from papertray.store.models import Paper

READS = (
    "it reads Hugging Face Papers page copies, HF API JSON, JSON/JSON Lines of papers, "
    "arXiv email digests, arXiv Atom and RSS, RSS/JSON Feed, BibTeX, RIS, CSV of papers "
    "(Zotero), Semantic Scholar, OpenAlex, Markdown tables of papers and Title:/Summary: text "
    "(see --format)"
)

_HEADING = re.compile(r"#{1,6}\s")
_LIST = re.compile(r"(?:[-*+]|\d{1,3}[.)])\s")
_TABLE_RULE = re.compile(r"\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?")
_SERVICE = re.compile(r"\S+\s+\d+/(?:tcp|udp|sctp|ddp)\b")
_CODE = re.compile(
    r"(?:def |class |import |from \S+ import |#include|#!|function\b|const |let |var |"
    r"public |private |package |return\b|if \(|for \(|while \(|fn |struct |impl |use |"
    r"}\s*$|{\s*$)"
)
_FIELD = re.compile(r"[A-Z][A-Za-z-]{1,20}:\s")
_NUMBERS = re.compile(r"[\d\s,.;:+\-eE\"']*")
# Other formats' first lines: RIS without its TY line, Web of Science and EndNote/refer tagged
# text (exported "as text"), YAML, LaTeX source, a program's log, JSON that is not valid.
_RIS_TAG = re.compile(r"[A-Z][A-Z0-9]  - ")
_WOS = re.compile(r"(?:FN |VR |PT [A-Z]\b|[A-Z][A-Z0-9] \S)")
_REFER = re.compile(r"%[0A-Z@] \S")
_YAML_KEY = re.compile(r"\s*(?:- )?[\"']?[A-Za-z_][\w.-]*[\"']?:(?:\s|$)")
_YAML_ITEM = re.compile(r"\s*- \S")
_TEX = re.compile(
    r"\\(?:documentclass|usepackage|begin\{[A-Za-z*]+\}|section\*?\{|chapter\{|title\{)"
)
_LOG = re.compile(
    r"(?:\[?\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}|(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL|TRACE)"
    r"(?::[\w.]*:|\s|\]|:)|\[(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL)\]|Traceback \(most recent|"
    r"\w+(?:Error|Exception): |\s+File \"[^\"]+\", line \d+)"
)
_JSON_LINE = re.compile(r"\s*(?:[\[\]{}],?|\"[^\"]*\"\s*:.*|[\d.eE+-]+,?|true,?|false,?|null,?)")
_DELIMITERS = ((",", "comma"), ("\t", "tab"), (";", "semicolon"), ("|", "pipe"))


def describe(text: str) -> str | None:
    """A short description of what `text` is if it is plainly not a digest, else None."""
    head = text[:65536]
    start = head.lstrip("\ufeff \t\r\n")
    if start.startswith("<"):
        return _markup(start)
    lines = [line.strip() for line in head.split("\n")[:2000]]
    raw = [line.rstrip("\r") for line in head.split("\n")[:2000] if line.strip()]
    lines = [line for line in lines if line]
    if not lines:
        return None
    total = len(lines)

    def share(pattern: re.Pattern[str], least: int = 1, among: list[str] = lines) -> float:
        """The share of lines that match, 0 unless at least `least` do: a digest of three
        papers may have a title ending in "}" without being source code."""
        count = sum(1 for line in among if pattern.match(line))
        return count / len(among) if count >= least else 0.0

    known = _other_format(lines, raw, share)
    if known:
        return known
    if share(_SERVICE, 3) > 0.3:
        return "a table of network services (like /etc/services)"
    numbers = sum(1 for line in lines if _NUMBERS.fullmatch(line))
    if numbers >= 3 and numbers > 0.5 * total:
        return "a table of numbers (CSV?)"
    fences = sum(1 for line in lines if line.startswith("```"))
    headings = share(_HEADING)
    markdown = headings + share(_LIST) + fences / total
    if fences >= 2 or (headings > 0.02 and markdown > 0.1) or markdown > 0.3:
        return "a Markdown document (a README or notes?)"
    tables = sum(1 for line in lines if line.startswith("|"))
    if tables >= 3 and any(_TABLE_RULE.fullmatch(line) for line in lines):
        return "a Markdown table"
    table = _delimited(lines)
    if table:
        return table
    if share(_CODE, 5) > 0.15:
        return "source code"
    # "Label: value" lines whose labels repeat (Title:, Summary:, ...). Titles of a digest
    # often have a colon too ("Mesa: ..."), but each its own word.
    labels = Counter(m.group(0) for m in map(_FIELD.match, lines) if m)
    repeated = sum(count for count in labels.values() if count >= 3)
    if repeated > 0.3 * total:
        return "labelled fields (Name: value) in no layout papertray knows"
    return None


def _other_format(lines: list[str], raw: list[str], share: Any) -> str | None:
    """What another known format's first lines say a text is."""
    first = lines[0]
    if first.startswith("PMID-"):
        return "PubMed's MEDLINE text (export the records as RIS or BibTeX instead)"
    if share(_RIS_TAG, 3) > 0.5:
        return "RIS records without their TY line (each record must open with 'TY  - ')"
    if first.startswith(("FN Clarivate", "FN Thomson", "PT J", "PT B", "PT S")) or (
        first.startswith("FN ") and share(_WOS, 5) > 0.6
    ):
        return "Web of Science plain text (export the records as RIS or BibTeX instead)"
    if first.startswith("%0 ") and share(_REFER, 3) > 0.5:
        return "EndNote's tagged text (export the records as RIS or BibTeX instead)"
    if first.startswith(("%YAML", "---")) or (
        share(_YAML_KEY, 3) + share(_YAML_ITEM) > 0.6
        and sum(1 for line in raw if line[:1] in " \t") > 0.15 * len(raw)
    ):
        if not first.startswith("---") or share(_YAML_KEY, 3) > 0.4:
            return "YAML (a configuration file or a recorded HTTP session?)"
    head = "\n".join(lines[:200])
    if _TEX.search(head) and sum(1 for line in lines if line.startswith("\\")) >= 3:
        return "LaTeX source (a .tex file: papertray reads its bibliography, the .bib)"
    if share(_LOG, 3) > 0.3:
        return "a program's log"
    if first[:1] in "[{" and share(_JSON_LINE, 3) > 0.6:
        return "JSON that is not valid (a pretty-printed file cut off or edited by hand?)"
    return None


def _delimited(lines: list[str]) -> str | None:
    """A table of delimiter-separated values: most lines hold the same number of one
    delimiter (a CSV of something else, Unicode's data files, a TSV export)."""
    body = [line for line in lines if not line.startswith("#")]
    if len(body) < 3:
        return None
    for delimiter, name in _DELIMITERS:
        counts = Counter(line.count(delimiter) for line in body[:500])
        count, lines_with = counts.most_common(1)[0]
        if count >= 1 and lines_with >= 3 and lines_with >= 0.9 * min(len(body), 500):
            if delimiter == ",":
                cells = [c.strip().strip('"') for c in body[0].split(",")]
                if all(0 < len(c) <= 40 for c in cells):
                    shown = ", ".join(cells[:6]) + (", ..." if len(cells) > 6 else "")
                    return (
                        f"a CSV table (columns {shown}) that is not papers (a table of papers "
                        "has a Title column and an Author, Abstract or DOI one)"
                    )
            if count >= 2 or len(body) >= 10:
                return f"a table of {name}-separated values"
    return None


def _markup(start: str) -> str:
    from papertray.store.formats.markup import xml_root

    found = xml_root(start)
    root = found[0] if found else "?"
    local = root.rsplit(":", 1)[-1].lower()
    if local == "opml":
        return "an OPML outline (a list of feeds: read the feeds themselves)"
    if local in ("html", "xhtml") or "<!doctype html" in start[:4096].lower():
        return "an HTML page"
    if root == "PubmedArticleSet":
        return "PubMed XML (efetch)"
    return f"XML of an unknown kind (<{root}>)"


# Where papers live: a link to one of these is a link to a paper.
_PAPER_LINK = re.compile(
    r"https?://(?:[\w-]+\.)*(?:arxiv\.org/(?:abs|pdf|html)|doi\.org/10\.|"
    r"semanticscholar\.org/paper|openreview\.net/(?:forum|pdf)|aclanthology\.org/|"
    r"huggingface\.co/papers/|alphaxiv\.org/abs|biorxiv\.org/content|medrxiv\.org/content|"
    r"papers\.nips\.cc/|proceedings\.neurips\.cc/|proceedings\.mlr\.press/|jmlr\.org/papers|"
    r"openaccess\.thecvf\.com/|dl\.acm\.org/doi|ieeexplore\.ieee\.org/(?:abstract/)?document|"
    r"link\.springer\.com/(?:article|chapter)|nature\.com/articles|sciencedirect\.com/science/"
    r"article|pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pmc/|ssrn\.com/abstract|"
    r"paperswithcode\.com/paper|ojs\.aaai\.org/|ijcai\.org/proceedings)",
    re.I,
)
# What an abstract says and a blog post or an issue rarely does, as a whole.
_ABSTRACT_WORDS = re.compile(
    r"\b(?:we (?:propose|present|introduce|study|investigate|develop|demonstrate|show that)|"
    r"this (?:paper|work|study|article)|in this (?:paper|work|study)|our (?:method|approach|"
    r"model|framework|results)|state-of-the-art|experiments? (?:show|demonstrate)|results show)\b",
    re.I,
)


def is_paper(paper: Paper, *, abstract_like: bool = True) -> bool:
    """Whether a record read as a paper shows anything of one: an arXiv id or DOI, a link to
    where papers live, or (`abstract_like`) text that reads like an abstract. A JSON Feed of
    an issue tracker or a blog shows none (issue 21)."""
    if paper.arxiv_id or any(_PAPER_LINK.match(link) for link in paper.links):
        return True
    if abstract_like:
        return 200 <= len(paper.abstract) and _ABSTRACT_WORDS.search(paper.abstract) is not None
    return False


def message(what: str) -> str:
    return f"looks like {what}, not a digest papertray reads ({READS})"

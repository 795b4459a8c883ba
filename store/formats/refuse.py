"""What a file that is not a paper digest looks like, in a few words, so papertray can refuse it
in one line instead of turning a README or /etc/services into "papers".

Only the start of the text is looked at (64 KB): the verdict costs the same for any size."""

from __future__ import annotations

import re
from collections import Counter

READS = (
    "it reads Hugging Face Papers page copies, HF API JSON, JSON/JSON Lines of papers, "
    "arXiv email digests, arXiv Atom and RSS, RSS/JSON Feed, BibTeX, RIS, CSV of papers "
    "(Zotero), Semantic Scholar, OpenAlex, Markdown tables of papers and Title:/Summary: text "
    "(see --format)"
)

_ROOT = re.compile(r"<([A-Za-z][\w:.-]*)")
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


def describe(text: str) -> str | None:
    """A short description of what `text` is if it is plainly not a digest, else None."""
    head = text[:65536]
    start = head.lstrip()
    if start.startswith("<"):
        lowered = start[:4096].lower()
        if "<html" in lowered or "<!doctype html" in lowered or "<body" in lowered:
            return "an HTML page"
        roots = [r for r in _ROOT.findall(start[:4096]) if r.lower() not in ("xml", "!doctype")]
        root = roots[0] if roots else "?"
        if root == "PubmedArticleSet":
            return "PubMed XML (efetch)"
        return f"XML of an unknown kind (<{root}>)"
    lines = [line.strip() for line in head.split("\n")[:2000]]
    lines = [line for line in lines if line]
    if not lines:
        return None
    total = len(lines)

    def share(pattern: re.Pattern[str], least: int = 1) -> float:
        """The share of lines that match, 0 unless at least `least` do: a digest of three
        papers may have a title ending in "}" without being source code."""
        count = sum(1 for line in lines if pattern.match(line))
        return count / total if count >= least else 0.0

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
    if share(_CODE, 5) > 0.15:
        return "source code"
    # "Label: value" lines whose labels repeat (Title:, Summary:, ...). Titles of a digest
    # often have a colon too ("Mesa: ..."), but each its own word.
    labels = Counter(m.group(0) for m in map(_FIELD.match, lines) if m)
    repeated = sum(count for count in labels.values() if count >= 3)
    if repeated > 0.3 * total:
        return "labelled fields (Name: value) in no layout papertray knows"
    return None


def message(what: str) -> str:
    return f"looks like {what}, not a digest papertray reads ({READS})"

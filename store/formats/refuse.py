"""What a file that is not a paper digest looks like, in a few words, so papertray can refuse it
in one line instead of turning a README or /etc/services into "papers".

Only the start of the text is looked at (64 KB): the verdict costs the same for any size."""

from __future__ import annotations

import re

READS = (
    "it reads Hugging Face Papers page copies, HF API JSON, JSON/JSON Lines of papers, "
    "arXiv email digests, arXiv Atom and RSS, RSS/JSON Feed, BibTeX, Semantic Scholar, "
    "OpenAlex and Title:/Summary: text (see --format)"
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

    def share(pattern: re.Pattern[str]) -> float:
        return sum(1 for line in lines if pattern.match(line)) / total

    tables = sum(1 for line in lines if line.startswith("|"))
    if tables >= 3 and any(_TABLE_RULE.fullmatch(line) for line in lines):
        return "a Markdown table"
    if share(_SERVICE) > 0.3:
        return "a table of network services (like /etc/services)"
    if sum(1 for line in lines if _NUMBERS.fullmatch(line)) > 0.5 * total:
        return "a table of numbers (CSV?)"
    fences = sum(1 for line in lines if line.startswith("```"))
    headings = share(_HEADING)
    markdown = headings + share(_LIST) + fences / total
    if fences >= 2 or (headings > 0.02 and markdown > 0.1) or markdown > 0.3:
        return "a Markdown document (a README or notes?)"
    if share(_CODE) > 0.15:
        return "source code"
    if share(_FIELD) > 0.3:
        return "labelled fields (Name: value) in no layout papertray knows"
    return None


def message(what: str) -> str:
    return f"looks like {what}, not a digest papertray reads ({READS})"

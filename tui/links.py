"""What the link keys act on, and the blocking calls that copy or open it.

Which link a key means (`c` and `o` the repo, the link chooser's `1`…`9` link n, numbered as
the pane shows them), the paper's own page (`O`), its PDF (`P`) and how to cite it (`y`, `Y`):
pure functions of a paper. Only safe
http(s) links are offered: a `javascript:` or `file:` URL written into the library by hand is
never copied, opened or offered as the repo. `copy` and `open_link` block (a clipboard program
or a browser may hang, each has its own timeout in `clipboard`): the pane runs them in workers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from papertray.store import rules
from papertray.tui.safe_text import safe_links

if TYPE_CHECKING:
    from papertray.store import Paper
    from papertray.tui.clipboard import Copied

__all__ = [
    "NO_ID",
    "NoLink",
    "citation",
    "copy",
    "copy_id_style",
    "first_line",
    "open_link",
    "paper_page",
    "pdf_page",
    "pick_link",
]

NO_ID = "This paper has no arXiv id yet: E (or papertray enrich) looks it up by its title."


class NoLink(Exception):
    """The paper has no such link, page or id; the message says so in one line."""


def pick_link(paper: Paper, number: int) -> str:
    """Link `number` of the paper (1-based), or for 0 its repo (else its first link)."""
    links, repo = safe_links(paper)
    if number == 0:
        url = repo or (links[0] if links else None)
        if url is None:
            raise NoLink("This paper has no links.")
        return url
    if number > len(links):
        raise NoLink(f"This paper has {_count(len(links), 'link')}.")
    return links[number - 1]


def paper_page(paper: Paper) -> str:
    """The paper's own page: its arXiv abstract page (one of its links, see
    `rules.arxiv_links`), else its first link that is not the code repo."""
    if paper.arxiv_id:
        return rules.arxiv_links(paper.arxiv_id)[0]
    links, repo = safe_links(paper)
    others = [url for url in links if url != repo]
    if others:
        return others[0]
    raise NoLink(NO_ID)


def pdf_page(paper: Paper) -> str:
    """The paper's PDF: arXiv's, else the first of its links that is a PDF (`rules.pdf_link`);
    only a safe http(s) link."""
    links, _repo = safe_links(paper)
    url = rules.pdf_link(paper.arxiv_id, links)
    if url is None:
        raise NoLink(
            "This paper has no PDF link and no arXiv id yet: E (or papertray enrich) looks it"
            " up by its title."
        )
    return url


def citation(paper: Paper, *, bibtex: bool, style: str = "bare") -> str:
    """The paper's arXiv id as `style` says (`rules.citable_id`: `2401.01234`, or
    `arXiv:2401.01234`), or its BibTeX entry."""
    if bibtex:
        return rules.bibtex_entry(paper)
    text = rules.citable_id(paper, style)
    if text is None:
        raise NoLink(NO_ID)
    return text


def copy_id_style() -> tuple[str, str]:
    """The config file's `[reader] copy_id` (reads the file: call from a worker), and a warning
    when the file cannot be read (then the bare id)."""
    from papertray.store import ConfigError, load_config  # the config: loaded on first use

    try:
        return load_config().copy_id, ""
    except ConfigError as error:
        return "bare", f"{error} (y copies the bare id meanwhile)"


def copy(text: str) -> Copied:
    """Hand `text` to the system clipboard and, inside tmux, to tmux's buffer (blocks up to
    their timeouts: call from a worker)."""
    # The clipboard and the browser (pyperclip, webbrowser) load on the first copy or open.
    from papertray.tui import clipboard

    try:
        mechanism, why = clipboard.system_copy(text), ""
    except clipboard.ClipboardError as error:
        mechanism, why = None, str(error)
    return clipboard.copy_result(text, mechanism, why)


def open_link(url: str) -> tuple[str | None, str]:
    """Open `url` in a browser (blocks: call from a worker): (the browser's name, "") or
    (None, why not)."""
    from papertray.tui import clipboard

    try:
        return clipboard.open_url(url), ""
    except clipboard.BrowserError as error:
        return None, str(error)


def first_line(text: str) -> str:
    """A BibTeX entry is named by its first line in a notification."""
    lines = text.strip().splitlines()
    return lines[0] + (" …" if len(lines) > 1 else "") if lines else ""


def _count(n: int, noun: str) -> str:
    return f"{n or 'no'} {noun}{'' if n == 1 else 's'}"

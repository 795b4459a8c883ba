"""A deterministic synthetic digest of N papers, for the benchmarks and the scale tests.

The papers are recombined from the bundled sample digest (store/data/sample_digest.txt): a title
joins the start of one sample title to the end of another (half of them under a made-up model
name), an abstract strings together an opening, middle and closing sentence of different sample
abstracts, and about one in seven ends with a GitHub link. Every title and every abstract is
distinct, so the importer keeps all N. The same N and --seed give the same bytes on every run and
every machine (nothing depends on hash randomisation or the clock).

    python tests/benchmarks/gen_corpus.py 10000 > page.txt      # the page-copy format (default)
    python tests/benchmarks/gen_corpus.py 10000 --json > p.json  # [{"title", "abstract"}, ...]
    python tests/benchmarks/gen_corpus.py 10000 --jsonl          # one such object a line
    python tests/benchmarks/gen_corpus.py 10000 --lines          # "title abstract" a line
    python tests/benchmarks/gen_corpus.py 10000 --email          # an arXiv email digest
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

SEED_FILE = Path(__file__).resolve().parents[2] / "store" / "data" / "sample_digest.txt"
DEFAULT_SEED = 1
# What a copied Hugging Face daily-papers page starts with; the importer skips these lines.
PAGE_HEADER = (
    "new",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "byAK and the research community",
    "Mar 18",
)
LINK_SHARE = 1 / 7
LINK_SENTENCES = (
    "Code is available at {}.",
    "Our code and models are released at {}.",
    "The implementation is public at {}.",
    "We will release the code at {}.",
)
SUFFIXES = ("", "", "", "2", "-XL", "-Lite", "++", " v2")

_SENTENCE_END = re.compile(r"(?<=[a-z0-9)%][.!?])\s+(?=[A-Z])")
_HAS_LINK = re.compile(r"https?://|www\.|\.com\b|\.io\b|github", re.IGNORECASE)
_GITHUB = re.compile(r"github\.com/([\w.-]+)/([\w-]+)")
_NOT_WORD = re.compile(r"[\W_]+")


def same_paper_key(title: str) -> str:
    """Titles an importer takes for one paper (case, punctuation and spacing aside) share this
    key: the generator keeps one title per key, so none of the N is merged away."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(_NOT_WORD.sub(" ", folded).split())


def seed_papers(path: Path = SEED_FILE) -> list[tuple[str, str]]:
    """The sample's (title, abstract) pairs: blank-line separated blocks after the page header."""
    blocks = [b.strip() for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    while blocks and (blocks[0] in PAGE_HEADER or len(blocks[0]) < 12):
        blocks.pop(0)
    return list(zip(blocks[0::2], blocks[1::2], strict=False))


class Corpus:
    """Pools of title parts and sentences taken from the sample, and a seeded generator."""

    def __init__(self, papers: list[tuple[str, str]], seed: int = DEFAULT_SEED) -> None:
        self.random = random.Random(seed)
        self.names: list[str] = []
        self.phrases: list[list[str]] = []
        self.openings: list[str] = []
        self.middles: list[str] = []
        self.closings: list[str] = []
        repos: set[tuple[str, str]] = set()
        for title, abstract in papers:
            name, _, phrase = title.rpartition(": ")
            if name and len(name.split()) <= 2:
                self.names.append(name)
            words = (phrase or title).split()
            if len(words) >= 4:
                self.phrases.append(words)
            repos.update(_GITHUB.findall(abstract))
            sentences = [s for s in _SENTENCE_END.split(abstract) if not _HAS_LINK.search(s)]
            if len(sentences) >= 3:
                self.openings.append(sentences[0])
                self.middles.extend(sentences[1:-1])
                self.closings.append(sentences[-1])
        if not (self.names and self.phrases and self.openings):
            raise ValueError("the seed digest is too small to recombine")
        self.repos = sorted(repos) or [("papertray", "papertray")]
        self._titles: set[str] = set()
        self._abstracts: set[str] = set()

    def title(self) -> str:
        pick = self.random
        while True:
            head, tail = pick.choice(self.phrases), pick.choice(self.phrases)
            words = head[: pick.randint(2, len(head) - 1)] + tail[pick.randint(1, len(tail) - 2) :]
            text = " ".join(words)
            if pick.random() < 0.5:
                text = f"{pick.choice(self.names)}{pick.choice(SUFFIXES)}: {text}"
            key = same_paper_key(text)
            if key not in self._titles:
                self._titles.add(key)
                return text

    def abstract(self) -> str:
        pick = self.random
        while True:
            middle = pick.sample(self.middles, pick.randint(2, 6))
            sentences = [pick.choice(self.openings), *middle, pick.choice(self.closings)]
            if pick.random() < LINK_SHARE:
                owner, repo = pick.choice(self.repos)
                url = f"https://github.com/{owner}/{repo}"
                sentences.append(pick.choice(LINK_SENTENCES).format(url))
            text = " ".join(sentences)
            if text not in self._abstracts:
                self._abstracts.add(text)
                return text

    def papers(self, count: int) -> Iterator[tuple[str, str]]:
        for _ in range(count):
            yield self.title(), self.abstract()


def generate(count: int, seed: int = DEFAULT_SEED) -> Iterator[tuple[str, str]]:
    """`count` distinct (title, abstract) pairs, the same ones for the same seed."""
    return Corpus(seed_papers(), seed).papers(count)


def page_text(count: int, seed: int = DEFAULT_SEED) -> str:
    """The papers as a copied daily-papers page: the header, then title and abstract blocks."""
    blocks = [*PAGE_HEADER]
    for title, abstract in generate(count, seed):
        blocks += [title, abstract]
    return "\n\n".join(blocks) + "\n"


FIRST_NAMES = ("Ada", "Alan", "Grace", "Yann", "Fei", "Andrej", "Ilya", "Daphne", "Yoshua",
               "Jürgen", "Chelsea", "Percy", "Sanjeev", "Tri", "Noam", "Ashish", "Jakob", "Łukasz")
LAST_NAMES = ("Lovelace", "Turing", "Hopper", "LeCun", "Li", "Karpathy", "Sutskever", "Koller",
              "Bengio", "Schmidhuber", "Finn", "Liang", "Arora", "Dao", "Shazeer", "Vaswani",
              "Uszkoreit", "Kaiser", "Müller", "Ng")
CATEGORIES = ("cs.LG", "cs.CL", "cs.CV", "cs.AI", "stat.ML", "cs.IR", "cs.RO")
RULE = "-" * 78


def _wrapped(text: str, width: int = 79) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line] if line else lines


def email_text(count: int, seed: int = DEFAULT_SEED) -> str:
    """The papers as one arXiv email digest ("cs daily Subj-class mailing"): a header, then a
    block per paper with its arXiv id, date, title, authors, categories and the abstract
    hard-wrapped with a space before its first line, as arXiv sends them."""
    pick = random.Random(seed + 1)
    out = [RULE, "Submissions to:", "Machine Learning",
           "received from  Wed 13 Mar 24 18:00:00 GMT  to  Thu 14 Mar 24 18:00:00 GMT", RULE]
    for n, (title, abstract) in enumerate(generate(count, seed)):
        month, number = divmod(n, 99_999)
        arxiv = f"{24 - month // 12:02d}{12 - month % 12:02d}.{number + 1:05d}"
        authors = ", ".join(
            f"{pick.choice(FIRST_NAMES)} {pick.choice(LAST_NAMES)}"
            for _ in range(pick.randint(1, 6))
        )
        cats = " ".join(pick.sample(CATEGORIES, pick.randint(1, 3)))
        body = _wrapped(abstract)
        out += ["\\\\", f"arXiv:{arxiv}", "Date: Mon, 5 Feb 2024 14:20:19 GMT   (482kb)", "",
                f"Title: {title}", f"Authors: {authors}", f"Categories: {cats}", "\\\\",
                " " + body[0], *body[1:], f"\\\\ ( https://arxiv.org/abs/{arxiv} ,  482kb)",
                RULE]  # fmt: skip
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="how many papers")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    shape = parser.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="one JSON list of objects")
    shape.add_argument("--jsonl", action="store_true", help="one JSON object a line")
    shape.add_argument("--lines", action="store_true", help="title and abstract on one line")
    shape.add_argument("--email", action="store_true", help="an arXiv email digest")
    args = parser.parse_args(argv)
    out = sys.stdout
    if args.json or args.jsonl:
        records = ({"title": t, "abstract": a} for t, a in generate(args.count, args.seed))
        if args.json:
            json.dump(list(records), out, ensure_ascii=False)
        else:
            out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    elif args.lines:
        out.writelines(f"{t} {a}\n" for t, a in generate(args.count, args.seed))
    elif args.email:
        out.write(email_text(args.count, args.seed))
    else:
        out.write(page_text(args.count, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())

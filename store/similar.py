"""Similar papers: "more like this" and the "for you" order, with the words that made them similar.

The model is TF-IDF over the title (counted twice) and the abstract, compared by cosine, the
baseline arxiv-sanity uses. Chosen on the bundled sample labelled by hand
(`tests/eval/sample_topics.tsv`: 31 topics, grouped into 9 areas), and on build and query time
at 10k papers of `tests/benchmarks/gen_corpus.py`, all three in one run:

| candidate                                   | p@5 topics | p@5 areas | build     | like      |
|---------------------------------------------|------------|-----------|-----------|-----------|
| scikit-learn `TfidfVectorizer`, stop words  | 0.50       | 0.66      | 2nd       | 3rd       |
| bm25s (BM25; the whole paper is the query)  | 0.48-0.50  |           | 3rd       | 2nd       |
| this: split and counted in C, stemmed,      | 0.52       | 0.67      | fastest   | fastest   |
|   scikit-learn's TF-IDF weights             |            |           |           |           |

A random pick of 5 scores 0.11 on the topics and 0.25 on the areas. Quality is close to a tie;
what decides is the build time, since 100k papers must build in the background within the
budget of the README's Performance table (`tests/benchmarks/bench_similar.py` times it, and
more like this / for you). Both libraries tokenise in
Python one token at a time; here ASCII text goes through one byte table and `bytes.split`,
`Counter` counts in C, and only the vocabulary (not each token) is stemmed. Stemming (`pruning`,
`pruned`, `prune` are one word) made "for you" better on pruning (0.59 of the top 10 vs 0.51).

What a ranking needs is kept beside the library as `library.similar.npz` (each paper's 96
heaviest terms, float32), keyed by the library's stamp (`Library.stamp`: its own id and the
number of writes it has seen). It is built by a background process
that an import starts for a library of `BACKGROUND_FROM` papers or more (the import does not
wait), else on first use (`ensure`), and loaded only when asked: numpy, scipy and scikit-learn
are imported by the functions here, never by `store` itself.

Where the parts live: the words (tokenising, stemming, highlighting) in `similar_words`, the
TF-IDF build in `similar_build`, the file beside the library in `similar_file`; here the index
that answers "more like this" and "for you", and when it is built (`ensure`, in the background).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papertray.store.similar_build import build_vectors
from papertray.store.similar_file import (
    INDEX_FILE,
    build_lock,
    index_path,
    is_current,
    read_index,
    write_index,
)
from papertray.store.similar_words import word_spans, written_form

if TYPE_CHECKING:
    from papertray.store.library import Library
    from papertray.store.models import Paper, PaperState

__all__ = [
    "INDEX_FILE",
    "Match",
    "SimilarityIndex",
    "build_in_background",
    "ensure",
    "for_you_order",
    "for_you_seeds",
    "shown_terms",
    "word_spans",
]
BACKGROUND_FROM = 5_000
"""`papertray import` builds the index in a background process from this many papers up: below
it, building on first use is quick (most of it importing numpy, scipy and scikit-learn), and
small libraries (tests, the sample) start no process."""
SHARED_TERMS = 3


@dataclass(frozen=True, slots=True)
class Match:
    """A paper ranked by similarity: its id, the cosine score, and the words it shares with what
    it was compared to, heaviest first (folded forms of `terms`; see `SimilarityIndex.why`)."""

    id: str
    score: float
    shared: tuple[str, ...] = ()


class SimilarityIndex:
    """Each paper's TF-IDF vector (L2-normalised rows of a sparse matrix), the terms (stems) of
    its columns and every folded word form of each term."""

    def __init__(
        self, ids: list[str], matrix: Any, terms: list[str], forms: list[str], stamp: list[int]
    ) -> None:
        self.ids = ids
        self.matrix = matrix
        self.terms = terms
        self.forms = forms
        """Per term, its folded word forms separated by spaces, the most frequent first."""
        self.stamp = stamp
        self.row = {pid: i for i, pid in enumerate(ids)}

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, pid: object) -> bool:
        return pid in self.row

    # -- building --------------------------------------------------------------------------

    @classmethod
    def build(cls, papers: Iterable[Paper], stamp: Sequence[int] = ()) -> SimilarityIndex:
        """The index of `papers` (see `similar_build`); `stamp` names the library state."""
        ids, matrix, terms, forms = build_vectors(papers)
        return cls(ids, matrix, terms, forms, list(stamp))

    # -- files -----------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write atomically (temp file, rename): a reader never sees half a file."""
        write_index(path, self.ids, self.matrix, self.terms, self.forms, self.stamp)

    @classmethod
    def load(cls, path: Path, stamp: Sequence[int] | None = None) -> SimilarityIndex | None:
        """The index in `path`, or None when there is none, it is damaged or of another version,
        or (given `stamp`) it was built from another state of the library."""
        found = read_index(path, stamp)
        return None if found is None else cls(*found)

    # -- asking ----------------------------------------------------------------------------

    def similar(
        self, pid: str, n: int = 10, leave_out: Callable[[str], bool] | None = None
    ) -> list[Match]:
        """The `n` papers most like `pid`, best first (not `pid` itself; none if it is not
        indexed). Papers sharing no term are never listed, nor those `leave_out` names (see
        `rank`)."""
        row = self.row.get(pid)
        if row is None:
            return []
        vec = self._vector([row])
        return self._ranked(vec, None, n, exclude={row}, explain=True, leave_out=leave_out)

    def rank(
        self,
        seeds: Iterable[str],
        candidates: Iterable[str] | None = None,
        n: int | None = None,
        *,
        explain: bool = False,
        leave_out: Callable[[str], bool] | None = None,
    ) -> list[Match]:
        """`candidates` (default: every paper) ranked by similarity to the `seeds` taken
        together (the mean of their vectors), best first; seeds themselves are left out.
        Candidates sharing nothing with the seeds are not listed. `explain` fills each
        match's `shared` (a cost per paper: ask `why` for the one on screen instead).

        `leave_out(id)` True drops a paper (a muted one) and the next takes its place, so `n`
        are still listed when there are. It is asked in rank order and only until `n` are
        kept, so the papers it dropped are those that would have been listed."""
        rows = [self.row[pid] for pid in dict.fromkeys(seeds) if pid in self.row]
        if not rows:
            return []
        among = None
        if candidates is not None:
            among = [self.row[pid] for pid in candidates if pid in self.row]
        vec = self._vector(rows)
        return self._ranked(vec, among, n, set(rows), explain=explain, leave_out=leave_out)

    def order(self, seeds: Iterable[str], candidates: Sequence[str]) -> list[int] | None:
        """Positions in `candidates`, most similar to the seeds first; candidates sharing
        nothing (or not indexed) keep their order after those. None when no seed is indexed.
        All in numpy: a Match object per candidate would cost many times more."""
        import numpy as np

        rows = [self.row[pid] for pid in dict.fromkeys(seeds) if pid in self.row]
        if not rows:
            return None
        scores = self.matrix @ self._vector(rows)
        where = np.fromiter(
            (self.row.get(pid, -1) for pid in candidates), dtype=np.int64, count=len(candidates)
        )
        known = where >= 0
        mine = np.zeros(len(candidates), dtype=np.float32)
        mine[known] = scores[where[known]]
        return np.argsort(-mine, kind="stable").tolist()

    def why(self, seeds: Iterable[str], pid: str, k: int = SHARED_TERMS) -> tuple[str, ...]:
        """The `k` terms (named by their commonest form) that add most to `pid`'s similarity
        to the seeds."""
        rows = [self.row[s] for s in dict.fromkeys(seeds) if s in self.row]
        row = self.row.get(pid)
        if not rows or row is None:
            return ()
        return self._shared(self._vector(rows), row, k)

    # -- the facade's names for the functions below ------------------------------------------

    @classmethod
    def open(cls, library: Library) -> SimilarityIndex:
        """The index of `library`, loaded or built (seconds at 100k: call it from a worker)."""
        return ensure(library)

    @staticmethod
    def seeds(states: Mapping[str, PaperState], tags: Sequence[str] = ()) -> tuple[list[str], str]:
        return for_you_seeds(states, tags)

    def for_you(
        self, papers: Sequence[Paper], states: Mapping[str, PaperState], seeds: Sequence[str]
    ) -> list[int] | None:
        return for_you_order(self, papers, states, seeds)

    def spans(self, text: str, shared: Iterable[str]) -> list[tuple[int, int]]:
        """Where the words of the `shared` terms (any form) are in `text`: for highlighting."""
        return word_spans(text, self.forms_of(shared))

    def written(self, paper: Paper, shared: Iterable[str]) -> list[str]:
        return shown_terms(paper, shared, self)

    def forms_of(self, shared: Iterable[str]) -> list[str]:
        """Every folded word form of the terms named in `shared` (what to highlight)."""
        wanted = set(shared)
        return [f for t, forms in zip(self.terms, self.forms, strict=True) if t in wanted
                for f in forms.split(" ")]  # fmt: skip

    def _vector(self, rows: list[int]) -> Any:
        import numpy as np

        vec = np.asarray(self.matrix[rows].sum(axis=0), dtype=np.float32).ravel()
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    def _ranked(
        self,
        vec: Any,
        among: list[int] | None,
        n: int | None,
        exclude: set[int],
        *,
        explain: bool,
        leave_out: Callable[[str], bool] | None = None,
    ) -> list[Match]:
        import numpy as np

        scores = self.matrix @ vec  # sparse matrix x dense vector: O(stored terms), ~1 pass
        if among is not None:
            pool = np.asarray([r for r in dict.fromkeys(among) if r not in exclude], dtype=np.int64)
        else:
            pool = np.arange(len(self.ids))
            if exclude:
                pool = np.delete(pool, sorted(exclude))
        if not len(pool):
            return []
        sub = scores[pool]
        ids = self.ids
        kept: list[tuple[int, float]] = []
        # With papers to leave out, the window of best papers doubles until `n` are kept: a
        # few muted neighbours cost one more partition, never a sort of the whole pool.
        window = n if n is None or leave_out is None else 2 * n + 8
        seen: set[int] = set()  # rows already kept or left out (a wider window repeats them)
        while True:
            if window is not None and window < len(pool):
                part = np.argpartition(-sub, window)[:window]
                order = part[np.argsort(-sub[part], kind="stable")]
            else:
                order = np.argsort(-sub, kind="stable")
            ranked, scores_of = pool[order].tolist(), sub[order].tolist()
            # Scores are >= 0: the first zero ends the papers that share anything.
            cut = next((i for i, v in enumerate(scores_of) if v <= 0), len(scores_of))
            for r, v in zip(ranked[:cut], scores_of[:cut], strict=True):
                if n is not None and len(kept) == n:
                    break
                if r in seen:
                    continue
                seen.add(r)
                if leave_out is None or not leave_out(ids[r]):
                    kept.append((r, v))
            full = n is not None and len(kept) == n
            if full or cut < len(ranked) or window is None or window >= len(pool):
                break
            window *= 2
        if not explain:
            return [Match(ids[r], v) for r, v in kept]
        return [Match(ids[r], v, self._shared(vec, r, SHARED_TERMS)) for r, v in kept]

    def _shared(self, vec: Any, row: int, k: int) -> tuple[str, ...]:
        import numpy as np

        start, end = self.matrix.indptr[row], self.matrix.indptr[row + 1]
        cols = self.matrix.indices[start:end]
        weight = self.matrix.data[start:end] * vec[cols]
        best = np.argsort(-weight, kind="stable")[:k]
        return tuple(self.terms[cols[i]] for i in best if weight[i] > 0)


# -- the index beside a library ------------------------------------------------------------------


def ensure(library: Library) -> SimilarityIndex:
    """The library's similarity index: loaded from beside the library when it was built from
    the library as it is now, else built (and saved when the folder can be written)."""
    target = index_path(library)
    if target is None or library.path is None:
        return SimilarityIndex.build(library.stream())
    with build_lock(target.parent):
        stamp = library.stamp()
        found = SimilarityIndex.load(target, stamp)
        if found is not None:
            return found
        index = SimilarityIndex.build(library.stream(), library.stamp())
        if not library.read_only and index.stamp == stamp:
            with contextlib.suppress(OSError):
                index.save(target)
        return index


def build_in_background(library: Library) -> bool:
    """After an import that changed a big library, start a process that builds its index, so
    the first "more like this" finds it ready. The import does not wait: starting the process
    costs milliseconds. Returns whether one was started."""
    if library.path is None or library.read_only or len(library) < BACKGROUND_FROM:
        return False
    target = index_path(library)
    if target is None or is_current(target, library.stamp()):
        return False
    import subprocess

    try:
        subprocess.Popen(
            [sys.executable, "-m", "papertray.store.similar", str(library.path.parent)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a ctrl+c in the terminal does not stop it
            close_fds=True,
        )
    except OSError:
        return False  # built on first use instead
    return True


def for_you_seeds(
    states: Mapping[str, PaperState], tags: Sequence[str] = ()
) -> tuple[list[str], str]:
    """The papers "for you" compares with, and what they are (for a message): with `tags` (the
    tags a `tag:` filter asks for) the papers carrying one of them, else the starred papers."""
    if tags:
        wanted = {t.casefold() for t in tags}
        seeds = [pid for pid, st in states.items() if any(t.casefold() in wanted for t in st.tags)]
        return seeds, "papers tagged " + ", ".join(sorted(wanted))
    return [pid for pid, st in states.items() if st.starred], "starred papers"


def for_you_order(
    index: SimilarityIndex,
    papers: Sequence[Paper],
    states: Mapping[str, PaperState],
    seeds: Sequence[str],
) -> list[int] | None:
    """The "for you" order of `papers`, as positions: unread papers that are not seeds, most
    like the seeds first; then every other paper in its given order. None without seeds."""
    from papertray.store.models import UNTOUCHED

    seed_set = set(seeds)
    unread = [
        i for i, p in enumerate(papers)
        if p.id not in seed_set and not states.get(p.id, UNTOUCHED).read
    ]  # fmt: skip
    ranked = index.order(seeds, [papers[i].id for i in unread])
    if ranked is None:
        return None
    first = [unread[i] for i in ranked]
    taken = set(first)
    return first + [i for i in range(len(papers)) if i not in taken]


def shown_terms(paper: Paper, shared: Iterable[str], index: SimilarityIndex) -> list[str]:
    """The shared terms as this paper writes them (`LLM`, not `llm`), in the order given."""
    out: list[str] = []
    for term in shared:
        forms = set(index.forms_of([term]))
        out.append(written_form(f"{paper.title} {paper.abstract}", forms, term))
    return out


def _main(argv: list[str]) -> int:
    """`python -m papertray.store.similar DATA_DIR`: build the index (the background build)."""
    from papertray.store.library import Library

    if len(argv) != 1:
        print("usage: python -m papertray.store.similar DATA_DIR", file=sys.stderr)
        return 2
    if hasattr(os, "nice"):  # POSIX; on Windows the build runs at normal priority
        with contextlib.suppress(OSError):
            os.nice(10)  # background work: the reader and the shell come first
    library = Library.open(Path(argv[0]))
    ensure(library)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))

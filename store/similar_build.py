"""Building the TF-IDF vectors of a library: what `SimilarityIndex.build` runs.

Every step per word runs in C (the split, `Counter`, the ids of distinct words); counts go into
typed arrays (8 bytes a pair against a Python int's ~30 each in a list); only the vocabulary
is stemmed, not the tokens (a library has some 50 tokens for each distinct word). Its time is
in the README's Performance table (`tests/benchmarks/bench_similar.py`). numpy,
scipy and scikit-learn are imported inside the functions, never by `store` itself.
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import count
from typing import TYPE_CHECKING, Any

from papertray.store.similar_words import paper_words, stem

if TYPE_CHECKING:
    from papertray.store.models import Paper

__all__ = ["TERMS_PER_PAPER", "build_vectors", "top_terms"]

TERMS_PER_PAPER = 96
"""The heaviest terms kept per paper, to bound the file and the memory of a loaded index. On the
sample, precision@5 (9 areas) is 0.62 with 64 terms, 0.67 with 96, 128 or all."""


def build_vectors(papers: Iterable[Paper]) -> tuple[list[str], Any, list[str], list[str]]:
    """The papers' ids, their L2-normalised TF-IDF rows (a float32 CSR matrix, at most
    `TERMS_PER_PAPER` terms a row), the terms (stems) of its columns, and per term its folded
    word forms separated by spaces, the most frequent first. Terms in one paper only are dropped."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfTransformer

    # ASCII words are bytes, others str: both become str (and merge) when stemmed below.
    vocab: defaultdict[bytes | str, int] = defaultdict(count().__next__)
    word_id = vocab.__getitem__
    ids: list[str] = []
    # Typed arrays, not lists: 100k papers hold ~10M (word, count) pairs, several times smaller
    # as arrays than as lists of Python ints. (`fromlist` is faster than `extend`.)
    indptr = array("q", [0])
    indices = array("i")
    data = array("i")
    for paper in papers:
        # Every step per word runs in C: the split, the Counter, the ids of distinct words.
        counts: Counter[bytes | str] = Counter(paper_words(paper))
        indices.fromlist(list(map(word_id, counts)))
        data.fromlist(list(counts.values()))
        indptr.append(len(indices))
        ids.append(paper.id)
    words = [w.decode("ascii") if isinstance(w, bytes) else w for w in vocab]
    n, v = len(ids), len(words)
    if not n or not v:
        empty = sp.csr_matrix((n, 0), dtype=np.float32)
        return ids, empty, [], []
    raw = sp.csr_matrix(
        (
            np.frombuffer(data, dtype=np.int32).astype(np.float32),
            np.frombuffer(indices, dtype=np.int32),
            np.frombuffer(indptr, dtype=np.int64),
        ),
        shape=(n, v),
    )
    del indices, data
    # Stem the vocabulary, not the tokens: 100k papers hold ~15M tokens, ~0.3M words.
    stems: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, word in enumerate(words):
        if len(word) < 2 or not word[0].isalpha() or word in ENGLISH_STOP_WORDS:
            continue
        rows.append(i)
        cols.append(stems.setdefault(stem(word), len(stems)))
    merge = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(v, len(stems))
    )
    stem_counts = (raw @ merge).tocsr()
    # A term in one paper only makes no paper similar to another: dropped.
    df = np.bincount(stem_counts.indices, minlength=len(stems))
    keep = np.flatnonzero(df >= 2)
    if not len(keep):  # no two papers share a word
        return ids, sp.csr_matrix((n, 0), dtype=np.float32), [], []
    stem_counts = stem_counts[:, keep]
    matrix = TfidfTransformer(sublinear_tf=True).fit_transform(stem_counts).astype(np.float32)
    matrix = top_terms(matrix.tocsr(), TERMS_PER_PAPER)
    # Word forms of each kept term, the most frequent first (it names the term).
    freq = np.asarray(raw.sum(axis=0)).ravel()
    new_col = np.full(len(stems), -1, dtype=np.int64)
    new_col[keep] = np.arange(len(keep))
    by_term: list[list[tuple[float, str]]] = [[] for _ in range(len(keep))]
    for i, col in zip(rows, cols, strict=True):
        kept = new_col[col]
        if kept >= 0:
            by_term[kept].append((-freq[i], words[i]))
    forms = [" ".join(w for _f, w in sorted(group)) for group in by_term]
    terms = [group.split(" ", 1)[0] for group in forms]
    return ids, matrix, terms, forms


def top_terms(matrix: Any, k: int) -> Any:
    """Keep the `k` heaviest entries of each row and scale rows back to unit length. In numpy,
    one sort for the whole matrix (a loop over 100k rows would take seconds)."""
    import numpy as np
    import scipy.sparse as sp

    n = matrix.shape[0]
    lengths = np.diff(matrix.indptr)
    if not len(lengths) or lengths.max() <= k:
        return matrix
    rows = np.repeat(np.arange(n), lengths)
    # By row, heaviest first within a row: weights are in (0, 1], so one float key sorts both
    # (faster than np.lexsort on the two).
    order = np.argsort(rows + (1.0 - matrix.data.astype(np.float64)) * 0.5, kind="stable")
    place = np.arange(len(order)) - np.repeat(matrix.indptr[:-1], lengths)
    kept = order[place < k]
    rows, cols, data = rows[kept], matrix.indices[kept], matrix.data[kept]
    norms = np.sqrt(np.bincount(rows, weights=data.astype(np.float64) ** 2, minlength=n))
    data = (data / np.where(norms > 0, norms, 1.0)[rows]).astype(np.float32)
    out = sp.csr_matrix((data, (rows, cols)), shape=matrix.shape)
    out.sort_indices()
    return out

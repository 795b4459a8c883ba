"""How text becomes words: the one rule the word index (SQLite FTS5) and the Python matcher share.

Search follows notmuch (`notmuch-search-terms(7)`, Xapian's QueryParser): a lowercase word
matches the words with the same stem (`transformer` finds "Transformers" and "transformation"),
a capitalised word or a quoted phrase matches the words as written (`RAG` finds "RAG-based",
not "ragged"), `word*` is a prefix; always case- and accent-insensitive.

- `fold(text)`: what the index is given: NFKC, case-folded (ß → ss, ﬁ → fi, final ς → σ) and
  without accents (é → e, ά → α). Folded here rather than by FTS5's `remove_diacritics`, whose
  table is its own (it maps ø to o, Python's decomposition does not): one definition, in one
  place, on both sides. ASCII text is given as it is (the tokenizer lowercases it, and most
  abstracts need no copy).
- `tokens(text)`: the words FTS5's `unicode61` tokenizer sees (letters and digits of any
  script; everything else separates), folded, with where each lies in `text` (for highlights).
- `stem(word)`: Snowball's English stemmer (as Xapian and notmuch use), plus one rule of this
  field: an acronym's plural (`LLMs`, `CNNs`, `VLMs`: no vowel before the `s`) stems to the
  acronym, so `llm` finds "LLMs".

The index holds words unstemmed; `stems` of the library's vocabulary (see `store/library.py`)
lead a stemmed word to the indexed words it stands for.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

__all__ = [
    "TOKENIZER",
    "Token",
    "exact_word",
    "fold",
    "fold_word",
    "stem",
    "stems",
    "token_words",
    "tokens",
]

TOKENIZER = "unicode61 remove_diacritics 0"
"""The FTS5 tokenizer of the word index: `tokens` below must split and fold as it does."""

# A word: letters and digits of any script (Unicode L* and N*, as unicode61's default
# categories), never the underscore that `\w` also takes.
_WORD = re.compile(r"[^\W_]+")
_VOWELS = frozenset("aeiouy")


def fold(text: str) -> str:
    """The text as the word index is given it (see the module docstring)."""
    if text.isascii():
        return text
    return _NON_ASCII.sub(_fold_char, text)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_FOLDED: dict[str, str] = {}
"""Each non-ASCII character met, folded: abstracts hold few of them, from a small set, so a
character is folded once and then looked up, not once per occurrence."""


def _fold_char(match: re.Match[str]) -> str:
    char = match.group()
    folded = _FOLDED.get(char)
    if folded is None:
        decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", char).casefold())
        bare = "".join(c for c in decomposed if not unicodedata.combining(c))
        folded = _FOLDED[char] = unicodedata.normalize("NFC", bare)
    return folded


@lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    """One word as the index holds it (`fold`, and lowercase)."""
    return word.lower() if word.isascii() else fold(word).lower()


Token = tuple[int, int, str]
"""(start, end, word): a word of a text, where it lies in that text and its folded form."""


def tokens(text: str) -> Iterator[Token]:
    """The words of `text` in order, each with its offsets in `text` and its folded form."""
    for match in _WORD.finditer(text):
        word = match.group()
        folded = fold_word(word)
        if folded:
            yield match.start(), match.end(), folded


def token_words(text: str) -> list[str]:
    """The folded words of `text` (`tokens` without the offsets)."""
    if text.isascii():
        return _WORD.findall(text.lower())
    return [word for _start, _end, word in tokens(fold(text))]


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer  # PyStemmer: Snowball in C, many times the pure-Python stemmer's speed

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The stem of one folded word (see the module docstring)."""
    if len(word) > 3 and word[-1] == "s" and word[-2] != "s" and not _VOWELS.intersection(word):
        word = word[:-1]  # llms -> llm, cnns -> cnn (no vowel: an acronym's plural)
    return str(_stemmer().stemWord(word))


def stems(words: Iterable[str]) -> list[str]:
    """`[stem(w) for w in words]` for many words (a library's new vocabulary): one call to the
    stemmer, no cache."""
    words = [
        w[:-1] if len(w) > 3 and w[-1] == "s" and w[-2] != "s" and not _VOWELS.intersection(w)
        else w
        for w in words
    ]  # fmt: skip
    return list(_stemmer().stemWords(words))


def exact_word(word: str) -> bool:
    """Whether a word typed in a query is matched as written: it starts with a capital letter
    (`RAG`, `LoRA`, `Transformer`), as notmuch and Xapian do. Other words are stemmed."""
    return word[:1].isupper()

"""Fast paths added for speed must give exactly what the general code gives."""

from __future__ import annotations

import re
import string
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from papertray.store.models import paper_id, title_key

_NON_WORD = re.compile(r"[\W_]+")


def reference_title_key(title: str) -> str:
    """The definition: NFKC, case-folded, runs of non-word characters (and _) to one space."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(_NON_WORD.sub(" ", folded).split())


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_title_key_ascii_fast_path_matches_the_definition(title: str) -> None:
    assert title_key(title) == reference_title_key(title)


@given(st.text())
def test_title_key_any_text_matches_the_definition(title: str) -> None:
    assert title_key(title) == reference_title_key(title)


def test_title_key_examples() -> None:
    assert title_key("  LoRA_v2: Low-Rank\tAdaptation!! ") == "lora v2 low rank adaptation"
    assert title_key(string.punctuation) == ""
    assert title_key("Ｆｕｌｌ-width ＳＴＲＡßE") == "full width strasse"
    # The same paper with other spacing and case gets the same id.
    assert paper_id(title="Mesa: memory-saving") == paper_id(title="mesa  MEMORY saving")

"""arXiv's categories, to refuse a misspelt one (`fetch arxiv cs.XX`) with the nearest real one
instead of asking arXiv for a feed that does not exist.

The list is arXiv's category taxonomy (https://arxiv.org/category_taxonomy), as arXiv's own code
defines it: `arxiv/taxonomy/definitions.py` of github.com/arXiv/arxiv-base, its `CATEGORIES`
marked active (aliases such as `cs.NA`/`math.NA` included, since arXiv announces under both)
and its `ARCHIVES` without an end date (a whole archive, `cs` or `hep-th`, is a feed of its
own). arXiv adds a category rarely, and announces it: add it here then.
"""

from __future__ import annotations

import os
from difflib import SequenceMatcher

__all__ = ["ARCHIVES", "CATEGORIES", "category_problem", "nearest_category"]

ARCHIVES = (
    "astro-ph", "cond-mat", "cs", "econ", "eess", "gr-qc", "hep-ex", "hep-lat", "hep-ph",
    "hep-th", "math", "math-ph", "nlin", "nucl-ex", "nucl-th", "physics", "q-bio", "q-fin",
    "quant-ph", "stat",
)  # fmt: skip

CATEGORIES = (
    # Computer Science
    "cs.AI", "cs.AR", "cs.CC", "cs.CE", "cs.CG", "cs.CL", "cs.CR", "cs.CV", "cs.CY", "cs.DB",
    "cs.DC", "cs.DL", "cs.DM", "cs.DS", "cs.ET", "cs.FL", "cs.GL", "cs.GR", "cs.GT", "cs.HC",
    "cs.IR", "cs.IT", "cs.LG", "cs.LO", "cs.MA", "cs.MM", "cs.MS", "cs.NA", "cs.NE", "cs.NI",
    "cs.OH", "cs.OS", "cs.PF", "cs.PL", "cs.RO", "cs.SC", "cs.SD", "cs.SE", "cs.SI", "cs.SY",
    # Economics; Electrical Engineering and Systems Science
    "econ.EM", "econ.GN", "econ.TH", "eess.AS", "eess.IV", "eess.SP", "eess.SY",
    # Mathematics
    "math.AC", "math.AG", "math.AP", "math.AT", "math.CA", "math.CO", "math.CT", "math.CV",
    "math.DG", "math.DS", "math.FA", "math.GM", "math.GN", "math.GR", "math.GT", "math.HO",
    "math.IT", "math.KT", "math.LO", "math.MG", "math.MP", "math.NA", "math.NT", "math.OA",
    "math.OC", "math.PR", "math.QA", "math.RA", "math.RT", "math.SG", "math.SP", "math.ST",
    # Physics
    "astro-ph.CO", "astro-ph.EP", "astro-ph.GA", "astro-ph.HE", "astro-ph.IM", "astro-ph.SR",
    "cond-mat.dis-nn", "cond-mat.mes-hall", "cond-mat.mtrl-sci", "cond-mat.other",
    "cond-mat.quant-gas", "cond-mat.soft", "cond-mat.stat-mech", "cond-mat.str-el",
    "cond-mat.supr-con", "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math-ph",
    "nlin.AO", "nlin.CD", "nlin.CG", "nlin.PS", "nlin.SI", "nucl-ex", "nucl-th",
    "physics.acc-ph", "physics.ao-ph", "physics.app-ph", "physics.atm-clus", "physics.atom-ph",
    "physics.bio-ph", "physics.chem-ph", "physics.class-ph", "physics.comp-ph",
    "physics.data-an", "physics.ed-ph", "physics.flu-dyn", "physics.gen-ph", "physics.geo-ph",
    "physics.hist-ph", "physics.ins-det", "physics.med-ph", "physics.optics",
    "physics.plasm-ph", "physics.pop-ph", "physics.soc-ph", "physics.space-ph", "quant-ph",
    # Quantitative Biology; Quantitative Finance; Statistics
    "q-bio.BM", "q-bio.CB", "q-bio.GN", "q-bio.MN", "q-bio.NC", "q-bio.OT", "q-bio.PE",
    "q-bio.QM", "q-bio.SC", "q-bio.TO", "q-fin.CP", "q-fin.EC", "q-fin.GN", "q-fin.MF",
    "q-fin.PM", "q-fin.PR", "q-fin.RM", "q-fin.ST", "q-fin.TR", "stat.AP", "stat.CO", "stat.ME",
    "stat.ML", "stat.OT", "stat.TH",
)  # fmt: skip

_KNOWN = tuple(dict.fromkeys((*CATEGORIES, *ARCHIVES)))
_EXACT = frozenset(_KNOWN)
_FOLDED = {name.casefold(): name for name in _KNOWN}


def nearest_category(name: str) -> str:
    """The real category or archive nearest to `name`: the same one written in another case,
    else the most alike (difflib's ratio; of two as alike, the one `name` starts with more of,
    then the first in arXiv's order)."""
    folded = name.strip().casefold()
    if folded in _FOLDED:
        return _FOLDED[folded]
    matcher = SequenceMatcher(b=folded, autojunk=False)
    best, best_score = _KNOWN[0], (-1.0, 0)
    for known in _KNOWN:
        lowered = known.casefold()
        matcher.set_seq1(lowered)
        score = (matcher.ratio(), len(os.path.commonprefix([lowered, folded])))
        if score > best_score:
            best, best_score = known, score
    return best


def category_problem(name: str) -> str | None:
    """None for a category or archive arXiv announces under, else why not, with the nearest
    real one: `not an arXiv category (did you mean cs.CL?)`."""
    if name in _EXACT:
        return None
    return f"not an arXiv category (did you mean {nearest_category(name)}?)"

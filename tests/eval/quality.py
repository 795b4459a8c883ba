"""Quality of "more like this" and "for you" on the bundled sample, against hand-made labels.

`python tests/eval/quality.py` prints the figures the README quotes; tests/test_similar.py
checks they stay above the floor measured when the feature was built.

- precision@5: for each paper, the share of its 5 most similar papers that share a topic with
  it, averaged over the 101 papers. Reported on the 31 fine topics of `sample_topics.tsv` and on
  the 9 broad areas they group into (`AREAS`); a random pick of 5 is given beside each.
- for you: star 3 papers of a topic with at least 10 papers in the sample, rank the rest, count
  how many of the top 10 share the topic. Reported for the first 3 in digest order and averaged
  over 30 random triples (fixed seed), with how often at least half of the topic's remaining
  papers are in the top 10 (the issue's bar).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from papertray.store.ingest import ingest_file
from papertray.store.paths import sample_digest
from papertray.store.similar import SimilarityIndex

LABELS = Path(__file__).resolve().parent / "sample_topics.tsv"

# The fine topics grouped into broad areas (the granularity at which a random pick of 5 scores
# about 0.3, as the issue assumes).
AREAS = {
    "quantization": "compression", "pruning": "compression", "distillation": "compression",
    "compression": "compression", "token-reduction": "compression",
    "llm-inference": "llm-systems", "training": "llm-systems",
    "mixture-of-experts": "llm-systems", "efficient-attention": "llm-systems",
    "cloud-systems": "llm-systems", "kernels": "llm-systems", "compilers": "llm-systems",
    "diffusion": "generative", "efficient-vision": "vision", "architecture": "vision",
    "on-device": "edge",
    "scaling-laws": "llm-methods", "llm-data": "llm-methods", "fine-tuning": "llm-methods",
    "llm-evaluation": "llm-methods", "code": "llm-methods", "agents": "llm-methods",
    "retrieval": "retrieval", "recommendation": "retrieval",
    "reinforcement-learning": "search-rl", "algorithms": "search-rl",
    "architecture-search": "search-rl", "active-learning": "search-rl",
    "scientific-ml": "other", "interpretability": "other", "quantum-computing": "other",
}  # fmt: skip


def labels() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        pid, topics, _title = line.split("\t")
        out[pid] = set(topics.split())
    return out


def areas(topics: dict[str, set[str]]) -> dict[str, set[str]]:
    return {pid: {AREAS[t] for t in ts} for pid, ts in topics.items()}


def sample_index() -> SimilarityIndex:
    return SimilarityIndex.build(ingest_file(sample_digest()).papers)


def precision_at_5(index: SimilarityIndex, topics: dict[str, set[str]]) -> float:
    total = 0.0
    for pid in index.ids:
        top = [m.id for m in index.similar(pid, 5)]
        total += sum(bool(topics[pid] & topics[o]) for o in top) / 5
    return total / len(index.ids)


def random_precision_at_5(topics: dict[str, set[str]], trials: int = 50) -> float:
    rng = random.Random(0)
    ids = list(topics)
    total = 0.0
    for pid in ids:
        others = [o for o in ids if o != pid]
        for _ in range(trials):
            total += sum(bool(topics[pid] & topics[o]) for o in rng.sample(others, 5)) / 5
    return total / (len(ids) * trials)


def for_you_hits(index: SimilarityIndex, topics: dict[str, set[str]], stars: list[str],
                 topic: str) -> int:  # fmt: skip
    """Of the top 10 after starring `stars` (nothing read), how many are of `topic`."""
    top = index.rank(stars, n=10)
    return sum(topic in topics[m.id] for m in top)


def for_you(index: SimilarityIndex, topics: dict[str, set[str]], topic: str,
            trials: int = 30) -> dict[str, float]:  # fmt: skip
    members = [pid for pid in index.ids if topic in topics[pid]]
    remaining = len(members) - 3
    first = for_you_hits(index, topics, members[:3], topic)
    rng = random.Random(1)
    hits = [for_you_hits(index, topics, rng.sample(members, 3), topic) for _ in range(trials)]
    return {
        "papers": len(members),
        "first3_hits": first,
        "mean_hits": sum(hits) / trials,
        "met": sum(h * 2 >= remaining for h in hits) / trials,
    }


def report() -> str:
    index = sample_index()
    fine = labels()
    broad = areas(fine)
    lines = [
        "| labels | precision@5 | random pick |",
        "|---|---|---|",
        f"| 31 topics | {precision_at_5(index, fine):.2f} | {random_precision_at_5(fine):.2f} |",
        f"| 9 areas | {precision_at_5(index, broad):.2f} | {random_precision_at_5(broad):.2f} |",
        "",
        "| for you: 3 starred of | papers | top 10 of it (first 3 starred) "
        "| mean over 30 random triples | triples meeting the bar |",
        "|---|---|---|---|---|",
    ]
    for topic in sorted({t for ts in fine.values() for t in ts}):
        if sum(topic in ts for ts in fine.values()) < 10:
            continue
        r = for_you(index, fine, topic)
        lines.append(
            f"| {topic} | {r['papers']:.0f} | {r['first3_hits']:.0f} | {r['mean_hits']:.1f} "
            f"| {r['met']:.0%} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(report() + "\n")

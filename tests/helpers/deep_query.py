"""Queries nested as deep as asked, for the tests of the nesting limit (`limits.MAX_QUERY_DEPTH`)
in the parser, the mute rules, the saved searches and the sync folder."""

from __future__ import annotations


def nested(depth: int, inner: str) -> str:
    """`inner` within `depth` parentheses, each a `-(` around an OR or an AND, so the tree is as
    deep as the parentheses allow; an even `depth` matches what `inner` matches."""
    for level in range(depth):
        inner = f"-(-x{level} {inner})" if level % 2 else f"-(x{level} OR {inner})"
    return inner

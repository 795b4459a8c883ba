"""Links: glue stripped, only safe http(s) URLs, code repos recognised."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papertray.store.links import clean_url, extract_links, is_code_repo, is_safe_url, order_links


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("https://github.com/ziplab/Mesa.", "https://github.com/ziplab/Mesa"),
        ("http://github.com/czg1225/SlimSAM}.", "http://github.com/czg1225/SlimSAM"),
        ("https://github.com/VinAIResearch/LFM.git.", "https://github.com/VinAIResearch/LFM.git"),
        (
            "https://github.com/MoE-Inf/awesome-moe-inference/.",
            "https://github.com/MoE-Inf/awesome-moe-inference/",
        ),  # noqa: E501
        ("(https://example.org/x)", "https://example.org/x"),
        ("https://example.org/x),", "https://example.org/x"),
        ("https://en.wikipedia.org/wiki/Flow_(math)", "https://en.wikipedia.org/wiki/Flow_(math)"),
        (
            "https://en.wikipedia.org/wiki/Flow_(math)).",
            "https://en.wikipedia.org/wiki/Flow_(math)",
        ),
        ('"https://example.org/a";', "https://example.org/a"),
        ("<https://example.org/a>", "https://example.org/a"),
        ("https://example.org/a]:", "https://example.org/a"),
        ("'https://example.org/a'", "https://example.org/a"),
        ("HTTPS://Example.org/A", "HTTPS://Example.org/A"),
        ("https://example.org:8080/p?q=1#f", "https://example.org:8080/p?q=1#f"),
    ],
)
def test_clean_url_strips_glue(raw: str, clean: str) -> None:
    assert clean_url(raw) == clean


@pytest.mark.parametrize(
    "bad",
    [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,<script>alert(1)</script>",
        "ssh://git@github.com/a/b",
        "ftp://example.org/x",
        "-https://github.com/a/b",
        "--help",
        "https://github.com/a/b\nc",
        "https://exa mple.org/",
        "https://github.com/a\x1b]8;;x/b",
        "https://github.com/a/\u202eb",
        "https://",
        "https:///path",
        "https://.",
        "https://exa",
        "https:github.com/a/b",
        "https://github.com@evil.example/a/b",
        "https://user:pw@example.org/",
        "https://example.org:99999999/",
        "https://[::1",
        "https://ex_ample-.org/",
        "https://" + "a" * 5000 + ".org/",
        "",
    ],
)
def test_unsafe_urls_are_never_links_or_repos(bad: str) -> None:
    assert not is_safe_url(bad)
    assert clean_url(bad) is None
    assert not is_code_repo(bad)
    assert order_links([bad]) == ((), None)
    assert all(is_safe_url(u) for u in extract_links(f"see {bad} now"))


def test_embedded_newline_never_makes_a_repo_of_the_second_half() -> None:
    links = extract_links("code: https://github.com/evil\n/repo and javascript:https")
    assert links == ["https://github.com/evil"]
    assert not is_code_repo(links[0])  # a bare owner is not a repo


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/ziplab/Mesa",
        "http://github.com/czg1225/SlimSAM",
        "https://github.com/X-PLUG/mPLUG-DocOwl/tree/main/TinyChart",
        "https://www.github.com/a/b",
        "https://gitlab.com/group/sub/project",
        "https://codeberg.org/owner/repo",
        "https://bitbucket.org/owner/repo",
        "https://huggingface.co/NexaAIDev/octopus-planning",
    ],
)
def test_code_repos(url: str) -> None:
    assert is_code_repo(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://step-law.github.io/",
        "https://ziplab.github.io/Mesa",
        "https://github.com/ziplab",
        "https://github.com/",
        "https://github.com/topics/llm",
        "https://gist.github.com/a/b",
        "https://gitlab.com/explore/projects",
        "https://huggingface.co/papers/2403.12015",
        "https://huggingface.co/docs/transformers",
        "https://huggingface.co/blog/post",
        "https://huggingface.co/spaces",
        "https://huggingface.co/spaces/gradio",
        "https://huggingface.co/spaces/gradio/hello",  # a demo, not the code
        "https://huggingface.co/datasets/openai/gsm8k",  # data, not code
        "https://huggingface.co/datasets/openai",
        "https://huggingface.co/NexaAIDev",
        "https://github.com.evil.example/a/b",
        "https://www.nexa4ai.com/octo-planner",
    ],
)
def test_not_code_repos(url: str) -> None:
    assert not is_code_repo(url)


def test_extract_links_dedupes_in_order() -> None:
    text = (
        "Project https://proj.example.org/. Code at https://github.com/a/b, "
        "mirror https://github.com/a/b. Weights HTTPS://huggingface.co/o/m; "
        "bad javascript:alert(1) file:///x https:// -https://x.org"
    )
    assert extract_links(text) == [
        "https://proj.example.org/",
        "https://github.com/a/b",
        "HTTPS://huggingface.co/o/m",
        "https://x.org",
    ]


def test_latex_url_wrapper() -> None:
    assert extract_links(r"Code: \url{https://github.com/a/b}.") == ["https://github.com/a/b"]


def test_order_links_puts_first_repo_first() -> None:
    links, repo = order_links(
        [
            "https://proj.example.org/",
            "https://huggingface.co/o/m",
            "https://github.com/a/b",
            "https://proj.example.org/",
            "javascript:alert(1)",
        ]
    )
    assert repo == "https://huggingface.co/o/m"
    assert links == (
        "https://huggingface.co/o/m",
        "https://proj.example.org/",
        "https://github.com/a/b",
    )


@pytest.mark.parametrize(
    ("link", "repo"),
    [
        ("https://github.com/o/r/blob/master/README.md", "https://github.com/o/r"),
        ("https://github.com/X-PLUG/mPLUG-DocOwl/tree/main/TinyChart",
         "https://github.com/X-PLUG/mPLUG-DocOwl"),
        ("https://www.github.com/o/r/issues/3", "https://www.github.com/o/r"),
        ("https://gitlab.com/group/sub/project/-/blob/main/x.py",
         "https://gitlab.com/group/sub/project"),
        ("https://gitlab.com/group/sub/project", "https://gitlab.com/group/sub/project"),
        ("https://huggingface.co/o/m/tree/main", "https://huggingface.co/o/m"),
        ("https://github.com/o/r", "https://github.com/o/r"),
    ],
)  # fmt: skip
def test_repo_is_the_repository_not_a_file_in_it(link: str, repo: str) -> None:
    links, found = order_links(["https://proj.example.org/", link])
    assert found == repo
    assert links[0] == repo
    assert link in links  # the deeper link is kept as a link


def test_datasets_and_spaces_are_links_not_the_repo() -> None:
    links, repo = order_links(
        ["https://huggingface.co/datasets/o/d", "https://huggingface.co/spaces/o/s"]
    )
    assert repo is None
    assert list(links) == [
        "https://huggingface.co/datasets/o/d",
        "https://huggingface.co/spaces/o/s",
    ]
    links, repo = order_links(["https://huggingface.co/datasets/o/d", "https://github.com/o/r"])
    assert repo == "https://github.com/o/r"
    assert list(links) == ["https://github.com/o/r", "https://huggingface.co/datasets/o/d"]


def test_order_links_without_repo() -> None:
    assert order_links(["https://a.org/", "https://b.org/"]) == (
        ("https://a.org/", "https://b.org/"),
        None,
    )


@pytest.mark.timeout(60)  # only catches a hang: a quadratic scan would take hours
def test_huge_text_and_huge_url_do_not_hang() -> None:
    text = "x" * 5_000_000 + " https://" + "a" * 5_000_000 + ".org ::// " * 1000
    links = extract_links(text)
    assert links == []
    assert clean_url("https://a.org/" + ")" * 1_000_000) is None


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_property_extracted_links_are_safe(text: str) -> None:
    for url in extract_links(text):
        assert is_safe_url(url)
        assert clean_url(url) == url


URLISH = st.text(
    alphabet=st.sampled_from("htps:/.-_()[]{}<>\"'ag0 \n\x1b\u202e,;}@?#%"), max_size=40
)


@settings(max_examples=300, deadline=None)
@given(st.builds(lambda a, b: a + "https://" + b, URLISH, URLISH))
def test_property_urlish_text(text: str) -> None:
    for url in extract_links(text):
        assert is_safe_url(url)
    cleaned = clean_url(text)
    assert cleaned is None or is_safe_url(cleaned)
    links, repo = order_links([text, *extract_links(text)])
    assert all(is_safe_url(u) for u in links)
    assert repo is None or (is_code_repo(repo) and links[0] == repo)


def test_a_link_ends_at_every_character_a_url_cannot_hold_unescaped() -> None:
    """Each character below U+0800, and some beyond, after a link: the link runs through the
    printable ASCII characters a URL holds and stops at anything else (whitespace, controls,
    non-ASCII, the quotes and brackets copies wrap links in)."""
    stops = set("<>\"'`{}[]|\\^")
    beyond = [0x2028, 0x202E, 0x3000, 0xFEFF, 0xFF1C, 0x1F600, 0x10FFFF]
    for code in [*range(0x800), *beyond]:
        char = chr(code)
        runs_on = 0x21 <= code <= 0x7E and char not in stops
        found = extract_links(f"https://example.org/a{char}b")
        end = f"a{char}b" if runs_on else "a"
        assert found == [f"https://example.org/{end}"], hex(code)

"""Ingest: the seed's 101 papers, every format, messy copies, hostile and broken inputs."""

from __future__ import annotations

import io
import json
import os
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import papertray.store.formats.page as page_module
from papertray.store.ingest import (
    FORMATS,
    MAX_BYTES,
    IngestError,
    IngestResult,
    ingest_bytes,
    ingest_file,
    ingest_text,
)
from papertray.store.links import is_code_repo, is_safe_url
from papertray.store.models import paper_id, title_key
from papertray.store.sanitize import FORBIDDEN

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = Path(__file__).resolve().parent.parent / "store" / "data" / "sample_digest.txt"

SEED_LINKS = [
    "https://github.com/VinAIResearch/LFM.git",
    "https://github.com/ziplab/Mesa",
    "https://github.com/XianfengWu01/LightGen",
    "https://github.com/bollossom/QSD-Transformer",
    "https://huggingface.co/NexaAIDev/octopus-planning",
    "https://www.nexa4ai.com/octo-planner",
    "https://github.com/anpoc/Language-models-in-medicine",
    "http://github.com/czg1225/SlimSAM",
    "https://github.com/yuhao318/Atomic_Feature_Mimicking",
    "https://github.com/NationalGAILab/HoT",
    "https://github.com/caiyuxuan1120/LLaVA-KD",
    "https://github.com/DD-DuDa/awesome-vit-quantization-acceleration",
    # A link into a repository gives the repository as the repo, and stays a link.
    "https://github.com/X-PLUG/mPLUG-DocOwl",
    "https://github.com/X-PLUG/mPLUG-DocOwl/tree/main/TinyChart",
    "https://github.com/xuanlinli17/large_vlm_distillation_ood",
    "https://github.com/Aitical/CFSR",
    "https://github.com/mit-han-lab/litepose",
    "https://github.com/LaVi-Lab/AIM",
    "https://github.com/microsoft/T-MAC",
    "https://github.com/NexaAI/Awesome-LLMs-on-device",
    "https://www.nexaai.com/models",
    "https://github.com/MoE-Inf/awesome-moe-inference/",
    "https://step-law.github.io/",
    "https://github.com/locuslab/scaling_laws_data_filtering",
    "https://github.com/RulinShao/retrieval-scaling",
    "https://github.com/Floating-LY/HARMONY1",
    "https://github.com/tyler-griggs/melange-release",
    "https://github.com/wyxscir/CFSP",
    "https://github.com/NX-AI/flashrnn",
    "https://github.com/AuroraLHL/OptMATH",
    "https://github.com/agiresearch/AIOS",
    "https://github.com/abbasiReza/super-pipeline",
]

ABSTRACT = (
    "We study a thing at length. It works well in practice and we explain why. "
    "Extensive experiments show gains on many benchmarks across several domains. "
    "Code: https://github.com/a/b."
)


def page(*papers: tuple[str, str], header: bool = True) -> str:
    head = "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
    head += "byAK and the research community\n\nMar 18\n\n"
    return (head if header else "") + "\n\n".join(f"{t}\n\n{a}" for t, a in papers)


# ----------------------------------------------------------------------------- the seed


@pytest.fixture(scope="module")
def seed() -> IngestResult:
    return ingest_file(SEED)


def seed_blocks() -> list[str]:
    return SEED.read_text(encoding="utf-8").split("\n\n")[5:]


def test_seed_gives_101_papers(seed: IngestResult) -> None:
    assert seed.format == "page"
    assert len(seed.papers) == 101
    assert seed.duplicates == 0
    assert seed.warnings == []
    titles = [p.title for p in seed.papers]
    assert len(set(titles)) == 101
    assert len({p.id for p in seed.papers}) == 101
    assert all(p.source == "sample_digest.txt" for p in seed.papers)


def test_seed_titles_and_abstracts_are_exact(seed: IngestResult) -> None:
    blocks = seed_blocks()
    assert [p.title for p in seed.papers] == blocks[0::2]
    # LaTeX pieces read as text; every other character is as in the file.
    latex = {
        "97\\%": "97%", "30\\%": "30%", "0.07\\%": "0.07%", "4.23\\%": "4.23%", "1.8\\%": "1.8%",
        "M\\'elange": "Mélange", "\\model": "model",
    }  # fmt: skip
    expected = blocks[1::2]
    for raw, shown in latex.items():
        assert any(raw in block for block in expected)
        expected = [block.replace(raw, shown) for block in expected]
    assert [p.abstract for p in seed.papers] == expected
    assert any("$100K+" in p.abstract for p in seed.papers)  # a lone $ is money, not math
    first, last = seed.papers[0], seed.papers[-1]
    assert first.title == "Flow Matching in Latent Space"
    assert first.id == paper_id(title="Flow Matching in Latent Space")
    assert first.abstract.startswith("Flow matching is a recent framework to train generative")
    assert first.abstract.endswith(
        "Our code will be available at https://github.com/VinAIResearch/LFM.git."
    )
    assert len(first.abstract) == 1594
    assert last.title == "MonoCoder: Domain-Specific Code Language Model for HPC Codes and Tasks"
    assert last.abstract.endswith(
        "MonoCoder understands HPC code better than state-of-the-art LLMs."
    )
    assert seed.papers[1].title == (
        "LD-Pruner: Efficient Pruning of Latent Diffusion Models using Task-Agnostic Insights"
    )
    assert seed.papers[50].title == "POLCA: Power Oversubscription in LLM Cloud Providers"
    assert seed.papers[50].abstract.startswith("Recent innovation in large language models (LLMs)")
    assert seed.papers[99].title == "Efficient Deep Neural Networks"
    assert any(p.title.startswith("Mélange: Cost Efficient") for p in seed.papers)


def test_seed_links_and_repos(seed: IngestResult) -> None:
    assert [url for p in seed.papers for url in p.links] == SEED_LINKS
    assert sum(1 for p in seed.papers if p.links) == 29
    github = [p.repo for p in seed.papers if p.repo and "github.com/" in p.repo]
    assert len(github) == 27
    by_title = {p.title.split(":")[0]: p for p in seed.papers}
    octo = by_title["Octo-planner"]
    assert octo.repo == "https://huggingface.co/NexaAIDev/octopus-planning"
    assert octo.links == (octo.repo, "https://www.nexa4ai.com/octo-planner")
    assert by_title["Mesa"].repo == "https://github.com/ziplab/Mesa"
    tiny = by_title["TinyChart"]
    assert tiny.repo == "https://github.com/X-PLUG/mPLUG-DocOwl"
    assert list(tiny.links) == [
        tiny.repo,
        "https://github.com/X-PLUG/mPLUG-DocOwl/tree/main/TinyChart",
    ]
    hf_models = [p.repo for p in seed.papers if p.repo and "huggingface.co/" in p.repo]
    assert hf_models == ["https://huggingface.co/NexaAIDev/octopus-planning"]
    step = next(p for p in seed.papers if p.title.startswith("Predictable Scale"))
    assert step.links == ("https://step-law.github.io/",) and step.repo is None
    for p in seed.papers:
        assert all(is_safe_url(u) for u in p.links)
        assert p.repo is None or (is_code_repo(p.repo) and p.links[0] == p.repo)


# ----------------------------------------------------------------------------- messy page copies


def test_crlf_bom_tabs_and_blank_runs() -> None:
    text = page(
        ("  Title\tOne ", ABSTRACT), ("Title Two", "Second  abstract\tis here. It has words.")
    )
    text = "\ufeff" + text.replace("\n\n", "\n\n \n\t\n\n").replace("\n", "\r\n")
    result = ingest_bytes(text.encode("utf-8"))
    assert [p.title for p in result.papers] == ["Title One", "Title Two"]
    assert result.papers[1].abstract == "Second abstract is here. It has words."
    assert result.papers[0].repo == "https://github.com/a/b"


def test_utf8_bom_and_utf16_bom_files(tmp_path: Path) -> None:
    text = page(("Flow 🚀 流匹配", ABSTRACT))
    for name, data in [
        ("u8.txt", b"\xef\xbb\xbf" + text.encode("utf-8")),
        ("u16le.txt", text.encode("utf-16")),
        ("u16be.txt", b"\xfe\xff" + text.encode("utf-16-be")),
        ("u16nobom.txt", text.encode("utf-16-le")),
    ]:
        (tmp_path / name).write_bytes(data)
        result = ingest_file(tmp_path / name)
        assert [p.title for p in result.papers] == ["Flow 🚀 流匹配"], name
        assert result.warnings == [], name


def test_no_header_and_duplicates() -> None:
    result = ingest_text(
        page(("A title", ABSTRACT), ("B title", ABSTRACT), ("A title", ABSTRACT), header=False)
    )
    assert [p.title for p in result.papers] == ["A title", "B title"]
    assert result.duplicates == 1


def test_last_title_cut_off_is_kept_with_a_warning() -> None:
    result = ingest_text(page(("A title", ABSTRACT)) + "\n\nB title cut off\n")
    assert [(p.title, p.abstract) for p in result.papers] == [
        ("A title", ABSTRACT),
        ("B title cut off", ""),
    ]
    assert any("cut off" in w and "B title cut off" in w for w in result.warnings)


def test_title_directly_followed_by_abstract() -> None:
    result = ingest_text(
        "new\nSubscribe\nA title\n" + ABSTRACT + "\n\nB title\nShort abstract here.\n"
    )
    assert [(p.title, p.abstract) for p in result.papers] == [
        ("A title", ABSTRACT),
        ("B title", "Short abstract here."),
    ]


def test_no_blank_lines_at_all() -> None:
    text = "\n".join(["T1", ABSTRACT, "T2", ABSTRACT.replace("thing", "other thing")])
    assert [p.title for p in ingest_text(text).papers] == ["T1", "T2"]


def test_two_titles_in_a_row_mid_file() -> None:
    result = ingest_text(
        page(("A title", ABSTRACT)) + "\n\nLost title\n\n" + "B title\n\n" + ABSTRACT + " More."
    )
    assert [(p.title, bool(p.abstract)) for p in result.papers] == [
        ("A title", True),
        ("Lost title", False),
        ("B title", True),
    ]
    assert any("no abstract" in w and "Lost title" in w for w in result.warnings)


def test_second_paragraph_joins_the_abstract() -> None:
    second = "A second paragraph that is long enough to be prose. " * 4
    result = ingest_text(
        page(("A title", ABSTRACT + "\n\n" + second), ("B title", ABSTRACT + " B."))
    )
    assert [p.title for p in result.papers] == ["A title", "B title"]
    assert result.papers[0].abstract == ABSTRACT + "\n\n" + second.strip()


def test_unknown_header_line_is_skipped_with_a_warning() -> None:
    result = ingest_text("Daily digest of papers\n\n" + page(("A title", ABSTRACT), header=False))
    assert [p.title for p in result.papers] == ["A title"]
    assert any("Daily digest" in w for w in result.warnings)


def test_header_date_with_year_becomes_digest_date() -> None:
    result = ingest_text("new\n\nMar 18, 2024\n\n" + page(("A title", ABSTRACT), header=False))
    assert result.papers[0].digest_date == "2024-03-18"
    assert ingest_text(page(("A title", ABSTRACT))).papers[0].digest_date is None


def test_wrapped_abstract_stays_one_paragraph() -> None:
    wrapped = (
        "Flow matching is a recent framework to train generative\n"
        "models that exhibits strong\nresults on benchmarks."
    )
    result = ingest_text(page(("A title", wrapped)))
    assert result.papers[0].abstract == wrapped.replace("\n", " ")


def test_a_title_ending_with_a_bracket_is_not_json() -> None:
    result = ingest_text("[Re] A reproduction study\n\n" + ABSTRACT)
    assert result.format == "page"
    assert result.papers[0].title == "[Re] A reproduction study"


def test_hostile_controls_are_stripped_emoji_kept() -> None:
    title = "Evil \x1b]52;c;SGVsbG8=\x07title\u202e 🚀 \x1b[2J"
    result = ingest_text(page((title, ABSTRACT + "\x9b31m\x00")))
    paper = result.papers[0]
    assert not (set(paper.title + paper.abstract) & FORBIDDEN)
    assert "🚀" in paper.title


def test_hundred_thousand_copies_of_one_paper() -> None:
    text = "\n\n".join(["One title", ABSTRACT] * 100_000)
    result = ingest_text(text)
    assert len(result.papers) == 1
    assert result.duplicates == 99_999


# Not a speed assertion: the timeout only catches a hang (catastrophic backtracking takes hours).
@pytest.mark.timeout(60)
def test_huge_abstract_and_title_do_not_hang() -> None:
    abstract = "word " * 2_000_000 + "https://github.com/a/b."
    title = "T" * 1_000_000
    result = ingest_text(f"{title}\n\n{abstract}")
    as_json = ingest_text(json.dumps([{"title": title, "abstract": abstract}]))
    for r in (result, as_json):
        assert r.papers[0].title == title
        assert r.papers[0].abstract == abstract
        assert r.papers[0].repo == "https://github.com/a/b"


# ----------------------------------------------------------------------------- JSON, JSONL, HF API


def test_json_list_with_every_key_variant() -> None:
    records = [
        {
            "title": "Alpha",
            "abstract": "A.",
            "authors": ["Ann", " Bob "],
            "id": "arXiv:2403.12015v2",
        },
        {
            "title": "Beta",
            "summary": "B. https://github.com/o/r)",
            "authors": [{"name": "Cy"}, {"x": 1}],
        },
        {
            "title": "Gamma",
            "abstract": "C.",
            "authors": "Dee, Eve ,",
            "url": "https://arxiv.org/pdf/2402.17764v1.pdf",
        },
        {
            "title": "Delta",
            "abstract": "D.",
            "arxiv_id": "hep-th/9901001v3",
            "published": "2024-03-18T10:00:00Z",
        },
        {"title": "  ", "abstract": "no title"},
        "not an object",
    ]
    result = ingest_text(json.dumps(records), source="feed.json")
    assert result.format == "json"
    alpha, beta, gamma, delta = result.papers
    assert (alpha.id, alpha.arxiv_id, alpha.authors) == (
        "arxiv:2403.12015",
        "2403.12015",
        ("Ann", "Bob"),
    )
    assert (beta.id, beta.abstract, beta.authors) == (
        paper_id(title="Beta"),
        "B. https://github.com/o/r)",
        ("Cy",),
    )
    assert beta.repo == "https://github.com/o/r" and beta.arxiv_id is None
    assert (gamma.arxiv_id, gamma.authors) == ("2402.17764", ("Dee", "Eve"))
    assert "https://arxiv.org/pdf/2402.17764v1.pdf" in gamma.links
    assert (delta.id, delta.published) == ("arxiv:hep-th/9901001", "2024-03-18")
    assert all(p.source == "feed.json" for p in result.papers)
    assert any("skipped 2" in w for w in result.warnings)


def test_json_papers_object_and_jsonl() -> None:
    records = [{"title": "Alpha", "abstract": "A."}, {"title": "Beta", "abstract": "B."}]
    wrapped = ingest_text(json.dumps({"papers": records}))
    assert wrapped.format == "json" and [p.title for p in wrapped.papers] == ["Alpha", "Beta"]
    lines = "\n".join(json.dumps(r) for r in records) + "\n{broken\n\n"
    result = ingest_text(lines)
    assert result.format == "jsonl"
    assert [p.title for p in result.papers] == ["Alpha", "Beta"]
    assert any("line 3" in w for w in result.warnings)
    forced = ingest_text(json.dumps(records[0]), fmt="jsonl")
    assert [p.title for p in forced.papers] == ["Alpha"]


def test_same_arxiv_paper_twice_is_one_paper() -> None:
    records = [
        {"title": "Alpha", "abstract": "", "id": "2403.12015v1"},
        {"title": "Alpha (v2)", "abstract": "Full.", "arxiv_id": "arXiv:2403.12015v2"},
    ]
    result = ingest_text(json.dumps(records))
    assert len(result.papers) == 1 and result.duplicates == 1
    assert result.papers[0].abstract == "Full."


def test_hf_daily_papers_fixture() -> None:
    result = ingest_file(FIXTURES / "hf_daily_papers.json")
    assert result.format == "hf-api"
    assert result.warnings == []
    lfm, octo, granite, bitnet = result.papers
    assert lfm.id == "arxiv:2403.12015" and lfm.arxiv_id == "2403.12015"
    assert lfm.title == "Flow Matching in Latent Space"
    assert lfm.authors == ("Quan Dao", "Hao Phung", "Binh Nguyen", "Anh Tran")
    assert (
        lfm.abstract.startswith("Flow matching is a recent framework") and "\n" not in lfm.abstract
    )
    assert (lfm.upvotes, lfm.stars, lfm.comments) == (12, 187, 2)
    assert lfm.keywords == ("flow matching", "latent space", "autoencoders")
    assert (lfm.published, lfm.digest_date) == ("2023-07-17", "2024-03-18")
    # The API's githubRepo is the repo, ahead of the .git link in the abstract.
    assert lfm.repo == "https://github.com/VinAIResearch/LFM"
    # Then the paper's own pages, derived from its arXiv id (issue 11).
    assert lfm.links == (
        "https://github.com/VinAIResearch/LFM",
        "https://github.com/VinAIResearch/LFM.git",
        "https://arxiv.org/abs/2403.12015",
        "https://arxiv.org/pdf/2403.12015",
        "https://huggingface.co/papers/2403.12015",
    )
    assert lfm.source == "hf_daily_papers.json"

    assert octo.arxiv_id == "2406.18082" and octo.stars is None and octo.comments == 0
    assert octo.repo == "https://huggingface.co/NexaAIDev/octopus-planning"
    assert octo.links == (
        octo.repo,
        "https://www.nexa4ai.com/octo-planner",
        "https://arxiv.org/abs/2406.18082",
        "https://arxiv.org/pdf/2406.18082",
        "https://huggingface.co/papers/2406.18082",
    )

    assert granite.title.endswith("Code Intelligence 🚀")
    assert granite.authors == ("Jiaqi Zhu 朱佳琪", "Mallory Knight")
    assert "\x1b" not in granite.abstract
    assert granite.repo == "https://github.com/ibm-granite/granite-code-models"
    assert granite.stars == 1204

    # The javascript: projectPage is dropped; only the paper's own pages are left.
    assert bitnet.links == (
        "https://arxiv.org/abs/2402.17764",
        "https://arxiv.org/pdf/2402.17764",
        "https://huggingface.co/papers/2402.17764",
    )
    assert bitnet.repo is None
    assert bitnet.upvotes == 603 and bitnet.authors == ()


def test_hf_api_forced_on_plain_records_still_works() -> None:
    result = ingest_text(json.dumps([{"title": "Alpha", "abstract": "A."}]), fmt="hf-api")
    assert result.format == "hf-api" and result.papers[0].title == "Alpha"


# ----------------------------------------------------------------------------- broken inputs


def error_of(call, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(IngestError) as info:
        call(*args, **kwargs)
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_missing_path_directory_and_empty(tmp_path: Path) -> None:
    assert "no such file" in error_of(ingest_file, tmp_path / "nope.txt")
    assert "is a directory" in error_of(ingest_file, tmp_path)
    (tmp_path / "empty.txt").write_bytes(b"")
    assert error_of(ingest_file, tmp_path / "empty.txt").endswith("empty.txt is empty")
    (tmp_path / "blank.txt").write_text(" \n\t\n")
    assert "empty" in error_of(ingest_file, tmp_path / "blank.txt")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.timeout(30)  # opening a FIFO with no writer would block forever
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert "named pipe" in error_of(ingest_file, fifo)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_dev_zero_is_capped() -> None:
    message = error_of(ingest_file, "/dev/zero", max_bytes=2 * 1024 * 1024)
    assert message == "/dev/zero is larger than the 2 MB limit"
    assert MAX_BYTES == 512 * 1024 * 1024


def test_file_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text(page(("A title", ABSTRACT)) * 20)
    assert "larger than the 1024 byte limit" in error_of(ingest_file, big, max_bytes=1024)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "secret.txt"
    target.write_text(page(("A title", ABSTRACT)))

    def denied(*_args: object, **_kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    # Root reads anything, so simulate the EACCES that open() gives an ordinary user.
    monkeypatch.setattr(os, "open", denied)
    assert "permission denied" in error_of(ingest_file, target)


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 40,
        b"\x00" * 1000,
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
        b"\x7fELF\x02\x01\x01" + b"\x00" * 500,
    ],
)
def test_binary_data_is_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    assert "binary" in error_of(ingest_file, path)


@pytest.mark.parametrize(
    "text", ["hello", "just one line of text\n", "123", "{}", "[]", "[1, 2]", '"x"']
)
def test_non_digest_text_is_refused(text: str) -> None:
    error_of(ingest_text, text)


def test_invalid_json_when_forced() -> None:
    assert "not valid JSON" in error_of(ingest_text, "[{", fmt="json")
    assert "unknown format" in error_of(ingest_text, "x", fmt="xml")


def test_invalid_utf8_is_replaced_with_a_warning() -> None:
    data = page(("Café title", ABSTRACT + " Ünïcode")).encode() + b"\xff"
    result = ingest_bytes(data)
    assert result.papers[0].title == "Café title"  # damaged UTF-8 stays UTF-8
    assert result.papers[0].abstract.endswith("Ünïcode\ufffd")
    assert any("invalid UTF-8" in w and "replaced" in w for w in result.warnings)


def test_text_in_a_legacy_encoding_is_read_in_it_and_said() -> None:
    data = page(("Caf\xe9 title", ABSTRACT)).encode("latin-1")
    result = ingest_bytes(data)
    assert result.papers[0].title == "Café title"
    (said,) = result.warnings
    # Which of the Latin code pages is a guess on a short text: they all read "é" alike.
    assert re.fullmatch(
        r"invalid UTF-8 at byte \d+: read as (CP125\d|ISO-8859-\d+) \(detected\)", said
    )


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    data = page(("From stdin", ABSTRACT)).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    result = ingest_file("-")
    assert [p.title for p in result.papers] == ["From stdin"]
    assert result.papers[0].source == "stdin"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    assert "standard input is empty" in error_of(ingest_file, "-")


# ----------------------------------------------------------------------------- properties


def check(result: IngestResult) -> None:
    assert result.format in FORMATS
    assert result.papers
    for p in result.papers:
        assert p.title
        assert not (set(p.title + p.abstract + "".join(p.authors)) & FORBIDDEN)
        assert all(is_safe_url(u) for u in p.links)
        assert p.repo is None or p.repo == p.links[0]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(), st.sampled_from([None, *FORMATS]))
def test_property_any_text_only_ingest_errors(text: str, fmt: str | None) -> None:
    try:
        check(ingest_text(text, fmt=fmt))
    except IngestError as err:
        assert "\n" not in str(err)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(), st.sampled_from([None, *FORMATS]))
def test_property_any_bytes_only_ingest_errors(data: bytes, fmt: str | None) -> None:
    try:
        check(ingest_bytes(data, fmt=fmt))
    except IngestError as err:
        assert "\n" not in str(err)


PAGEISH = st.lists(
    st.one_of(
        st.sampled_from(
            ["", " ", "\t", "new", "Mar 18", "Title", ABSTRACT, "{", "[x]", "\r", "\x1b[2J"]
        ),
        st.text(max_size=30),
    ),
    max_size=12,
).map("\n".join)


@settings(max_examples=150, deadline=None)
@given(PAGEISH, st.sampled_from([None, *FORMATS]))
def test_property_pageish_text(text: str, fmt: str | None) -> None:
    try:
        check(ingest_text(text, fmt=fmt))
    except IngestError as err:
        assert "\n" not in str(err)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "title",
                    "abstract",
                    "summary",
                    "authors",
                    "id",
                    "url",
                    "paper",
                    "githubRepo",
                    "name",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(JSONISH, st.sampled_from([None, *FORMATS]))
def test_property_jsonish_documents(doc: object, fmt: str | None) -> None:
    try:
        check(ingest_text(json.dumps(doc), fmt=fmt))
    except IngestError as err:
        assert "\n" not in str(err)


# -- the whole-text fast path gives exactly the per-paragraph results ---------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x3000), max_size=40))
def test_all_printable_matches_its_definition(text: str) -> None:
    expected = text.replace("\n", "").isprintable()
    # Without the UTF-8 bytes, text beyond Latin-1 is "not known clean": the slow path.
    known = text.isascii() or max(text) < "\u0100"
    assert page_module._all_printable(text, None) == (expected and known)
    assert page_module._all_printable(text, text.encode("utf-8")) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Title one\n\nAbstract one is here.\n\nTitle two\n\nAbstract two.\n",
        "Title one\n\nAbstract  with a double space.\n\nTitle two\n\n Abstract two. \n",
        "Title one\n\nAbstract \x1b[31m escape.\n\nTitle\u00a0two\n\nAbstract\ttwo.\n",
        "Title one\nAbstract on the next line.\n\n\n\nTitle two\n\nAbstract two — ok.\n",
        "Title é one\n\nAbstract \u202e one.\n\nTitle two\n\nAbstract two.\n",
    ],
)
def test_fast_path_and_paragraph_path_agree(
    text: str, monkeypatch: pytest.MonkeyPatch, seed_path: Path
) -> None:
    for data in (text.encode("utf-8"), seed_path.read_bytes()):
        fast = ingest_bytes(data, source="x")
        monkeypatch.setattr(page_module, "_all_printable", lambda *_: False)
        slow = ingest_bytes(data, source="x")
        monkeypatch.undo()
        assert fast == slow
        assert fast.title_keys == [title_key(p.title) for p in fast.papers]

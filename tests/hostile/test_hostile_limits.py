"""Every limit of `store/limits.py`: listed in the README's "Data and safety" table with its value,
and tested at its value (what is within it is read) and one past it (refused, or stopped, in
one line). `AT_AND_PAST` names the tests of each; those not here are in the other files of this
folder, next to the hostile case they belong to."""

from __future__ import annotations

import ast
import socket
import time
from pathlib import Path

import orjson
import pytest
from helpers.loopback import answer, drips, folder_bytes, sends, the_line
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from papertray.store import IngestError, limits
from papertray.store import net as net_module
from papertray.store.fetch import arxiv_query_source, hf_source
from papertray.store.http_cache import ValidatorCache
from papertray.store.ingest import ingest_file
from papertray.store.links import is_safe_url
from papertray.tui.cli import run

HERE = Path(__file__).resolve().parent
README = HERE.parents[1] / "README.md"
DAY = HERE.parent / "fixtures" / "fetch" / "hf_daily_2026-12-01.json"

AT_AND_PAST = {
    "CONNECT_TIMEOUT": ["test_connect_timeout"],
    "READ_TIMEOUT": ["test_read_timeout"],
    "REQUEST_DEADLINE": [
        "test_request_deadline_within",
        "test_hostile_deadlines.py::test_headers_one_byte_a_second_stop_at_the_request_deadline",
    ],
    "MAX_RESPONSE": [
        "test_max_response",
        "test_hostile_bombs.py::test_the_cap_counts_the_decompressed_bytes",
    ],
    "MAX_CONTENT_CODINGS": ["test_content_codings"],
    "MAX_REDIRECTS": ["test_redirects"],
    "RETRIES": ["test_retries"],
    "MAX_RETRY_WAIT": ["test_retry_wait"],
    "FETCH_DEADLINE": [
        "test_fetch_deadline_within",
        "test_hostile_deadlines.py::test_the_fetch_deadline_keeps_the_pages_before_it",
    ],
    "MAX_FETCH_BYTES": [
        "test_hostile_pages.py::test_at_the_byte_cap_every_page_is_kept",
        "test_hostile_pages.py::test_the_bytes_of_a_fetch_are_capped_together",
    ],
    "MAX_PAGES": [
        "test_max_pages_at",
        "test_hostile_pages.py::test_the_page_limit_stops_the_fetch_and_says_so",
    ],
    "MAX_DAYS": ["test_max_days"],
    "MAX_QUERY_RESULTS": ["test_max_query_results"],
    "LONGEST_DEADLINE": ["test_longest_deadline"],
    "CACHE_ENTRIES": ["test_cache_entries"],
    "MAX_INPUT_BYTES": [
        "test_max_input_bytes",
        "test_hostile_formats.py::test_expanded_values_at_and_past_the_file_limit",
    ],
    "MAX_LINE": [
        "test_hostile_input.py::test_the_line_limit_at_and_one_past",
        "test_hostile_formats.py::test_expanded_values_at_and_past_the_line_limit",
    ],
    "MAX_BIBTEX_BLOCKS": ["test_hostile_input.py::test_the_bibtex_block_limit_at_and_one_past"],
    "MAX_URL": ["test_max_url"],
    "MAX_COUNT": ["test_hostile_formats.py::test_max_count"],
    "MAX_CONFIG_BYTES": [
        "test_hostile_config.py::test_a_config_file_at_its_size_limit_is_read_one_byte_more_is_not"
    ],
    "MAX_CONFIG_DEPTH": [
        "test_hostile_config.py::test_nesting_at_the_limit_is_parsed_one_past_it_is_not"
    ],
    "MAX_QUERY_DEPTH": [
        "../test_query.py::test_nesting_at_the_limit_is_parsed_one_past_it_is_not",
        "../test_mutes.py::test_a_rule_and_a_query_at_the_nesting_limit_list_one_past_it_is_refused",
    ],
    # The sync folder's hostile cases run with the sync's own tests, outside this folder.
    "MAX_SYNC_FILE": [
        "../test_sync_hostile.py::test_a_log_at_the_size_limit_is_read_one_byte_more_is_not"
    ],
    "MAX_SYNC_ENTRY": [
        "../test_sync_hostile.py::test_an_entry_at_the_line_limit_is_read_one_byte_more_is_not"
    ],
    "MAX_SYNC_DEPTH": [
        "../test_sync_hostile.py::test_a_value_nested_at_the_limit_is_read_one_level_more_is_not"
    ],
}


def _limit_names() -> list[str]:
    return [name for name in vars(limits) if name.isupper() and name != "MB"]


def test_every_limit_has_its_tests_at_and_past_it() -> None:
    assert sorted(AT_AND_PAST) == sorted(_limit_names())
    for name, tests in AT_AND_PAST.items():
        for test in tests:
            file, _, function = test.rpartition("::")
            source = (HERE / (file or Path(__file__).name)).read_text()
            defined = {
                node.name
                for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            }
            assert function in defined, f"{name}: {test} is not there"


def _readme_limits() -> dict[str, str]:
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index("| limit | value | what happens there |") + 2
    rows = {}
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        name, value, _what = (cell.strip() for cell in line.strip("|").split(" | ", 2))
        rows[name.strip("`")] = value
    return rows


def _value(text: str) -> float:
    number, _, unit = text.partition(" ")
    return float(number.replace(",", "")) * (limits.MB if unit == "MB" else 1)


def test_the_readme_table_is_the_limits_module() -> None:
    rows = _readme_limits()
    assert list(rows) == _limit_names()  # same names, same order
    for name, shown in rows.items():
        assert _value(shown) == getattr(limits, name), name


# -- the network ----------------------------------------------------------------------------------


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Waits recorded, not slept; each test lowers the limit it is about."""
    waits: list[float] = []
    monkeypatch.setattr(
        net_module, "default_settings", lambda: net_module.Settings(sleep=waits.append)
    )
    return waits


def _day() -> int:
    return run(["fetch", "hf", "--date", "2026-12-01"])


def _refused(capsys: pytest.CaptureFixture[str], data_dir: Path) -> str:
    """Fetch a day past a limit: exit 1, one line (returned), the data folder as it was."""
    before = folder_bytes(data_dir)
    assert _day() == 1
    line = the_line(capsys.readouterr().err)
    assert folder_bytes(data_dir) == before
    return line


def test_connect_timeout(serve, monkeypatch, capsys, fast, data_dir: Path) -> None:
    monkeypatch.setattr(limits, "CONNECT_TIMEOUT", 1.0)
    serve(sends(answer("200 OK", {"Content-Type": "application/json"}, DAY.read_bytes())))
    assert _day() == 0  # a server that takes the connection: within the limit
    capsys.readouterr()
    # A listening socket whose queue is full: the kernel drops further SYNs, connect() waits.
    full = socket.socket()
    full.bind(("127.0.0.1", 0))
    full.listen(0)
    queued = []
    for _ in range(3):
        waiting = socket.socket()
        waiting.setblocking(False)
        waiting.connect_ex(full.getsockname())
        queued.append(waiting)
    try:
        monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:%d" % full.getsockname()[1])
        assert _refused(capsys, data_dir) == (
            "papertray: 127.0.0.1 timed out: no connection within 1 s"
        )
    finally:
        for sock in [*queued, full]:
            sock.close()


def test_read_timeout(serve, monkeypatch, capsys, fast, data_dir: Path) -> None:
    monkeypatch.setattr(limits, "READ_TIMEOUT", 1.0)
    page = answer("200 OK", {"Content-Type": "application/json"}, DAY.read_bytes())

    def late(conn, _head, wait):  # type: ignore[no-untyped-def]
        time.sleep(wait)
        conn.sendall(page)

    serve(lambda conn, head: late(conn, head, 0.3))
    assert _day() == 0
    capsys.readouterr()
    serve(lambda conn, head: late(conn, head, 3.0))
    assert _refused(capsys, data_dir) == "papertray: 127.0.0.1 timed out: no answer within 1 s"


def test_request_deadline_within(serve, monkeypatch, capsys, fast) -> None:
    """A slow answer that ends before the deadline is read whole."""
    monkeypatch.setattr(limits, "REQUEST_DEADLINE", 5.0)
    serve(drips(answer("200 OK", {"Content-Type": "application/json"}, b"[]"), every=0.01))
    assert _day() == 0
    assert "no papers on 2026-12-01" in capsys.readouterr().err


def test_max_response(serve, monkeypatch, capsys, fast, data_dir: Path) -> None:
    body = b"[]" + b" " * 998
    monkeypatch.setattr(limits, "MAX_RESPONSE", len(body))
    # No Content-Length: the cap holds as the body streams in.
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
    serve(sends(head + body))
    assert _day() == 0
    assert "no papers on 2026-12-01" in capsys.readouterr().err
    serve(sends(head + body + b" "))
    assert "sent more than 1000 bytes: refused" in _refused(capsys, data_dir)


def test_content_codings(serve, capsys, fast, data_dir: Path) -> None:
    import gzip

    def compressed(layers: int) -> bytes:
        body = DAY.read_bytes()
        for _ in range(layers):
            body = gzip.compress(body)
        coding = ", ".join(["gzip"] * layers)
        headers = {"Content-Type": "application/json", "Content-Encoding": coding}
        return answer("200 OK", headers, body)

    serve(sends(compressed(2)))
    assert _day() == 0
    assert "3 papers: 3 new" in capsys.readouterr().err
    serve(sends(compressed(3)))
    line = _refused(capsys, data_dir)
    assert "sent a body compressed 3 times: refused (at most 2)" in line


def test_redirects(httpserver: HTTPServer, monkeypatch, capsys, fast, data_dir: Path) -> None:
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("/0").rstrip("/"))
    for hop in range(5):
        httpserver.expect_request(f"/{hop}/api/daily_papers").respond_with_data(
            "", status=302, headers={"Location": f"/{hop + 1}/api/daily_papers"}
        )
    httpserver.expect_request("/5/api/daily_papers").respond_with_data(
        DAY.read_bytes(), content_type="application/json"
    )
    assert _day() == 0  # /0 -> /1 -> ... -> /5: five redirects
    capsys.readouterr()
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("/-1").rstrip("/"))
    httpserver.expect_request("/-1/api/daily_papers").respond_with_data(
        "", status=302, headers={"Location": "/0/api/daily_papers"}
    )
    assert _refused(capsys, data_dir) == "papertray: 127.0.0.1: too many redirects"  # six


def test_retries(httpserver: HTTPServer, monkeypatch, capsys, fast, data_dir: Path) -> None:
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("").rstrip("/"))
    answers: list[Response] = []

    def next_answer(_request: Request) -> Response:
        return answers.pop(0)

    httpserver.expect_request("/api/daily_papers").respond_with_handler(next_answer)
    answers += [Response("down", status=503) for _ in range(3)]
    answers.append(Response(DAY.read_bytes(), content_type="application/json"))
    assert _day() == 0  # three retries, the fourth try answers
    capsys.readouterr()
    answers += [Response("down", status=503) for _ in range(4)]
    assert "gave up after 4 tries" in _refused(capsys, data_dir)


def test_retry_wait(httpserver: HTTPServer, monkeypatch, capsys, fast, data_dir: Path) -> None:
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("").rstrip("/"))
    answers = [
        Response("busy", status=429, headers={"Retry-After": "60"}),
        Response(DAY.read_bytes(), content_type="application/json"),
        Response("busy", status=429, headers={"Retry-After": "61"}),
    ]
    httpserver.expect_request("/api/daily_papers").respond_with_handler(lambda r: answers.pop(0))
    monkeypatch.setattr(limits, "FETCH_DEADLINE", 3600.0)
    assert _day() == 0 and fast == [60.0]
    capsys.readouterr()
    assert "asks to retry after 61 s; try again later" in _refused(capsys, data_dir)
    assert fast == [60.0]


def _month(server: HTTPServer, pages: int) -> None:
    template = orjson.loads(DAY.read_bytes())[0]

    def page(request: Request) -> Response:
        p = int(request.args["p"])
        size = 100 if p < pages - 1 else 7
        items = []
        for i in range(p * 100, p * 100 + size):
            paper = {**template["paper"], "id": f"2611.{i:05d}", "title": f"Paper {i}"}
            items.append({**template, "paper": paper, "title": paper["title"]})
        return Response(orjson.dumps(items), content_type="application/json")

    server.expect_request("/api/daily_papers").respond_with_handler(page)


def test_fetch_deadline_within(httpserver: HTTPServer, monkeypatch, capsys, fast) -> None:
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("").rstrip("/"))
    monkeypatch.setattr(limits, "FETCH_DEADLINE", 20.0)
    _month(httpserver, 3)
    assert run(["fetch", "hf", "--month", "2026-11"]) == 0
    err = capsys.readouterr().err
    assert "stopped" not in err and "207 papers: 207 new" in err


def test_max_pages_at(httpserver: HTTPServer, monkeypatch, capsys, fast) -> None:
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("").rstrip("/"))
    monkeypatch.setattr(limits, "MAX_PAGES", 3)
    _month(httpserver, 3)  # the third page is the last, and short: within the limit
    assert run(["fetch", "hf", "--month", "2026-11"]) == 0
    err = capsys.readouterr().err
    assert "stopped" not in err and "207 papers: 207 new" in err


def test_max_days() -> None:
    assert len(hf_source(days=limits.MAX_DAYS).params) == 366
    with pytest.raises(ValueError, match="--days wants 1 to 366, not 367"):
        hf_source(days=limits.MAX_DAYS + 1)


def test_max_query_results() -> None:
    assert dict(arxiv_query_source("ti:x", limits.MAX_QUERY_RESULTS).params)["max"] == "10000"
    with pytest.raises(ValueError, match="--max wants 1 to 10000, not 10001"):
        arxiv_query_source("ti:x", limits.MAX_QUERY_RESULTS + 1)


@pytest.mark.parametrize("seconds", ["3600", "3600.5"])
def test_longest_deadline(seconds: str, capsys) -> None:
    import os

    Path(os.environ["PAPERTRAY_CONFIG"]).write_text(f"[fetch]\ndeadline = {seconds}\n")
    status = run(["config"])
    out, err = capsys.readouterr()
    if seconds == "3600":
        assert status == 0 and "deadline = 3600\n" in out
    else:
        assert status == 1
        assert "fetch.deadline must be a number of seconds, more than 0 and at most 3600" in err


def test_cache_entries(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(limits, "CACHE_ENTRIES", 3)
    cache = ValidatorCache(tmp_path)  # kept in the library of that data folder
    for n in range(3):  # one fetch a page: the one seen last is kept longest
        cache.put({f"https://a.org/{n}": {"etag": f'"{n}"'}})
    assert all(cache.get(f"https://a.org/{n}") for n in range(3))
    cache.put({"https://a.org/3": {"etag": '"3"'}})
    assert not cache.get("https://a.org/0")
    assert all(cache.get(f"https://a.org/{n}") for n in (1, 2, 3))


# -- input ----------------------------------------------------------------------------------------


def test_max_input_bytes(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_INPUT_BYTES", 1000)
    text = "A title of a paper\n\nIts abstract, long enough to be one.\n"
    at = tmp_path / "at.txt"
    at.write_text(text + " " * (1000 - len(text)))
    assert len(ingest_file(at).papers) == 1
    past = tmp_path / "past.txt"
    past.write_text(text + " " * (1001 - len(text)))
    with pytest.raises(IngestError, match="past.txt is larger than the 1000 byte limit"):
        ingest_file(past)


def test_max_url() -> None:
    base = "https://example.org/"
    assert is_safe_url(base + "x" * (limits.MAX_URL - len(base)))
    assert not is_safe_url(base + "x" * (limits.MAX_URL - len(base) + 1))

"""The hostile suite (issue 20): networks, files and paths that try to hurt papertray, each
case against a server on 127.0.0.1 or a real file, each bounded in time, and every refused case
checked to leave the data folder byte for byte as it was.

`pytest -m hostile` runs only these.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers.loopback import Handler, RawServer, folder_bytes

from papertray.store import Library, State
from papertray.store.ingest import ingest_file
from papertray.store.paths import sample_digest
from papertray.tui.app import PapertrayApp
from papertray.tui.cli import run

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.hostile)
            if item.get_closest_marker("timeout") is None:
                item.add_marker(pytest.mark.timeout(60))


@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Handler], RawServer]]:
    """`serve(handler)` -> a RawServer on 127.0.0.1 that every endpoint points at; stopped
    (every connection closed) when the test ends."""
    started: list[RawServer] = []

    def start(handler: Handler) -> RawServer:
        server = RawServer(handler)
        started.append(server)
        for name in ("HF_ENDPOINT", "PAPERTRAY_ARXIV_API", "PAPERTRAY_ARXIV_RSS"):
            monkeypatch.setenv(name, server.url)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def seeded(data_dir: Path, seed_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, bytes]:
    """A library holding the sample digest, one paper starred: what a refused case must leave
    byte for byte as it was (every file of the data folder)."""
    assert run(["import", str(seed_path)]) == 0
    assert run(["star", "t:ba8ba4ceeb2031e1"]) == 0
    capsys.readouterr()
    return folder_bytes(data_dir)


@pytest.fixture
def reader(data_dir: Path) -> Callable[[], PapertrayApp]:
    """`reader()` -> the reader on a library of the sample digest, fetching what the config
    file names: `[fetch] hf = true`, unless the test writes another."""
    config = Path(os.environ["PAPERTRAY_CONFIG"])
    if not config.exists():
        config.write_text("[fetch]\nhf = true\n")
    library = Library.open(data_dir)
    library.add(ingest_file(sample_digest()).papers)
    return lambda: PapertrayApp(Library.open(data_dir), State.open(data_dir))

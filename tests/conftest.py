"""Fixtures shared by every test: an isolated data folder and the seed digest."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.reader import screen_text as _screen_text

from papertray.store.paths import ENV_VAR, sample_digest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data folder, so none touches the user's real state."""
    folder = tmp_path / "data"
    monkeypatch.setenv(ENV_VAR, str(folder))
    # Nor the user's config file, nor the real endpoints (fetch tests point them at loopback).
    monkeypatch.setenv("PAPERTRAY_CONFIG", str(tmp_path / "config.toml"))
    for name in ("HF_ENDPOINT", "PAPERTRAY_ARXIV_API", "PAPERTRAY_ARXIV_RSS"):
        monkeypatch.setenv(name, "https://papertray-tests-never-reach-the.invalid")
    return folder


@pytest.fixture(autouse=True)
def not_in_tmux(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run inside the developer's tmux must not copy into its buffer."""
    monkeypatch.delenv("TMUX", raising=False)


@pytest.fixture
def seed_path() -> Path:
    return sample_digest()


@pytest.fixture
def screen_text():  # type: ignore[no-untyped-def]
    return _screen_text


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """pytest-httpserver's servers listen on the loopback address itself, not "localhost"
    (which may also mean ::1): tests never reach beyond 127.0.0.1."""
    return ("127.0.0.1", 0)

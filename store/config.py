"""The config file: which sources `papertray fetch` (and the reader's fetch key) runs, how
long a fetch may take, how the reader copies an arXiv id, what `papertray watch` counts as
news and whether it says so on the desktop.

TOML in the platform's user config folder (`~/.config/papertray/config.toml` on Linux), or the
file `$PAPERTRAY_CONFIG` names. Read with `tomllib`; a missing file means the defaults. A bad
file is one `ConfigError` line naming the file, the key and its line.

    [fetch]
    hf = true                      # the Hugging Face daily papers (the latest day)
    arxiv = ["cs.CL", "cs.LG"]     # arXiv categories: the day's announcement from the RSS feed
    deadline = 45                  # seconds one source's fetch may take, every page included
    request_deadline = 30          # seconds one request may take

    [reader]
    copy_id = "bare"               # y copies 2401.01234; "arxiv": arXiv:2401.01234

    [watch]
    upvotes = 100                  # a watched paper reaching 100 HF upvotes is an update (off
                                   # when not set)

    [notify]
    desktop = false                # a desktop notification after fetch and watch, when there is
                                   # news (notify-send on Linux, osascript on macOS)

    [sync]
    folder = "~/Sync/papertray"    # sync marks through this folder after each change

A file over `limits.MAX_CONFIG_BYTES`, or nested deeper than `limits.MAX_CONFIG_DEPTH` (found
before the TOML parser recurses into it), is refused the same way.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from papertray.store import limits
from papertray.store.arxiv_taxonomy import category_problem
from papertray.store.citation import COPY_ID_STYLES
from papertray.store.sanitize import one_line, quoted

ENV_VAR = "PAPERTRAY_CONFIG"
CONFIG_FILE = "config.toml"
_DEADLINES = ("deadline", "request_deadline")
_KEYS = {"hf", "arxiv", *_DEADLINES}
_READER_KEYS = {"copy_id"}
_TABLES = ("fetch", "reader", "watch", "notify", "sync")
_KNOWN = (
    "[fetch] hf, arxiv, deadline and request_deadline, [reader] copy_id, [watch] upvotes, "
    "[notify] desktop and [sync] folder"
)


class ConfigError(Exception):
    """A config file that cannot be used; `str(e)` is one line naming the file, key and line."""


@dataclass(frozen=True)
class Config:
    hf: bool = True
    arxiv: tuple[str, ...] = ()
    path: Path | None = None
    exists: bool = False
    deadline: float | None = None
    """Seconds for one source's fetch; None: `limits.FETCH_DEADLINE`."""
    request_deadline: float | None = None
    """Seconds for one request; None: `limits.REQUEST_DEADLINE`."""
    copy_id: str = "bare"
    """How the reader's `y` copies an arXiv id (`citation.COPY_ID_STYLES`, `citable_id`)."""
    watch_upvotes: int | None = None
    """`[watch] upvotes`: a watched paper's HF upvotes reaching this is an update (None: off)."""
    notify: bool = False
    """`[notify] desktop`: a desktop notification after `fetch` and `watch` when there is news."""
    sync_folder: Path | None = None
    """The folder marks sync through, after each change and when the reader starts; None:
    only `papertray sync --folder DIR` syncs. `~` is the home folder; a relative path is read
    from the config file's folder."""

    def to_toml(self) -> str:
        cats = ", ".join(f'"{c}"' for c in self.arxiv)
        deadline = self.deadline if self.deadline is not None else limits.FETCH_DEADLINE
        request = (
            self.request_deadline if self.request_deadline is not None else limits.REQUEST_DEADLINE
        )
        upvotes = (
            f"upvotes = {self.watch_upvotes}"
            if self.watch_upvotes is not None
            else "# upvotes = 100 (not set: upvotes are not watched)"
        )
        sync = (
            f'\n[sync]\nfolder = "{_toml_string(str(self.sync_folder))}"\n'
            if self.sync_folder is not None
            else '\n# [sync]\n# folder = "..."   (no folder: papertray sync --folder DIR syncs)\n'
        )
        return (
            f"[fetch]\nhf = {'true' if self.hf else 'false'}\narxiv = [{cats}]\n"
            f"deadline = {deadline:g}\nrequest_deadline = {request:g}\n"
            f'\n[reader]\ncopy_id = "{self.copy_id}"\n'
            f"\n[watch]\n{upvotes}\n"
            f"\n[notify]\ndesktop = {'true' if self.notify else 'false'}\n{sync}"
        )


def _toml_string(text: str) -> str:
    """`text` inside a TOML basic string: backslashes, quotes and controls escaped."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def config_path() -> Path:
    """`$PAPERTRAY_CONFIG`, else config.toml in the platform's user config folder. Never created
    here."""
    chosen = os.environ.get(ENV_VAR)
    if chosen:
        return Path(chosen).expanduser().resolve()
    import platformdirs  # deferred: only the default path needs it

    return Path(platformdirs.user_config_path("papertray")).resolve() / CONFIG_FILE


def load_config(path: Path | None = None) -> Config:
    """The settings in force: the file's, or the defaults when there is none."""
    path = path or config_path()
    name = one_line(os.fspath(path))
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limits.MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return Config(path=path)
    except OSError as error:
        raise ConfigError(f"{name}: cannot read ({quoted(error.strerror or error)})") from None
    if len(raw) > limits.MAX_CONFIG_BYTES:
        raise ConfigError(
            f"{name}: larger than {limits.MAX_CONFIG_BYTES // limits.MB} MB, the limit on the "
            "config file: not a papertray config"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{name}: not UTF-8 text (byte {error.start})") from None
    deep = _too_deep(text)
    if deep is not None:
        line, key = deep
        raise ConfigError(
            f"{name}: {key} (line {line}) is nested more than {limits.MAX_CONFIG_DEPTH} deep, "
            "the limit on the config file: not a papertray setting"
        )
    import tomllib

    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{name}: not valid TOML: {quoted(error)}") from None
    except RecursionError:  # nesting the check above did not see (it never should)
        raise ConfigError(f"{name}: nested too deeply to read: not a papertray config") from None
    return _settings(doc, text, path)


# What the nesting depth depends on: strings (skipped whole), comments, brackets, "=", lines.
_TOKEN = re.compile(r"\"\"\"|'''|[\"'#\[\]{}\n=]")
_STRING_END = {
    '"""': re.compile(r'(?:[^\\]|\\.)*?"""', re.S),
    "'''": re.compile(r".*?'''", re.S),
    '"': re.compile(r'(?:[^"\\\n]|\\.)*"'),
    "'": re.compile(r"[^'\n]*'"),
}


def _too_deep(text: str) -> tuple[int, str] | None:
    """(line, key) where arrays and inline tables nest deeper than the limit, else None: one
    linear scan, before `tomllib` recurses once per level."""
    depth, line, line_start, key, table = 0, 1, 0, "a value", ""
    pos = 0
    while True:
        match = _TOKEN.search(text, pos)
        if match is None:
            return None
        token, pos = match.group(), match.end()
        if token in _STRING_END:
            end = _STRING_END[token].match(text, pos)
            if end is None:
                return None  # an unclosed string: tomllib says where
            line += text.count("\n", pos, end.end())
            pos = end.end()
        elif token == "#":
            newline = text.find("\n", pos)
            pos = len(text) if newline < 0 else newline
        elif token == "\n":
            line, line_start = line + 1, pos
        elif token == "=":
            if depth == 0:
                name = text[line_start : pos - 1].strip()
                key = quoted(f"{table}.{name}" if table else name or "a value", 60)
        elif token == "[" and depth == 0 and not text[line_start : pos - 1].strip():
            close = text.find("]", pos)  # a table header: [name] or [[name]]
            close = len(text) if close < 0 else close
            table = text[pos:close].strip(" \t[")
            pos = close
        elif token in "[{":
            depth += 1
            if depth > limits.MAX_CONFIG_DEPTH:
                return line, key
        else:  # "]" or "}"
            depth = max(depth - 1, 0)


def _line(text: str, table: str, key: str | None) -> int:
    """The line of `key` in `[table]` (or of the table itself), for the error message."""
    in_table = table == ""
    header = re.compile(r"\s*\[\s*" + re.escape(table) + r"\s*\]\s*(#.*)?$")
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_table = bool(header.fullmatch(line))
            if in_table and key is None:
                return number
            continue
        if key is not None and re.match(r"\s*" + re.escape(key) + r"\s*=", line):
            if in_table:
                return number
        if (
            key is not None
            and table
            and re.match(r"\s*" + re.escape(f"{table}.{key}") + r"\s*=", line)
        ):
            return number
    return 0


def _at(text: str, table: str, key: str | None) -> str:
    number = _line(text, table, key)
    return f" (line {number})" if number else ""


def _settings(doc: dict[str, Any], text: str, file: Path) -> Config:
    path = one_line(os.fspath(file))
    for name in doc:
        if name not in _TABLES:
            raise ConfigError(
                f"{path}: unknown setting '{quoted(name, 60)}'"
                f"{_at(text, '', name) or _at(text, name, None)}"
                f" (papertray knows {_KNOWN})"
            )
    fetch = doc.get("fetch", {})
    if not isinstance(fetch, dict):
        raise ConfigError(f"{path}: fetch must be a table ([fetch]){_at(text, '', 'fetch')}")
    for key in fetch:
        if key not in _KEYS:
            raise ConfigError(
                f"{path}: unknown key fetch.{quoted(key, 60)}{_at(text, 'fetch', key)} "
                "(known: fetch.hf, fetch.arxiv, fetch.deadline, fetch.request_deadline)"
            )
    hf = fetch.get("hf", True)
    if not isinstance(hf, bool):
        raise ConfigError(
            f"{path}: fetch.hf must be true or false, not {quoted(repr(hf), 60)}"
            f"{_at(text, 'fetch', 'hf')}"
        )
    arxiv = fetch.get("arxiv", [])
    if isinstance(arxiv, str):
        arxiv = arxiv.split()
    if not isinstance(arxiv, list) or not all(isinstance(c, str) for c in arxiv):
        raise ConfigError(
            f'{path}: fetch.arxiv must be a list of categories like ["cs.CL"]'
            f"{_at(text, 'fetch', 'arxiv')}"
        )
    for cat in arxiv:
        problem = category_problem(cat.strip())
        if problem is not None:
            raise ConfigError(
                f"{path}: fetch.arxiv: {quoted(repr(cat), 60)} is {problem}"
                f"{_at(text, 'fetch', 'arxiv')}"
            )
    cats = tuple(dict.fromkeys(c.strip() for c in arxiv))
    seconds: dict[str, float | None] = {}
    for key in _DEADLINES:
        value = fetch.get(key)
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not 0 < value <= limits.LONGEST_DEADLINE
        ):
            raise ConfigError(
                f"{path}: fetch.{key} must be a number of seconds, more than 0 and at most "
                f"{limits.LONGEST_DEADLINE:g}, not {quoted(repr(value), 60)}"
                f"{_at(text, 'fetch', key)}"
            )
        seconds[key] = float(value) if value is not None else None
    return Config(
        hf=hf,
        arxiv=cats,
        path=file,
        exists=True,
        deadline=seconds["deadline"],
        request_deadline=seconds["request_deadline"],
        copy_id=_reader(doc, text, path),
        watch_upvotes=_watch(doc, text, path),
        notify=_notify(doc, text, path),
        sync_folder=_sync_folder(doc, text, file),
    )


def _table(doc: dict[str, Any], text: str, path: str, name: str, known: str) -> dict[str, Any]:
    """The table `[name]` of the file ({} when it has none), its keys checked: `known`."""
    table = doc.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {name} must be a table ([{name}]){_at(text, '', name)}")
    for key in table:
        if key != known:
            raise ConfigError(
                f"{path}: unknown key {name}.{quoted(key, 60)}{_at(text, name, key)} "
                f"(known: {name}.{known})"
            )
    return table


def _watch(doc: dict[str, Any], text: str, path: str) -> int | None:
    """`[watch] upvotes`: a whole number of upvotes, 1 or more."""
    value = _table(doc, text, path, "watch", "upvotes").get("upvotes")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(
            f"{path}: watch.upvotes must be a whole number of upvotes, 1 or more, not "
            f"{quoted(repr(value), 60)}{_at(text, 'watch', 'upvotes')}"
        )
    return value


def _notify(doc: dict[str, Any], text: str, path: str) -> bool:
    """`[notify] desktop`: true or false."""
    value = _table(doc, text, path, "notify", "desktop").get("desktop", False)
    if not isinstance(value, bool):
        raise ConfigError(
            f"{path}: notify.desktop must be true or false, not {quoted(repr(value), 60)}"
            f"{_at(text, 'notify', 'desktop')}"
        )
    return value


def _reader(doc: dict[str, Any], text: str, path: str) -> str:
    """The `[reader]` table's `copy_id`, checked."""
    reader = doc.get("reader", {})
    if not isinstance(reader, dict):
        raise ConfigError(f"{path}: reader must be a table ([reader]){_at(text, '', 'reader')}")
    for key in reader:
        if key not in _READER_KEYS:
            raise ConfigError(
                f"{path}: unknown key reader.{quoted(key, 60)}{_at(text, 'reader', key)} "
                "(known: reader.copy_id)"
            )
    style = reader.get("copy_id", "bare")
    if style not in COPY_ID_STYLES:
        choices = " or ".join(f'"{s}"' for s in COPY_ID_STYLES)
        raise ConfigError(
            f"{path}: reader.copy_id must be {choices}, not {quoted(repr(style), 60)}"
            f"{_at(text, 'reader', 'copy_id')}"
        )
    return str(style)


def _sync_folder(doc: dict[str, Any], text: str, file: Path) -> Path | None:
    path = one_line(os.fspath(file))
    sync = doc.get("sync", {})
    if not isinstance(sync, dict):
        raise ConfigError(f"{path}: sync must be a table ([sync]){_at(text, '', 'sync')}")
    for key in sync:
        if key != "folder":
            raise ConfigError(
                f"{path}: unknown key sync.{quoted(key, 60)}{_at(text, 'sync', key)} "
                "(known: sync.folder)"
            )
    folder = sync.get("folder")
    if folder is None:
        return None
    if not isinstance(folder, str) or not folder.strip() or "\0" in folder:
        raise ConfigError(
            f"{path}: sync.folder must be the path of a folder, not {quoted(repr(folder), 60)}"
            f"{_at(text, 'sync', 'folder')}"
        )
    chosen = Path(folder.strip()).expanduser()
    return chosen if chosen.is_absolute() else (file.parent / chosen).resolve()

"""The library database (`library.db`): its schema, the steps that bring an older one up to date,
and how a connection to it is opened (the connections a library holds: `database.py`).

One SQLite file (the standard library's `sqlite3`; WAL, so readers never wait for a writer and
a writer never blocks readers; `busy_timeout`, so two writers take turns), as Zotero, calibre and
newsboat keep theirs. `PRAGMA user_version` is the schema's version; `MIGRATIONS[n]` takes a
database of version n to n + 1, each in one transaction, and a test runs each.

Tables (see `SCHEMA`): `papers` (a row a paper, `rowid` its place in import order, `id` its
lasting identity), `aliases` (the other names a paper answers to: its arXiv id when its own id
is a `t:` title id, a DOI, the ids of records folded into it), `removed` (tombstones: a removed
paper's row, so a fetch of the same day does not bring it back and undo puts it back as it
was), `batches` (each import: when, from where, what it added), `paper_sources` (every digest
that gave each paper), `imports` (inputs remembered by content, `store/recall.py`),
`http_cache` (the validators of fetched pages, which live and die with the papers they gave),
`terms` (each word of the index and its stem), `meta`, and what `papertray watch` keeps
(`store/updates.py`): `updates` (each change of a starred or read-later paper: a new version,
code, upvotes past the threshold; seen or not), `versions` (each paper's arXiv versions as
seen: number, date, title) and `watched` (what the last watch saw of each paper, and when each
source was asked). `papers_fts` is the FTS5 word index
over title, abstract and authors, given the folded text (`store/words.py`) in the same
transaction as the rows; it keeps no copy of the text (`content=''`).
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable
from pathlib import Path

from papertray.store.words import TOKENIZER, fold

__all__ = ["MIGRATIONS", "SCHEMA", "SCHEMA_VERSION", "connect", "migrate"]

SCHEMA = f"""
CREATE TABLE papers (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    abstract TEXT NOT NULL DEFAULT '',
    authors TEXT NOT NULL DEFAULT '',
    published TEXT,
    links TEXT NOT NULL DEFAULT '',
    repo TEXT,
    source TEXT NOT NULL DEFAULT '',
    arxiv_id TEXT,
    upvotes INTEGER,
    stars INTEGER,
    comments INTEGER,
    keywords TEXT NOT NULL DEFAULT '',
    digest_date TEXT,
    added_at REAL,
    categories TEXT NOT NULL DEFAULT '',
    remarks TEXT NOT NULL DEFAULT '',
    arxiv_version INTEGER,
    batch INTEGER,
    title_key TEXT NOT NULL DEFAULT '',
    published_day TEXT,
    digest_day TEXT,
    version INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX papers_id ON papers(id);
CREATE INDEX papers_title_key ON papers(title_key);
CREATE INDEX papers_added_at ON papers(added_at);
CREATE TABLE aliases (
    alias TEXT PRIMARY KEY,
    paper TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX aliases_paper ON aliases(paper);
CREATE TABLE removed (
    id TEXT PRIMARY KEY,
    at REAL NOT NULL,
    title_key TEXT NOT NULL DEFAULT '',
    row TEXT NOT NULL,
    sources TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX removed_title_key ON removed(title_key);
CREATE TABLE batches (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    new INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE paper_sources (
    paper TEXT NOT NULL,
    source TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (paper, source)
) WITHOUT ROWID;
CREATE INDEX paper_sources_source ON paper_sources(source);
CREATE TABLE imports (
    key TEXT PRIMARY KEY,
    record TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE http_cache (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    items INTEGER NOT NULL DEFAULT 0,
    ids TEXT NOT NULL DEFAULT '',
    seen INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE terms (
    term TEXT PRIMARY KEY,
    stem TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX terms_stem ON terms(stem);
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value
) WITHOUT ROWID;
CREATE TABLE updates (
    id INTEGER PRIMARY KEY,
    paper TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    at REAL NOT NULL,
    seen INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX updates_paper ON updates(paper);
CREATE TABLE versions (
    paper TEXT NOT NULL,
    version INTEGER NOT NULL,
    date TEXT,
    title TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (paper, version)
) WITHOUT ROWID;
CREATE TABLE watched (
    paper TEXT PRIMARY KEY,
    version INTEGER,
    repo TEXT,
    upvotes INTEGER,
    arxiv_at REAL,
    hf_at REAL
) WITHOUT ROWID;
CREATE VIRTUAL TABLE papers_fts USING fts5(
    title, abstract, authors, content='', tokenize='{TOKENIZER}'
);
CREATE VIRTUAL TABLE papers_vocab USING fts5vocab(papers_fts, 'row');
"""
"""The schema of a new database, at `SCHEMA_VERSION`."""

SCHEMA_VERSION = 1

PAPER_INDEXES = {
    "papers_id": "CREATE UNIQUE INDEX papers_id ON papers(id)",
    "papers_title_key": "CREATE INDEX papers_title_key ON papers(title_key)",
    "papers_added_at": "CREATE INDEX papers_added_at ON papers(added_at)",
}
"""The indexes of `papers` (as in `SCHEMA`): a big batch of new papers is inserted without them
and they are made again after, a sort instead of 100k inserts at random places."""

FIRST_BULK = 5_000
"""A first import this big into a library file that does not exist yet is written into a new
file without a journal (`Database.creating`)."""

MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {}
"""`MIGRATIONS[n](connection)` takes a database of version n to n + 1 (inside a transaction
that `migrate` opens and commits). Version 0 is an empty file: it gets `SCHEMA` whole."""

BUSY_TIMEOUT_MS = 10_000
"""How long a writer waits for another process's write to finish before giving up."""


def connect(
    path: Path | str, *, read_only: bool = False, journal: str = "WAL"
) -> sqlite3.Connection:
    """A connection to the library database (`":memory:"` for a scratch one), in autocommit
    mode (transactions are opened explicitly with BEGIN), with papertray's SQL functions.
    `journal` "OFF": a new file nobody else sees yet (`Database.creating`)."""
    if read_only and str(path) != ":memory:":
        uri = Path(path).resolve().as_uri() + "?mode=ro"
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1")
        except sqlite3.OperationalError:
            # A WAL database on read-only media cannot make its shared-memory file: read it as
            # it is ("immutable": nobody can change it there anyway).
            conn = sqlite3.connect(
                uri + "&immutable=1", uri=True, isolation_level=None, check_same_thread=False
            )
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if not read_only:
        conn.execute(f"PRAGMA journal_mode = {journal}")
        # In WAL mode, NORMAL loses no committed transaction on a crash of papertray, only
        # (on power loss) the last ones; the database stays consistent either way.
        conn.execute(f"PRAGMA synchronous = {'NORMAL' if journal == 'WAL' else 'OFF'}")
    conn.execute("PRAGMA foreign_keys = ON")
    # `pt_fold(text)`: the folding the word index is given (`contains:`, `id:` and `repo:`
    # look for text in folded columns with it).
    conn.create_function("pt_fold", 1, _sql_fold, deterministic=True)
    return conn


def _sql_fold(text: object) -> str:
    return fold(text).lower() if isinstance(text, str) else ""


def version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database up to `SCHEMA_VERSION`, each step in its own transaction; returns
    the version it was at. Raises `sqlite3.DatabaseError` on a file that is no database, and
    `ValueError` on one newer than this papertray knows."""
    found = version(conn)
    if found > SCHEMA_VERSION:
        raise ValueError(
            f"it was written by a newer papertray (schema {found}, this one reads up to "
            f"{SCHEMA_VERSION})"
        )
    at = found
    while at < SCHEMA_VERSION:
        conn.execute("BEGIN IMMEDIATE")
        try:
            now = version(conn)  # another process may have migrated meanwhile
            if now == at:
                if at == 0:
                    for statement in _statements(SCHEMA):
                        conn.execute(statement)
                    conn.execute(
                        "INSERT INTO meta (key, value) VALUES ('id', ?)", (secrets.token_hex(8),)
                    )
                    now = SCHEMA_VERSION
                else:
                    MIGRATIONS[at](conn)
                    now = at + 1
                conn.execute(f"PRAGMA user_version = {now}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # (SQLite rolls back by itself on a full disk)
                conn.execute("ROLLBACK")
            raise
        at = now
    return found


def _statements(script: str) -> list[str]:
    """The statements of a script, split where `sqlite3.complete_statement` says one ends
    (`executescript` would commit the transaction the migration runs in)."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    return statements

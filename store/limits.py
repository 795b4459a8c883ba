"""Every limit papertray puts on what the network and input files may make it do, in one place.

Each is a name, a value and why. The README's "Data and safety" table lists them with what
happens at each (tests/hostile/test_hostile_limits.py keeps the two in step, and names the
tests of each limit at its value and one past it). Code reads them as `limits.NAME` when it
runs, so a test can lower one.
"""

from __future__ import annotations

MB = 1024 * 1024

# -- the network: one request -------------------------------------------------------------------

CONNECT_TIMEOUT = 5.0
"""Seconds to open a connection."""
READ_TIMEOUT = 20.0
"""Seconds a server may stay silent while answering (between two pieces of the answer)."""
REQUEST_DEADLINE = 30.0
"""Seconds one request may take in all, from connecting to the last byte: a server that
answers one byte a second never hits the read timeout. `[fetch] request_deadline` sets it."""
MAX_RESPONSE = 20 * MB
"""Bytes of one response, counted after decompression, as they stream in."""
MAX_CONTENT_CODINGS = 2
"""Compression layers on one response (`Content-Encoding: gzip, gzip` is two)."""
MAX_REDIRECTS = 5
"""Redirects followed for one request (only to https, or within loopback http)."""
RETRIES = 3
"""Further tries after a 429 or 5xx answer, with backoff."""
MAX_RETRY_WAIT = 60.0
"""Seconds of Retry-After papertray waits; a longer one is reported, not waited for."""

# -- the network: one fetch (one source, every page of it) -------------------------------------

FETCH_DEADLINE = 45.0
"""Seconds one source's fetch may take in all, every page, retry and wait included; the
pages that came before it are imported, and the message says it stopped.
`[fetch] deadline` sets it."""
MAX_FETCH_BYTES = 100 * MB
"""Bytes of every page of one source together (after decompression); as the deadline."""
MAX_PAGES = 200
"""Pages asked for one period (a day, week or month) of the HF daily papers: a server that never
sends a short page is stopped here (20,000 papers), with a message."""
MAX_DAYS = 366
"""`fetch hf --days N`: one series of requests per day."""
MAX_QUERY_RESULTS = 10_000
"""`fetch arxiv --query Q --max N`."""
LONGEST_DEADLINE = 3600.0
"""The most either deadline may be set to in the config file."""
CACHE_ENTRIES = 2000
"""URLs whose ETag / Last-Modified `http-cache.json` keeps, the oldest dropped first (a year of
daily fetches is a few hundred)."""

# -- input files ----------------------------------------------------------------------------------

MAX_INPUT_BYTES = 512 * MB
"""Bytes of one digest file (or standard input); `/dev/zero` stops here too. The values of a
BibTeX file, its @string macros expanded, are held to it in characters."""
MAX_LINE = 16 * MB
"""Characters of one line of a text digest, checked before it is parsed; in a JSON digest the
same limit holds for one string, in an XML one for the text between two tags, in a BibTeX one
for one value with its @string macros expanded."""
MAX_BIBTEX_BLOCKS = 20_000
"""`@` blocks of one BibTeX file (entries, @string, @preamble and @comment), counted before it
is parsed: the parser reads ~4,000 entries a second."""
MAX_URL = 4096
"""Characters of one link; a longer one is junk (or an attack on the terminal), not a link."""
MAX_COUNT = 1_000_000_000
"""The largest count a source may give (upvotes, stars, comments); a larger one, or a negative
one, is junk and the field is left out: SQLite stores no integer past 64 bits."""

# -- the config file -----------------------------------------------------------------------------

MAX_CONFIG_BYTES = 1 * MB
"""Bytes of the config file (a real one is a few lines)."""
MAX_CONFIG_DEPTH = 32
"""Arrays and inline tables nested in the config file, checked before it is parsed (Python's
TOML parser recurses once per level)."""

# -- queries --------------------------------------------------------------------------------------

MAX_QUERY_DEPTH = 6
"""Parentheses nested in one query (`-(` is one), checked as it is parsed. Its SQL nests as deep,
and a query asking for `is:muted` holds each mute rule's SQL inside its own: SQLite's parser,
whose stack is fixed, refuses a rule and a query each nested a little deeper. The parser and every
walk of the tree recurse per level, far from Python's limit here."""

# -- the sync folder ------------------------------------------------------------------------------

MAX_SYNC_FILE = 256 * MB
"""Bytes of one file of the sync folder (a machine's log, with its snapshot): a log grows past
a few MB only between two compactions of a machine marking thousands of papers."""
MAX_SYNC_ENTRY = 4 * MB
"""Bytes of one line of a log (one change: a note is the longest); a longer note is not sent."""
MAX_SYNC_DEPTH = 32
"""Arrays and objects nested in the value of one change of a log, checked as the line is read
(papertray's own values nest once at most; one of a newer papertray is kept as it came, and
written again inside the sync state file, where orjson refuses to write past its own depth)."""

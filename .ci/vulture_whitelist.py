"""Names vulture sees defined and never used, that are used: called by name, by a library or
through a string. Read by the dead-code step of `.ci/run`, never imported.

Keep it short: a name goes here with who calls it. Code that nothing calls is removed instead.
"""

# PEP 562: Python calls a module's __getattr__ and __dir__ (store/__init__.py, the lazy facade).
__getattr__
__dir__

# html.parser.HTMLParser calls its subclass's handlers by name (store/formats/markup.py).
handle_starttag
handle_startendtag
handle_endtag
handle_data

# Looked up by name: the parsers in `FORMATS` (`_parser("records", "parse_json")`) and the
# limits `net.Settings` reads (`_limit("CONNECT_TIMEOUT")`, so a test's monkeypatch holds).
parse_json
parse_jsonl
CONNECT_TIMEOUT
READ_TIMEOUT
MAX_RESPONSE
RETRIES
MAX_RETRY_WAIT
MAX_FETCH_BYTES

# net.Client.requests: the requests sent, what the fetch tests count.
requests

# Textual calls `check_action(action, parameters)`; the reader's overrides need only the action.
parameters

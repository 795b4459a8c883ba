"""One module per input format: each exposes `sniff` (a cheap look at the text: is it mine?)
and `parse` (the papers). `store.ingest` reads the file, detects the format and dispatches."""

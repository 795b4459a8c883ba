"""Loopback fakes of the sources `watch` asks (issue 24): the arXiv API's `id_list` query (Atom)
and the Hugging Face paper API (`/api/papers/{id}`), each a werkzeug handler a pytest-httpserver
serves on 127.0.0.1. Used by the CLI's watch tests and the reader's.

Not collected by pytest (no `test_` prefix); imported as `helpers.fake_sources`.
"""

from __future__ import annotations

import http.client
import threading
import zlib
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import orjson
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response


def drain(server: HTTPServer) -> None:
    """Return once `server` has answered every request it holds, each in its log: a request of
    our own, which a server answering one at a time answers after them. A test whose handler
    is slow calls this (after `release`) so that the handler does not outlive it and write
    into the next test's log on the shared server."""
    server.expect_request("/__drained").respond_with_data("")
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        conn.request("GET", "/__drained")
        conn.getresponse().read()
    finally:
        conn.close()


@dataclass
class _Pace:
    """A handler's delay, cut short when its test ends (`release`)."""

    released: threading.Event = field(default_factory=threading.Event)

    def wait(self, seconds: float) -> None:
        if seconds:
            self.released.wait(seconds)

    def release(self) -> None:
        self.released.set()


@dataclass
class Version:
    title: str
    updated: str  # ISO date-time, the day this version came out
    summary: str = "An abstract."
    comment: str = ""


@dataclass
class FakeArxiv:
    """The arXiv API's `id_list` query: one Atom entry per known id, its latest version."""

    papers: dict[str, list[Version]] = field(default_factory=dict)
    asked: list[list[str]] = field(default_factory=list)
    delay: float = 0.0
    etag: str | None = None
    faults: list[Response] = field(default_factory=list)
    cut_after: int | None = None
    """Answers after this many are cut off mid-document."""
    pace: _Pace = field(default_factory=_Pace)

    def handler(self, request: Request) -> Response:
        self.pace.wait(self.delay)
        if self.faults:
            return self.faults.pop(0)
        if self.cut_after is not None and len(self.asked) >= self.cut_after:
            return Response("<feed><entry>cut", content_type="application/atom+xml")
        ids = request.args["id_list"].split(",")
        assert int(request.args["max_results"]) == len(ids)
        self.asked.append(ids)
        if self.etag is not None and request.headers.get("If-None-Match") == self.etag:
            return Response(status=304, headers={"ETag": self.etag})
        entries = "".join(self._entry(aid) for aid in ids if aid in self.papers)
        body = (
            "<?xml version='1.0' encoding='UTF-8'?>\n"
            '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
            "<id>https://arxiv.org/api/x</id><title>arXiv Query</title>"
            f"<opensearch:totalResults>{len(ids)}</opensearch:totalResults>{entries}</feed>"
        )
        headers = {"ETag": self.etag} if self.etag else {}
        return Response(body, content_type="application/atom+xml", headers=headers)

    def _entry(self, aid: str) -> str:
        versions = self.papers[aid]
        latest = versions[-1]
        comment = (
            f"<arxiv:comment>{escape(latest.comment)}</arxiv:comment>" if latest.comment else ""
        )
        return (
            f"<entry><id>http://arxiv.org/abs/{aid}v{len(versions)}</id>"
            f"<title>{escape(latest.title)}</title><updated>{latest.updated}</updated>"
            f"<published>{versions[0].updated}</published>"
            f"<summary>{escape(latest.summary)}</summary>"
            f'<link href="https://arxiv.org/abs/{aid}v{len(versions)}" rel="alternate" '
            'type="text/html"/><category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>'
            f"{comment}<author><name>Ada Lovelace</name></author></entry>"
        )


@dataclass
class FakeHF:
    """The Hugging Face paper API: `/api/papers/{arxiv id}` for the papers it has."""

    papers: dict[str, dict[str, Any]] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    delay: float = 0.0
    faults: list[Response] = field(default_factory=list)
    etags: bool = False
    answers: list[int] = field(default_factory=list)
    pace: _Pace = field(default_factory=_Pace)

    def handler(self, request: Request) -> Response:
        self.pace.wait(self.delay)
        aid = request.path.rsplit("/", 1)[-1]
        self.asked.append(aid)
        response = self._answer(request, aid)
        self.answers.append(response.status_code)
        return response

    def _answer(self, request: Request, aid: str) -> Response:
        if self.faults:
            return self.faults.pop(0)
        if aid not in self.papers:
            return Response('{"error":"Entry not found"}', status=404)
        doc = {"id": aid, "title": f"Paper {aid}", "summary": "An abstract.", "authors": []}
        doc.update(self.papers[aid])
        body = orjson.dumps(doc)
        if not self.etags:
            return Response(body, content_type="application/json")
        etag = f'"{zlib.crc32(body):x}"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, content_type="application/json", headers={"ETag": etag})

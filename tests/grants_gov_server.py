"""A local stand-in for Grants.gov on 127.0.0.1: search2 and fetchOpportunity JSON and a zipped XML extract,
in the real schemas, with scripted faults per path: a status, headers (a redirect's Location), a delay, a
truncated or replaced body, or a body sent one byte at a time."""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"


def extract_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(FIXTURES / "extract_small.xml", "GrantsDBExtract20261128v2.xml")
    return buf.getvalue()


class FakeGrantsGov:
    """Serves /v1/api/search2, /v1/api/fetchOpportunity and /extract/GrantsDBExtract{date}v2.zip.
    `faults[path]` is a list of dicts used once each, in order: {"status", "headers", "delay", "truncate",
    "body" (bytes sent instead), "trickle" (seconds between single bytes)}; `always[path]` applies to every
    request after the scripted faults run out."""

    def __init__(self) -> None:
        self.faults: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.always: dict[str, dict[str, Any]] = {}
        self.hits: dict[str, int] = defaultdict(int)
        fetched = json.loads((FIXTURES / "fetch_opportunity.json").read_text())
        self.search = {"errorcode": 0, "msg": "ok", "data": {"hitCount": 1, "oppHits": [
            {"id": str(fetched["data"]["id"]), "number": fetched["data"]["opportunityNumber"],
             "title": fetched["data"]["opportunityTitle"], "agencyCode": "DOT-OST", "openDate": "11/01/2026",
             "closeDate": "01/13/2027", "oppStatus": "posted", "docType": "synopsis", "cfdaList": ["20.933"]}]}}
        self.detail = fetched
        self.zip = extract_zip()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_a: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.respond(self, self.path, "application/json")

            def do_GET(self) -> None:  # noqa: N802
                outer.respond(self, self.path, "application/zip")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def body(self, path: str) -> bytes:
        if path.endswith("/search2"):
            return json.dumps(self.search).encode()
        if path.endswith("/fetchOpportunity"):
            return json.dumps(self.detail).encode()
        if path.startswith("/extract/"):
            return self.zip
        return b""

    def respond(self, handler: BaseHTTPRequestHandler, path: str, kind: str) -> None:
        key = path.rsplit("/", 1)[-1] if not path.startswith("/extract/") else "extract"
        self.hits[key] += 1
        fault = self.faults[key].pop(0) if self.faults[key] else self.always.get(key, {})
        if fault.get("delay"):
            time.sleep(fault["delay"])
        body = fault["body"] if "body" in fault else self.body(path)
        status = fault.get("status", 200 if body or "body" in fault else 404)
        if fault.get("truncate"):
            body = body[: len(body) // 2]
        try:
            handler.send_response(status)
            for k, v in (fault.get("headers") or {}).items():
                handler.send_header(k, v)
            handler.send_header("Content-Type", kind)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            if fault.get("trickle"):
                for i in range(len(body)):
                    handler.wfile.write(body[i:i + 1])
                    handler.wfile.flush()
                    time.sleep(fault["trickle"])
                return
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class ForwardProxy:
    """A plain HTTP forward proxy on 127.0.0.1 (absolute-form requests), counting what it forwards."""

    def __init__(self) -> None:
        import http.client
        from urllib.parse import urlsplit

        self.forwarded = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_a: Any) -> None:
                pass

            def relay(self, method: str) -> None:
                u = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
                conn.request(method, u.path + (f"?{u.query}" if u.query else ""), body=body,
                             headers={"Content-Type": self.headers.get("Content-Type", "")})
                resp = conn.getresponse()
                data = resp.read()
                outer.forwarded += 1
                self.send_response(resp.status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                self.relay("GET")

            def do_POST(self) -> None:  # noqa: N802
                self.relay("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

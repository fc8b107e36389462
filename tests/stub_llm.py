"""A stub OpenAI-compatible chat server on 127.0.0.1 for the LLM-mode tests (the machine has no LLM).

It answers `stream: true` requests with server-sent events, a few characters per chunk (`chunk_delay` apart),
as llama.cpp's server does, and records whether the client closed the stream before the end."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StubLLM:
    def __init__(self) -> None:
        self.reply = "OK"
        self.replies: list[str] = []  # one per request, in order, before `reply` is used for the rest
        self.delay = 0.0  # before the first byte
        self.chunk_delay = 0.0  # between streamed chunks
        self.chunk_chars = 6
        self.status = 200
        self.streams = True  # False: answer with one JSON body even when asked to stream
        self.requests: list[dict] = []
        self.closed_early = threading.Event()  # the client closed a stream before its end
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.requests.append(body)
                reply = stub.replies.pop(0) if stub.replies else stub.reply
                time.sleep(stub.delay)
                try:
                    if stub.status != 200:
                        self.send_response(stub.status)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                    elif body.get("stream") and stub.streams:
                        self._stream(body, reply)
                    else:
                        self._whole(body, reply)
                except (BrokenPipeError, ConnectionResetError):
                    stub.closed_early.set()  # the client timed out or closed first, as some tests intend

            def _whole(self, body: dict, reply: str) -> None:
                out = json.dumps({"id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
                                  "choices": [{"index": 0, "finish_reason": "stop",
                                               "message": {"role": "assistant", "content": reply}}],
                                  "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out.encode())

            def _stream(self, body: dict, reply: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                text, n = reply, stub.chunk_chars
                for i in range(0, len(text), n):
                    self._event({"delta": {"content": text[i:i + n]}, "finish_reason": None}, body)
                    time.sleep(stub.chunk_delay)
                self._event({"delta": {}, "finish_reason": "stop"}, body)
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

            def _event(self, choice: dict, body: dict) -> None:
                chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                         "choices": [{"index": 0, **choice}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

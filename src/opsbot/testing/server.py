"""The loopback HTTP server: /api/<method>, upload URLs and response_urls."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from . import api_chat, api_conversations, api_files, api_pins, api_views  # noqa: F401 (register)
from .model import ApiError, Call
from .traffic import Traffic
from .webapi import Ctx, dispatch


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, ctx: Ctx, traffic: Traffic, tokens: set[str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.ctx = ctx
        self.traffic = traffic
        self.tokens = tokens


def _params(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if not body:
        return params
    if content_type.startswith("application/json"):
        decoded = json.loads(body)
        if isinstance(decoded, dict):
            params.update(decoded)
    else:
        params.update(parse_qsl(body.decode(), keep_blank_values=True))
    return params


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the stand-in records calls itself (``FakeSlack.calls``)."""

    def do_GET(self) -> None:
        self._route(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._route(self.rfile.read(length) if length else b"")

    def _route(self, body: bytes) -> None:
        url = urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        try:
            if len(parts) == 2 and parts[0] == "api":
                self._api(parts[1], url.query, body)
            elif len(parts) == 2 and parts[0] == "upload":
                self._upload(parts[1], body)
            elif len(parts) == 2 and parts[0] == "response":
                self._response_url(parts[1], body)
            else:
                self._send(404, {"ok": False, "error": "not_found"})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a test killed it mid-request): nothing to answer

    def _api(self, name: str, query: str, body: bytes) -> None:
        content_type = self.headers.get("Content-Type") or ""
        try:
            params = _params(query, body, content_type)
        except (ValueError, UnicodeDecodeError):
            self._send(200, {"ok": False, "error": "invalid_json"})
            return
        server = self.server
        answer = dispatch(
            server.ctx,
            server.traffic,
            name,
            params,
            self.headers.get("Authorization"),
            server.tokens,
        )
        self._send(answer.status, answer.body, answer.headers)

    def _upload(self, file_id: str, body: bytes) -> None:
        if api_files.receive_upload(self.server.ctx.ws, file_id, body):
            self._send_text(200, f"OK - {len(body)}")
        else:
            self._send_text(404, "file_not_found")

    def _response_url(self, token: str, body: bytes) -> None:
        """A post to a response_url: applied, and recorded in calls as method "response_url"."""
        ws = self.server.ctx.ws
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            payload = None
        with ws.lock:
            target = ws.response_urls.get(token)
            answer: dict[str, Any] = {"ok": True}
            status = 200
            if not isinstance(payload, dict):
                status, answer = 400, {"ok": False, "error": "invalid_payload"}
            elif target is None:
                status, answer = 404, {"ok": False, "error": "expired_url"}
            else:
                try:
                    api_chat.respond(ws, target, payload)
                except ApiError as refusal:
                    status, answer = (
                        (400 if refusal.status == 200 else refusal.status),
                        refusal.body,
                    )
            error = None if answer.get("ok") else str(answer.get("error"))
            ws.calls.append(
                Call("response_url", payload if isinstance(payload, dict) else {}, status, error)
            )
            ws.bot_acted()
        self._send(status, answer)

    def _send(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_text(self, status: int, text: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class ApiServer:
    """The Web API on 127.0.0.1 with an OS-chosen port, served from a daemon thread."""

    def __init__(self, ctx: Ctx, traffic: Traffic, tokens: set[str]) -> None:
        self._server = _Server(ctx, traffic, tokens)
        host, port = self._server.server_address[:2]
        self.base_url = f"http://{host!s}:{port}/"
        ctx.base_url = self.base_url
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="fake-slack",
            daemon=True,
        )
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=2)

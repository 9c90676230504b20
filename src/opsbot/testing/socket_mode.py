"""Socket Mode on loopback: ``apps.connections.open`` hands out a ws:// URL, envelopes go down it
and the app's acks come back up.

A minimal RFC 6455 server on the standard library: the opening handshake, text frames both
ways (fragmented ones reassembled), ping/pong, close; one thread per connection. Slack's side of
the protocol is what slack_sdk's Socket Mode clients expect: a ``hello`` on connect, envelopes
``{"envelope_id", "type", "payload", "accepts_response_payload", "retry_attempt",
"retry_reason"}``, acks ``{"envelope_id", "payload"?}``.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import socket
import struct
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .clock import real_monotonic
from .model import Response

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, BINARY, CONTINUATION, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA
# What a request to the bot is called over HTTP (BotLink's kinds) -> the envelope type.
ENVELOPE_TYPES = {"command": "slash_commands", "event": "events_api"}


def accept_key(key: str) -> str:
    """The ``Sec-WebSocket-Accept`` answer to a ``Sec-WebSocket-Key``."""
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def _xor(data: bytes, key: bytes) -> bytes:
    if not data:
        return data
    mask = (key * (len(data) // 4 + 1))[: len(data)]
    return (int.from_bytes(data, "big") ^ int.from_bytes(mask, "big")).to_bytes(len(data), "big")


def encode_frame(opcode: int, payload: bytes, *, mask: bool = False, fin: bool = True) -> bytes:
    """One frame; a client masks what it sends (``mask=True``), a server never does."""
    head = bytes([(0x80 if fin else 0) | opcode])
    bit, size = (0x80 if mask else 0), len(payload)
    if size < 126:
        head += bytes([bit | size])
    elif size < 1 << 16:
        head += bytes([bit | 126]) + struct.pack("!H", size)
    else:
        head += bytes([bit | 127]) + struct.pack("!Q", size)
    if mask:
        key = os.urandom(4)
        return head + key + _xor(payload, key)
    return head + payload


@dataclass
class Frame:
    """One frame as read off the wire, unmasked."""

    fin: bool
    opcode: int
    payload: bytes
    masked: bool


def read_frame(read: Callable[[int], bytes]) -> Frame:
    """Read one frame with ``read(n)`` (which returns exactly n bytes or raises EOFError)."""
    b1, b2 = read(2)
    size = b2 & 0x7F
    if size == 126:
        size = struct.unpack("!H", read(2))[0]
    elif size == 127:
        size = struct.unpack("!Q", read(8))[0]
    masked = bool(b2 & 0x80)
    key = read(4) if masked else b""
    payload = read(size)
    return Frame(bool(b1 & 0x80), b1 & 0x0F, _xor(payload, key) if masked else payload, masked)


def exact_reader(sock: socket.socket) -> Callable[[int], bytes]:
    """``read(n)`` over a socket: exactly n bytes, EOFError when the peer has gone."""

    def read(size: int) -> bytes:
        chunks, left = [], size
        while left:
            chunk = sock.recv(left)
            if not chunk:
                raise EOFError("connection closed")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    return read


class Connection:
    """One client's WebSocket: a reader thread, and sends from any thread."""

    def __init__(self, server: SocketModeServer, sock: socket.socket) -> None:
        self.server, self.sock = server, sock
        self.open = True
        self.pongs: list[bytes] = []
        self.pings: list[bytes] = []
        self.close_code: int | None = None  # what the client's close frame said, if it sent one
        self._send_lock = threading.Lock()

    def send(self, opcode: int, payload: bytes) -> None:
        with self._send_lock:
            self.sock.sendall(encode_frame(opcode, payload))

    def send_json(self, message: dict[str, Any]) -> None:
        self.send(TEXT, json.dumps(message).encode())

    def ping(self, payload: bytes = b"") -> None:
        self.send(PING, payload)

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Send a close frame and hang up (slack_sdk's client does not echo it)."""
        if self.open:
            with contextlib.suppress(OSError):  # the client went first
                self.send(CLOSE, struct.pack("!H", code) + reason.encode())
        self._hang_up()

    def _hang_up(self) -> None:
        self.open = False
        with contextlib.suppress(OSError):  # already gone
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()

    def serve(self) -> None:
        read, text = exact_reader(self.sock), b""
        try:
            while self.open:
                frame = read_frame(read)
                if not frame.masked:  # RFC 6455 5.1: a client's frames are always masked
                    self.close(1002, "unmasked frame")
                elif frame.opcode in (TEXT, CONTINUATION):
                    text += frame.payload
                    if frame.fin:
                        self.server._received(self, text.decode())
                        text = b""
                elif frame.opcode == PING:
                    self.pings.append(frame.payload)
                    self.send(PONG, frame.payload)
                elif frame.opcode == PONG:
                    self.pongs.append(frame.payload)
                elif frame.opcode == CLOSE:
                    code = struct.unpack("!H", frame.payload[:2])[0] if frame.payload else 1005
                    self.close_code = code
                    self.close(code)
                else:
                    self.close(1003, "only text frames")
        except (EOFError, OSError):
            pass  # the client hung up
        finally:
            self._hang_up()
            self.server._gone(self)


class SocketModeServer:
    """Slack's Socket Mode endpoint on 127.0.0.1: tickets, connections, envelopes and acks."""

    def __init__(self, app_id: str) -> None:
        self.app_id = app_id
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._tickets: set[str] = set()
        self.connections: list[Connection] = []
        self.envelopes: list[dict[str, Any]] = []
        self.acks: dict[str, dict[str, Any]] = {}
        self.received: list[Any] = []  # every text message a client sent, parsed, in order
        self._changed = threading.Condition()
        self._running = True
        threading.Thread(target=self._accept, name="fake-slack-socket", daemon=True).start()

    # connections ------------------------------------------------------------------------
    def issue_url(self) -> str:
        """A single-use URL to connect to, as ``apps.connections.open`` returns."""
        ticket = uuid.uuid4().hex
        with self._changed:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}"

    @property
    def connected(self) -> bool:
        """True while at least one client is connected."""
        with self._changed:
            return any(c.open for c in self.connections)

    def wait_connected(self, timeout: float = 10.0) -> Connection:
        """The newest open connection, once there is one; TimeoutError after ``timeout``."""
        return self._wait(lambda: self._newest(), timeout, "no Socket Mode client connected")

    def close(self) -> None:
        """Stop listening and say goodbye (1001, going away) to every client."""
        self._running = False
        self._listener.close()
        for connection in list(self.connections):
            connection.close(1001, "going away")

    def _accept(self) -> None:
        while self._running:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return  # closed
            threading.Thread(
                target=self._handshake, args=(sock,), name="fake-slack-ws", daemon=True
            ).start()

    def _handshake(self, sock: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request and len(request) < 16384:
            chunk = sock.recv(4096)
            if not chunk:
                sock.close()
                return
            request += chunk
        head = request.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        method, target, *_ = [*head[0].split(" "), "", ""]
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])
        }
        url = urlsplit(target)
        ticket = (parse_qs(url.query).get("ticket") or [""])[0]
        with self._changed:
            valid_ticket = ticket in self._tickets
            self._tickets.discard(ticket)
        key = headers.get("sec-websocket-key", "")
        if method != "GET" or url.path.rstrip("/") != "/link" or not valid_ticket:
            self._refuse(sock, "401 Unauthorized")
        elif headers.get("upgrade", "").lower() != "websocket" or not key:
            self._refuse(sock, "400 Bad Request")
        elif headers.get("sec-websocket-version") != "13":
            self._refuse(sock, "426 Upgrade Required\r\nSec-WebSocket-Version: 13")
        else:
            sock.sendall(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nSec-WebSocket-Accept: "
                + accept_key(key).encode()
                + b"\r\n\r\n"
            )
            connection = Connection(self, sock)
            with self._changed:
                self.connections.append(connection)
                count = sum(c.open for c in self.connections)
                self._changed.notify_all()
            connection.send_json(
                {
                    "type": "hello",
                    "num_connections": count,
                    "debug_info": {"host": "fake-slack", "approximate_connection_time": 18060},
                    "connection_info": {"app_id": self.app_id},
                }
            )
            connection.serve()

    @staticmethod
    def _refuse(sock: socket.socket, status: str) -> None:
        sock.sendall(f"HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n".encode())
        sock.close()

    def _received(self, connection: Connection, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            message = text
        with self._changed:
            self.received.append(message)
            if isinstance(message, dict) and isinstance(message.get("envelope_id"), str):
                self.acks[message["envelope_id"]] = message
            self._changed.notify_all()

    def _gone(self, connection: Connection) -> None:
        with self._changed:
            self._changed.notify_all()

    def _newest(self) -> Connection | None:
        return next((c for c in reversed(self.connections) if c.open), None)

    def _wait(self, found: Callable[[], Any], timeout: float, problem: str) -> Any:
        deadline = real_monotonic() + timeout
        with self._changed:
            while (value := found()) is None or value is False:
                left = deadline - real_monotonic()
                if left <= 0:
                    raise TimeoutError(f"{problem} within {timeout} s")
                self._changed.wait(min(left, 0.05))
            return value

    # envelopes --------------------------------------------------------------------------
    def push(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
        envelope_id: str | None = None,
    ) -> str:
        """Send an envelope to the newest connection; returns its envelope_id."""
        envelope = {
            "envelope_id": envelope_id or str(uuid.uuid4()),
            "type": type,
            "payload": payload,
            "accepts_response_payload": type != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        connection = self._newest()
        if connection is None:
            raise AssertionError("no Socket Mode client is connected")
        with self._changed:
            self.envelopes.append(envelope)
        connection.send_json(envelope)
        return str(envelope["envelope_id"])

    def wait_ack(self, envelope_id: str, timeout: float = 3.0) -> dict[str, Any]:
        """The client's ack of an envelope; TimeoutError when none comes in time."""
        ack: dict[str, Any] = self._wait(
            lambda: self.acks.get(envelope_id), timeout, f"no ack for envelope {envelope_id}"
        )
        return ack

    def deliver(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        retry_num: int | None = None,
        retry_reason: str = "",
        timeout: float = 10.0,
    ) -> Response:
        """What BotLink sends over HTTP, sent as an envelope; the ack as if it were an answer."""
        started = real_monotonic()
        envelope_id = self.push(
            ENVELOPE_TYPES.get(kind, "interactive"),
            payload,
            retry_attempt=retry_num or 0,
            retry_reason=retry_reason if retry_num else "",
        )
        ack = self.wait_ack(envelope_id, timeout)
        body = json.dumps(ack["payload"]) if ack.get("payload") else ""
        headers = {"Content-Type": "application/json"} if body else {}
        return Response(200, body, headers, real_monotonic() - started)

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the newest client to reconnect, as Slack does every few hours."""
        connection = self._newest()
        if connection is not None:
            connection.send_json({"type": "disconnect", "reason": reason})

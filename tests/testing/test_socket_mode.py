"""The stand-in's Socket Mode: apps.connections.open, the WebSocket itself, envelopes and acks."""

from __future__ import annotations

import json
import socket
import struct
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from slack_bolt import Ack, App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from opsbot.testing import FakeSlack
from opsbot.testing.socket_mode import (
    CLOSE,
    CONTINUATION,
    PING,
    PONG,
    TEXT,
    Frame,
    encode_frame,
    read_frame,
)

from . import client, error_of, stand_in, throwaway_bot

APP_TOKEN = "xapp-1-A0OPSBOT00-1-test"
RFC_KEY, RFC_ACCEPT = "dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="  # RFC 6455 1.3


class RawClient:
    """A hand-written WebSocket client, to see the wire: handshake bytes and single frames."""

    def __init__(self, url: str, key: str = RFC_KEY) -> None:
        parts = urlsplit(url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=5)
        self.buffer = b""
        self.sock.sendall(
            f"GET {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.hostname}\r\n"
            f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        self.handshake = head.decode()

    def read(self, size: int) -> bytes:
        while len(self.buffer) < size:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def frame(self) -> Frame:
        return read_frame(self.read)

    def send(self, opcode: int, payload: bytes, *, mask: bool = True, fin: bool = True) -> None:
        self.sock.sendall(encode_frame(opcode, payload, mask=mask, fin=fin))

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with stand_in() as slack:
        yield slack


def connect(slack: FakeSlack) -> RawClient:
    raw = RawClient(client(slack).apps_connections_open(app_token=APP_TOKEN)["url"])
    assert json.loads(raw.frame().payload)["type"] == "hello"
    return raw


def socket_app(slack: FakeSlack) -> SocketModeHandler:
    """A real Bolt app on slack_sdk's builtin Socket Mode client, connected to the stand-in."""
    app = App(client=client(slack), token_verification_enabled=False, signing_secret="unused")

    @app.command("/ops")
    def ops(ack: Ack, body: dict[str, Any]) -> None:
        ack(text=f"help for {body['text'] or 'everything'}")

    @app.action("go")
    def go(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.chat_postMessage(channel=body["channel"]["id"], text="went")

    @app.event("reaction_added")
    def reacted(event: dict[str, Any], client: WebClient) -> None:
        client.chat_postMessage(channel=event["item"]["channel"], text=f":{event['reaction']}:")

    handler = SocketModeHandler(app, APP_TOKEN)
    handler.connect()
    slack.socket.wait_connected()
    return handler


def test_connections_open_takes_only_an_app_token(slack: FakeSlack) -> None:
    """apps.connections.open answers a ws:// URL for an xapp- token; other tokens are refused."""
    url = client(slack).apps_connections_open(app_token=APP_TOKEN)["url"]
    assert url.startswith(f"ws://127.0.0.1:{slack.socket.port}/link/?ticket=")
    refused = error_of(lambda: client(slack).apps_connections_open(app_token="xoxb-test"))
    assert refused["error"] == "not_allowed_token_type"
    app_client = WebClient(base_url=slack.api_url, token=APP_TOKEN)
    posted = error_of(lambda: app_client.chat_postMessage(channel="general", text="x"))
    assert posted["error"] == "not_allowed_token_type"


def test_handshake_answers_the_key_and_a_ticket_works_once(slack: FakeSlack) -> None:
    """The 101 carries RFC 6455's accept value, a hello follows, and a used ticket gets 401."""
    url = client(slack).apps_connections_open(app_token=APP_TOKEN)["url"]
    raw = RawClient(url)
    assert raw.handshake.startswith("HTTP/1.1 101")
    assert f"Sec-WebSocket-Accept: {RFC_ACCEPT}" in raw.handshake
    hello = json.loads(raw.frame().payload)
    assert hello["type"] == "hello" and hello["connection_info"] == {"app_id": "A0OPSBOT00"}
    again = RawClient(url)
    assert again.handshake.startswith("HTTP/1.1 401")
    raw.close()
    again.close()


def test_ping_gets_its_pong_and_a_close_is_echoed(slack: FakeSlack) -> None:
    """A ping is answered with the same payload; the client's close is echoed and ends it."""
    raw = connect(slack)
    raw.send(PING, b"are you there")
    pong = raw.frame()
    assert (pong.opcode, pong.payload, pong.masked) == (PONG, b"are you there", False)
    raw.send(CLOSE, struct.pack("!H", 1000) + b"bye")
    echo = raw.frame()
    assert echo.opcode == CLOSE and struct.unpack("!H", echo.payload[:2])[0] == 1000
    slack.wait_for(lambda: not slack.socket.connected)
    assert slack.socket.connections[0].close_code == 1000


def test_an_unmasked_client_frame_is_refused(slack: FakeSlack) -> None:
    """A client frame without a mask breaks RFC 6455 and closes the connection with 1002."""
    raw = connect(slack)
    raw.send(TEXT, b"{}", mask=False)
    refusal = raw.frame()
    assert refusal.opcode == CLOSE and struct.unpack("!H", refusal.payload[:2])[0] == 1002


def test_a_fragmented_ack_is_reassembled_and_collected(slack: FakeSlack) -> None:
    """An ack sent as a text frame plus a continuation is read as one message, by envelope id."""
    raw = connect(slack)
    envelope_id = slack.socket.push("slash_commands", {"command": "/ops", "text": "help"})
    pushed = json.loads(raw.frame().payload)
    assert pushed == {
        "envelope_id": envelope_id,
        "type": "slash_commands",
        "payload": {"command": "/ops", "text": "help"},
        "accepts_response_payload": True,
        "retry_attempt": 0,
        "retry_reason": "",
    }
    ack = json.dumps({"envelope_id": envelope_id, "payload": {"text": "hi"}}).encode()
    raw.send(TEXT, ack[:10], fin=False)
    raw.send(CONTINUATION, ack[10:])
    assert slack.socket.wait_ack(envelope_id) == {
        "envelope_id": envelope_id,
        "payload": {"text": "hi"},
    }


def test_slack_sdk_client_gets_envelopes_and_its_acks_are_collected(slack: FakeSlack) -> None:
    """slack_sdk's builtin client connects, reads a retried events_api envelope and acks it."""
    seen: list[SocketModeRequest] = []
    sdk = SocketModeClient(app_token=APP_TOKEN, web_client=client(slack))

    def listener(sdk_client: SocketModeClient, request: SocketModeRequest) -> None:
        seen.append(request)
        sdk_client.send_socket_mode_response(SocketModeResponse(request.envelope_id))

    sdk.socket_mode_request_listeners.append(listener)  # type: ignore[arg-type]
    sdk.connect()
    try:
        event = {"type": "event_callback", "event_id": "Ev1", "event": {"type": "app_mention"}}
        envelope_id = slack.socket.push(
            "events_api", event, retry_attempt=2, retry_reason="timeout"
        )
        assert slack.socket.wait_ack(envelope_id) == {"envelope_id": envelope_id}
        assert (seen[0].type, seen[0].payload, seen[0].retry_attempt) == ("events_api", event, 2)
        assert seen[0].accepts_response_payload is False
        assert slack.socket.connections[0].pings  # the client pings; the stand-in pongs
    finally:
        sdk.close()
    slack.wait_for(lambda: not slack.socket.connected)
    assert slack.calls("apps.connections.open")


def test_person_actions_go_over_the_socket_when_enabled(slack: FakeSlack) -> None:
    """With socket_mode on, a command, a click and a reaction reach Bolt as envelopes."""
    slack.socket_mode(enabled=True)
    handler = socket_app(slack)
    try:
        alice = slack.person("alice")
        assert alice.command("/ops", "team", channel="general").status == 200
        assert [e.text for e in alice.ephemerals()] == ["help for team"]
        button = {"type": "button", "action_id": "go", "text": {"type": "plain_text", "text": "Go"}}
        client(slack).chat_postMessage(
            channel="general", text="x", blocks=[{"type": "actions", "elements": [button]}]
        )
        alice.click("Go", channel="general")
        slack.wait_for(lambda: "went" in [m.text for m in slack.messages("general")])
        ts = slack.messages("general")[0].ts
        assert alice.react("eyes", "general", ts).status == 200
        slack.wait_for(lambda: ":eyes:" in [m.text for m in slack.messages("general")])
        kinds = [e["type"] for e in slack.socket.envelopes]
        assert kinds == ["slash_commands", "interactive", "events_api"]
        assert [d.kind for d in slack.deliveries()] == ["command", "block_actions", "event"]
    finally:
        handler.close()


def test_http_stays_the_default_and_the_fallback(slack: FakeSlack) -> None:
    """Without socket_mode, or with no client connected, actions are signed HTTP POSTs."""
    with throwaway_bot(slack) as bot:
        handler = socket_app(slack)
        try:
            slack.person("alice").command("/ops", "one", channel="general")
            assert len(bot.got) == 1 and slack.socket.envelopes == []
        finally:
            handler.close()
        slack.wait_for(lambda: not slack.socket.connected)
        slack.socket_mode(enabled=True)
        slack.person("alice").command("/ops", "two", channel="general")
        assert len(bot.got) == 2 and bot.got[1].valid


def test_an_envelope_nobody_acks_times_out(slack: FakeSlack) -> None:
    """A connected client that never acks makes the person's action fail after bot_timeout."""
    slack.socket_mode(enabled=True)
    slack.bot_timeout = 0.3
    raw = connect(slack)
    with pytest.raises(TimeoutError):
        slack.person("alice").command("/ops", "help", channel="general")
    raw.close()


def test_stopping_the_stand_in_says_going_away(slack: FakeSlack) -> None:
    """Closing the Socket Mode endpoint sends each client a 1001 close frame."""
    raw = connect(slack)
    slack.socket.close()
    goodbye = raw.frame()
    assert goodbye.opcode == CLOSE and struct.unpack("!H", goodbye.payload[:2])[0] == 1001

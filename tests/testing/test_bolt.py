"""A real Bolt app driven end to end through the stand-in: command, modal, click, event."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slack_bolt import Ack, App, BoltRequest, Respond
from slack_sdk import WebClient

from opsbot.testing import FakeSlack

from . import client, stand_in


def serve(app: App) -> ThreadingHTTPServer:
    """Bolt's App.dispatch behind a loopback HTTP server (as any Bolt adapter does)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            headers = {k.lower(): [v] for k, v in self.headers.items()}
            answer = app.dispatch(BoltRequest(body=body, headers=headers))
            data = answer.body.encode()
            self.send_response(answer.status)
            for key, values in answer.headers.items():
                for value in values:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    ).start()
    return server


def build_app(web: WebClient) -> App:
    app = App(client=web, signing_secret="s3cret", process_before_response=True)
    modal = {
        "type": "modal",
        "callback_id": "declare",
        "title": {"type": "plain_text", "text": "Declare"},
        "submit": {"type": "plain_text", "text": "Declare"},
        "blocks": [
            {
                "type": "input",
                "block_id": "title",
                "label": {"type": "plain_text", "text": "Title"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            }
        ],
    }

    @app.command("/incident")
    def declare(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=modal)

    @app.view("declare")
    def submitted(ack: Ack, view: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        title = view["state"]["values"]["title"]["value"]["value"]
        if len(title) < 5:
            ack(response_action="errors", errors={"title": "Say more"})
            return
        ack()
        button = {
            "type": "button",
            "action_id": "contain",
            "value": "1",
            "text": {"type": "plain_text", "text": "Mark contained"},
        }
        client.chat_postMessage(
            channel="general",
            text=f"Incident: {title}",
            blocks=[{"type": "actions", "elements": [button]}],
        )

    @app.action("contain")
    def contain(ack: Ack, respond: Respond) -> None:
        ack()
        respond(text="Contained", replace_original=True)

    @app.event("reaction_added")
    def pinned(event: dict[str, Any], client: WebClient) -> None:
        client.chat_postMessage(
            channel=event["item"]["channel"], text=f"noted :{event['reaction']}:"
        )

    return app


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with stand_in() as slack:
        app = build_app(client(slack))
        server = serve(app)
        slack.bot_url = f"http://127.0.0.1:{server.server_address[1]}/slack/events"
        try:
            yield slack
        finally:
            server.shutdown()
            server.server_close()


def test_bolt_declares_through_a_modal_and_a_button(slack: FakeSlack) -> None:
    """Bolt verifies our signatures, opens a modal with our trigger, reads our state.values,
    sees its validation errors keep the modal open, and edits the message via response_url."""
    alice = slack.person("alice")
    assert alice.command("/incident", "", channel="general").status == 200
    assert [v["callback_id"] for v in slack.open_views("alice")] == ["declare"]
    assert alice.submit({"Title": "bad"}).json["errors"] == {"title": "Say more"}
    alice.submit({"Title": "Refunds broke"})
    assert slack.open_views("alice") == []
    assert [m.text for m in slack.messages("general")] == ["Incident: Refunds broke"]
    alice.click("Mark contained", channel="general")
    assert [m.text for m in slack.messages("general")] == ["Contained"]
    assert slack.calls("auth.test")


def test_bolt_receives_events(slack: FakeSlack) -> None:
    """A reaction reaches Bolt's event listener as a signed event_callback."""
    ts = client(slack).chat_postMessage(channel="general", text="x")["ts"]
    assert slack.person("bob").react("pushpin", "general", ts).status == 200
    texts = slack.wait_for(lambda: [m.text for m in slack.messages("general")][1:])
    assert texts == ["noted :pushpin:"]


def test_bolt_refuses_a_forged_signature(slack: FakeSlack) -> None:
    """A request signed with the wrong secret gets Bolt's 401."""
    body = b"command=%2Fincident&text=x"
    headers = {**slack.sign(b"something else"), "Content-Type": "application/x-www-form-urlencoded"}
    assert slack.post_to_bot(body, headers)[0] == 401

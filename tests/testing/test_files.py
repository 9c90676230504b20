"""The external file upload flow, driven by slack_sdk's own files_upload_v2."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from opsbot.testing import FakeSlack

from . import client, error_of, stand_in


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with stand_in() as slack:
        yield slack


@pytest.fixture
def web(slack: FakeSlack) -> WebClient:
    return client(slack)


def test_files_upload_v2_posts_the_file_in_the_channel(slack: FakeSlack, web: WebClient) -> None:
    """files_upload_v2 (get URL, POST bytes, complete) stores the bytes and posts a message."""
    cid = slack.channel_id("general")
    response = web.files_upload_v2(
        channel=cid,
        content="# Postmortem\n",
        filename="postmortem.md",
        title="Postmortem INC-1",
        initial_comment="The postmortem is ready.",
    )
    file_id = response["file"]["id"]
    [stored] = slack.files("general")
    assert (stored.id, stored.content, stored.title) == (
        file_id,
        b"# Postmortem\n",
        "Postmortem INC-1",
    )
    [message] = slack.messages("general")
    assert message.text == "The postmortem is ready."
    assert [f.filename for f in message.files] == ["postmortem.md"]
    assert stored.ts == message.ts
    methods = [c.method for c in slack.calls()]
    assert methods == ["files.getUploadURLExternal", "files.completeUploadExternal"]
    assert web.files_info(file=file_id)["file"]["name"] == "postmortem.md"


def test_upload_in_a_thread(slack: FakeSlack, web: WebClient) -> None:
    """files_upload_v2 with thread_ts puts the file message in that thread."""
    parent = web.chat_postMessage(channel="general", text="incident")["ts"]
    web.files_upload_v2(
        channel=slack.channel_id("general"), content=b"x", filename="a.txt", thread_ts=parent
    )
    assert [len(m.files) for m in slack.replies("general", parent)] == [1]


def test_completing_an_unknown_or_unsent_file_is_file_not_found(web: WebClient) -> None:
    """files.completeUploadExternal refuses ids never issued or whose bytes never came."""
    issued = web.files_getUploadURLExternal(filename="a.txt", length=1)["file_id"]
    for file_id in ("F404", issued):
        body = error_of(lambda f=file_id: web.files_completeUploadExternal(files=[{"id": f}]))
        assert body["error"] == "file_not_found"


def test_upload_to_a_private_channel_needs_membership(slack: FakeSlack, web: WebClient) -> None:
    """Completing an upload into a private channel the bot is not in is not_in_channel."""
    cid = slack.add_channel("secret", private=True, bot_member=False)
    body = error_of(lambda: web.files_upload_v2(channel=cid, content="x", filename="a.txt"))
    assert body["error"] == "not_in_channel"

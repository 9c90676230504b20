"""A stand-in saved to a file and loaded by a new one holds what Slack would still hold."""

from __future__ import annotations

import json
from pathlib import Path

from opsbot.testing import FakeSlack

from . import client, stand_in, throwaway_bot


def test_a_loaded_workspace_has_the_channels_messages_threads_and_files(tmp_path: Path) -> None:
    """Channels (members, topic, pins), messages with thread replies and reactions, and files
    come back under the same ids and timestamps."""
    path = tmp_path / "workspace.json"
    with stand_in() as slack, throwaway_bot(slack):
        web = client(slack)
        made = web.conversations_create(name="inc-1-refunds").data
        channel = made["channel"]["id"]  # type: ignore[index]
        web.conversations_setTopic(channel=channel, topic="Refunds wrong")
        web.conversations_invite(channel=channel, users=slack.user_id("alice"))
        parent = str(web.chat_postMessage(channel=channel, text="panel")["ts"])
        web.pins_add(channel=channel, timestamp=parent)
        web.chat_postMessage(channel=channel, text="first answer", thread_ts=parent)
        slack.person("alice").react("eyes", channel, parent)
        web.files_upload_v2(channel=channel, content="# Postmortem\n", filename="pm.md")
        slack.save(path)
    with FakeSlack(signing_secret="s3cret", bot_token="xoxb-test") as again:
        assert again.load(path) is True
        restored = again.channel("inc-1-refunds")
        assert restored.id == channel and restored.topic == "Refunds wrong"
        assert again.user_id("alice") in restored.members and restored.pins == [parent]
        [panel, upload] = again.messages(channel)
        assert panel.ts == parent and panel.reactions == {"eyes": [again.user_id("alice")]}
        assert [r.text for r in again.replies(channel, parent)] == ["first answer"]
        assert upload.files[0].content == b"# Postmortem\n"
        assert again.files(channel)[0].filename == "pm.md"


def test_the_bot_can_edit_and_reply_to_messages_posted_before_the_restart(tmp_path: Path) -> None:
    """chat.update and a thread reply find a message from before the save; new ids and
    timestamps never collide with restored ones."""
    path = tmp_path / "workspace.json"
    with stand_in() as slack:
        ts = str(client(slack).chat_postMessage(channel="general", text="panel v1")["ts"])
        old_ids = {c.id for c in slack.channels()}
        slack.save(path)
    with FakeSlack(signing_secret="s3cret", bot_token="xoxb-test") as again:
        again.load(path)
        web = client(again)
        web.chat_update(channel="general", ts=ts, text="panel v2")
        reply = web.chat_postMessage(channel="general", text="later", thread_ts=ts)
        fresh = again.add_channel("ai-ops")
        assert again.messages("general")[0].text == "panel v2"
        assert float(str(reply["ts"])) > float(ts)
        assert fresh not in old_ids


def test_loading_a_missing_file_changes_nothing(tmp_path: Path) -> None:
    """No saved file: load says so and the workspace is as it was."""
    with stand_in() as slack:
        assert slack.load(tmp_path / "none.json") is False
        assert [c.name for c in slack.channels()] == ["general"]


def test_a_file_of_another_format_is_refused(tmp_path: Path) -> None:
    """A file that is not a saved workspace is refused, never half loaded."""
    path = tmp_path / "workspace.json"
    path.write_text(json.dumps({"format": 99}))
    with stand_in() as slack:
        try:
            slack.load(path)
        except ValueError as refusal:
            assert "format" in str(refusal)
        else:
            raise AssertionError("a file of another format was loaded")
        assert [c.name for c in slack.channels()] == ["general"]


def test_people_lists_everyone_but_the_bot_by_name() -> None:
    """people() names every person in the workspace, in name order, without the bot."""
    with stand_in() as slack:
        slack.person("carol")
        assert [p.name for p in slack.people()] == ["alice", "bob", "carol"]

"""The postmortem is published once, even when Slack's answer to its upload is lost."""

from __future__ import annotations

from tests.incidents.helpers import incident_channel, panel, posted
from tests.incidents.helpers import run as do


def test_a_lost_answer_to_the_postmortem_upload_leaves_one_postmortem(ibot, slack, people) -> None:
    """Closing while Slack stores the postmortem file and then answers 500 leaves exactly one
    postmortem file, and then the closing message, in the incident channel."""
    alice = people["alice"]
    alice.command("/incident", "declare sev3 Refund agent misfires", channel="general")
    channel = incident_channel(slack, 1)
    panel(slack, channel.id)
    for text in [
        "contain Paused the refund agent",
        "rca model Prompt v12 dropped the refund cap",
        "rule-out data Index unchanged",
        "rule-out workflow Escalation worked",
        "fix Restore the cap test=eval-refund-guard",
        "verify 1 eval run r-82 passed",
        "resolve",
    ]:
        do(ibot, slack, alice, text, channel.name)
    slack.fail("files.completeUploadExternal", status=500, delay_after_effect=True)
    do(ibot, slack, alice, "close", channel.name)
    posted(slack, channel.id, "The postmortem is the file above", timeout=15)
    assert [f.filename for f in slack.files(channel.id)] == ["incident-1-postmortem.md"]
    assert [c.status for c in slack.calls("files.completeUploadExternal")] == [500]

"""The Slack stand-in: a stateful fake Web API on loopback and people who act through it.

with FakeSlack(signing_secret="s3cret", bot_token="xoxb-test") as slack:
    slack.add_channel("general", members=["alice"])
    slack.bot_url = "http://127.0.0.1:8000/slack/events"     # the bot under test
    client = WebClient(base_url=slack.api_url, token="xoxb-test")
    slack.person("alice").command("/incident", "declare sev1 Refunds broke", channel="general")
    slack.wait_for(lambda: slack.messages("general"), message="no announcement")
"""

from .fake import FakeSlack
from .model import Call, Channel, Ephemeral, File, Message, Response, User
from .person import Person

__all__ = [
    "Call",
    "Channel",
    "Ephemeral",
    "FakeSlack",
    "File",
    "Message",
    "Person",
    "Response",
    "User",
]

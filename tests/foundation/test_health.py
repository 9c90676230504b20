"""/healthz tells a load balancer whether this replica can reach its database."""

from __future__ import annotations

import json
import urllib.request

from starlette.testclient import TestClient

from opsbot.app import Opsbot
from opsbot.settings import load_settings


def test_healthz_is_200_with_a_database(bot) -> None:
    """A replica with its database answers 200 and names the database kind."""
    answer = json.loads(urllib.request.urlopen(f"{bot.url}/healthz").read())
    assert answer["status"] == "ok"


def test_healthz_is_503_without_a_database(tmp_path) -> None:
    """A replica whose database cannot be reached answers 503 with the reason, no secrets."""
    for url in (
        "postgresql+psycopg://postgres:hunter2@127.0.0.1:1/opsbot",
        f"sqlite:///{tmp_path}/missing/dir/opsbot.db",
    ):
        bot = Opsbot(
            load_settings(
                SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="abcdefgh", OPSBOT_DATABASE_URL=url
            )
        )
        response = TestClient(bot.web).get("/healthz")
        assert response.status_code == 503, url
        assert response.json()["status"] == "unavailable"
        assert "unreachable" in response.json()["reason"]
        assert "hunter2" not in response.text
        bot.engine.dispose()

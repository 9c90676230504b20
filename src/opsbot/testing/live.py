"""A whole opsbot in this process against the Slack stand-in (tests, console, benchmarks)."""

from __future__ import annotations

import threading
import time
from typing import Any

import uvicorn

from opsbot.app import Opsbot
from opsbot.clock import Clock, utcnow
from opsbot.config import Config
from opsbot.settings import load_settings

SIGNING_SECRET = "opsbot-local-signing-secret"
BOT_TOKEN = "xoxb-opsbot-local-token"


class LiveBot:
    """opsbot serving on a random loopback port, with the stand-in sending it Slack's requests."""

    def __init__(
        self,
        slack: Any,
        database_url: str,
        *,
        config: Config | None = None,
        clock: Clock = utcnow,
        start_workers: bool = True,
        **env: Any,
    ) -> None:
        self.slack = slack
        self.database_url = database_url
        self.config = config
        self.clock = clock
        self.start_workers = start_workers
        self.env = env
        self.bot: Opsbot | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self) -> LiveBot:
        settings = load_settings(
            SLACK_BOT_TOKEN=self.slack.bot_token,
            SLACK_SIGNING_SECRET=self.slack.signing_secret,
            OPSBOT_DATABASE_URL=self.database_url,
            OPSBOT_SLACK_API_URL=self.slack.api_url,
            OPSBOT_DELIVERY_POLL_SECONDS=0.05,
            OPSBOT_OUTBOX_LEASE_SECONDS=5,
            OPSBOT_RETRY_BASE_SECONDS=0.1,
            **self.env,
        )
        bot = Opsbot(settings, clock=self.clock, config=self.config)
        bot.upgrade_database()
        if self.start_workers:
            bot.start_workers()
        server = uvicorn.Server(
            uvicorn.Config(
                bot.web, host="127.0.0.1", port=0, log_config=None, access_log=False, lifespan="off"
            )
        )
        server.install_signal_handlers = lambda: None  # type: ignore[attr-defined]  # not the main thread
        thread = threading.Thread(target=server.run, name="live-bot", daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("opsbot did not start")
            time.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.slack.bot_url = f"{self.url}/slack/events"
        self.bot, self._server, self._thread = bot, server, thread
        return self

    @property
    def ctx(self) -> Any:
        assert self.bot is not None
        return self.bot.ctx

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            if self._thread:
                self._thread.join(10)
        if self.bot is not None:
            self.bot.stop()
        self.bot = self._server = self._thread = None

    def restart(self) -> LiveBot:
        """Stop this process's bot and start a new one on the same database and stand-in."""
        self.stop()
        return self.start()

    def __enter__(self) -> LiveBot:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

"""A whole opsbot in this process against the Slack stand-in (tests, console, benchmarks)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import uvicorn

from opsbot import outbox
from opsbot.app import Opsbot
from opsbot.clock import Clock, utcnow
from opsbot.config import Config
from opsbot.settings import load_settings

SIGNING_SECRET = "opsbot-local-signing-secret"
BOT_TOKEN = "xoxb-opsbot-local-token"


class TrackedExecutor(ThreadPoolExecutor):
    """The bot's listener pool, counting work submitted and not yet finished.

    Bolt submits a listener before it answers the request, and a command's work is submitted
    from inside its listener, so the count never drops to zero while a request's work remains.
    """

    def __init__(self) -> None:
        super().__init__(max_workers=16, thread_name_prefix="listener")
        self._count_lock = threading.Lock()
        self._unfinished = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._count_lock:
            self._unfinished += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._finished(None)
            raise
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _: object) -> None:
        with self._count_lock:
            self._unfinished -= 1

    @property
    def unfinished(self) -> int:
        """Listener and command work submitted and not finished yet."""
        with self._count_lock:
            return self._unfinished


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
        self.listeners: TrackedExecutor | None = None
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
        self.listeners = TrackedExecutor()
        bot = Opsbot(settings, clock=self.clock, config=self.config, listeners=self.listeners)
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

    def idle(self, *, ahead: timedelta = timedelta(seconds=2)) -> bool:
        """True when no listener or command work is unfinished and no Slack call is being sent
        or due within ``ahead`` (Slack's pace holds a channel's next post for a second)."""
        if self.bot is None or self.listeners is None or self.listeners.unfinished:
            return False
        with self.ctx.tx() as session:
            return outbox.due_by(session, self.clock() + ahead) == 0

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

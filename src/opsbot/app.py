"""The composition root: everything built from Settings, nothing at import time."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from opsbot.clock import Clock, utcnow
from opsbot.config import Config, load_config
from opsbot.context import Context
from opsbot.db import make_engine, upgrade
from opsbot.delivery import Delivery
from opsbot.features import REGISTRARS
from opsbot.observability import Metrics
from opsbot.scheduler import Scheduler
from opsbot.settings import Settings
from opsbot.slack import dedupe
from opsbot.slack.app import build_app, web_client
from opsbot.web import build_web, outbox_depth_reader

log = logging.getLogger(__name__)


class Opsbot:
    """One opsbot process: database, Bolt app, web routes, delivery worker and scheduler."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock = utcnow,
        config: Config | None = None,
        listeners: ThreadPoolExecutor | None = None,
    ) -> None:
        self.settings = settings
        self.config = config or load_config(settings.config_path)
        self.engine = make_engine(settings.database_url)
        self.ctx = Context(engine=self.engine, config=self.config, settings=settings, clock=clock)
        self.scheduler = Scheduler(self.engine)
        self.ctx.scheduler = self.scheduler
        self.metrics = Metrics(outbox_depth_reader(self.ctx))
        self.delivery = Delivery(
            self.engine,
            web_client(settings.bot_token(), settings.slack_api_url, retries=False),
            hooks=self.ctx.hooks,
            clock=clock,
            lease_seconds=settings.outbox_lease_seconds,
            poll_seconds=settings.delivery_poll_seconds,
            retry_base_seconds=settings.retry_base_seconds,
            on_failure=self.metrics.failure,
        )
        self.ctx.wake_delivery = self.delivery.wake
        self.scheduler.every(
            "forget-old-slack-events", 3600, lambda: dedupe.forget_old(self.engine, clock())
        )
        # Bolt's listeners and the commands' work run here (the console's stand-in passes one
        # that counts unfinished work, to know when the bot is done answering).
        self.listeners = listeners or ThreadPoolExecutor(
            max_workers=16, thread_name_prefix="listener"
        )
        self.bolt = build_app(self.ctx, REGISTRARS, executor=self.listeners)
        self.web = build_web(self.ctx, self.bolt, self.metrics, self.ctx.api_routes)

    def upgrade_database(self) -> None:
        upgrade(self.engine)

    def start_workers(self) -> None:
        """Start sending the outbox and running scheduled jobs."""
        self.delivery.start()
        self.scheduler.start()

    def stop(self) -> None:
        """Finish in-flight work; whatever is unsent stays in the outbox for the next start."""
        self.listeners.shutdown(wait=True)
        self.scheduler.stop()
        self.delivery.stop()
        self.engine.dispose()

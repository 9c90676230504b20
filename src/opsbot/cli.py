"""The `opsbot` command line."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable, Sequence

from opsbot.errors import ConfigError, OpsError
from opsbot.settings import Settings, load_settings

log = logging.getLogger("opsbot")


def _setup(settings: Settings) -> None:
    from opsbot import logs

    secrets = [
        s
        for s in (
            settings.bot_token(),
            settings.signing_secret(),
            settings.slack_app_token.get_secret_value() if settings.slack_app_token else None,
        )
        if s
    ]
    logs.configure(settings.log_level, secrets)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the HTTP server: /slack/events, /healthz, /metrics, /api/v1."""
    import uvicorn

    from opsbot.app import Opsbot

    settings = load_settings()
    settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    _setup(settings)
    bot = Opsbot(settings)
    bot.upgrade_database()
    bot.start_workers()
    server = uvicorn.Server(
        uvicorn.Config(
            bot.web,
            host=args.host,
            port=args.port,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=20,
        )
    )
    log.info("opsbot serving on http://%s:%s/slack/events", args.host, args.port)
    # uvicorn re-raises the signal it caught once it has shut down; with these handlers in
    # place that re-raise is absorbed, so the workers below get to finish and exit cleanly.
    stopping: list[int] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, _frame: stopping.append(signum))
    try:
        server.run()  # returns after SIGTERM/SIGINT once in-flight requests are answered
    finally:
        bot.stop()
    return 0


def cmd_socket(_: argparse.Namespace) -> int:
    """Run over Socket Mode with the same handlers."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from opsbot.app import Opsbot

    settings = load_settings()
    settings.require("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
    _setup(settings)
    bot = Opsbot(settings)
    bot.upgrade_database()
    bot.start_workers()
    assert settings.slack_app_token is not None
    handler = SocketModeHandler(bot.bolt, settings.slack_app_token.get_secret_value())
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    handler.connect()
    log.info("opsbot connected over Socket Mode")
    try:
        stop.wait()
    finally:
        handler.close()
        bot.stop()
    return 0


def cmd_console(args: argparse.Namespace) -> int:
    """The whole bot against the local Slack stand-in, in this terminal."""
    from opsbot.console import run_console

    return run_console(script=args.script)


def cmd_db(args: argparse.Namespace) -> int:
    from opsbot.db import make_engine, upgrade

    settings = load_settings()
    _setup(settings)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    print("database is up to date")
    return 0


def cmd_manifest(args: argparse.Namespace) -> int:
    import json

    from opsbot.manifest import build_manifest

    if not args.url and not args.socket_mode:
        print("opsbot manifest: give --url https://your-host or --socket-mode", file=sys.stderr)
        return 2
    try:
        manifest = build_manifest(url=args.url, socket_mode=args.socket_mode)
    except ValueError as exc:
        print(f"opsbot manifest: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(manifest, indent=2))
    return 0


def _extensions() -> list[Callable[[argparse._SubParsersAction], None]]:
    """Feature commands (tokens, ingest, export) add themselves here."""
    from opsbot import cli_features

    return cli_features.EXTENSIONS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="opsbot", description="opsbot: AI product ops in Slack")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP server (production)")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=3000)
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("socket", help="run over Socket Mode").set_defaults(func=cmd_socket)
    console = sub.add_parser("console", help="the whole bot against a local Slack stand-in")
    console.add_argument(
        "--script", help="read console input from this file instead of the terminal"
    )
    console.set_defaults(func=cmd_console)
    db = sub.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="bring the schema up to date").set_defaults(func=cmd_db)
    manifest = sub.add_parser("manifest", help="print the Slack app manifest")
    group = manifest.add_mutually_exclusive_group()
    group.add_argument(
        "--url",
        help="public URL of `opsbot serve`, e.g. https://ops.example.com "
        "(or the full https://ops.example.com/slack/events)",
    )
    group.add_argument("--socket-mode", action="store_true", help="a manifest for Socket Mode")
    manifest.set_defaults(func=cmd_manifest)
    for extend in _extensions():
        extend(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"opsbot: {exc.for_slack()}", file=sys.stderr)
        return 2
    except OpsError as exc:
        print(f"opsbot: {exc.for_slack()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""Ack latency of `opsbot serve` against a bare Bolt app on the same server stack.

Both run as real processes talking to the Slack stand-in, which runs in this process. Each
request is a signed, form-encoded `/ops help` carrying a response_url and trigger_id issued
by the stand-in, exactly as Person.command builds it; the latency is the time from writing
the request to reading the whole HTTP response (the ack). The measured requests are split
into rounds that alternate between the two apps, so drift on the machine hits both alike.
Replies opsbot still owes after an empty ack (POSTs to the response_url) are drained before
the bare app's round starts, so opsbot's work after the ack never slows the baseline.

    python benchmarks/ack_latency.py [--requests 2000] [--concurrency 50]
                                     [--database-url postgresql+psycopg://…] [--text help]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlencode

from opsbot.testing import FakeSlack
from opsbot.testing.live import BOT_TOKEN, SIGNING_SECRET
from opsbot.testing.state import ResponseTarget

HERE = Path(__file__).resolve().parent
TARGET_RATIO = 1.5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """One HTTP server under test, as a subprocess."""

    name: str
    argv: list[str]
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None

    def start(self, log_dir: Path) -> None:
        self.log = (log_dir / f"{self.name}.log").open("wb")
        argv = [*self.argv, "--host", "127.0.0.1", "--port", str(self.port)]
        self.proc = subprocess.Popen(argv, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name} exited with {self.proc.returncode}; see {log_dir}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        raise SystemExit(f"{self.name} did not come up within 60 s; see {log_dir}")

    def cpu_seconds(self) -> float:
        """User plus system CPU time the process has used so far (Linux)."""
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self.log is not None:
            self.log.close()


class Commands:
    """Signed `/ops <text>` requests, each with its own response_url and trigger_id."""

    def __init__(
        self, slack: FakeSlack, users: list[tuple[str, str]], channel: str, text: str
    ) -> None:
        self.slack, self.users, self.channel, self.text = slack, users, channel, text
        self.channel_id = slack.channel_id(channel)

    def request(self, client: int, port: int) -> bytes:
        user, name = self.users[client % len(self.users)]
        fields = {
            "token": "verification-token",
            "team_id": self.slack.team_id,
            "team_domain": "opsbot-test",
            "channel_id": self.channel_id,
            "channel_name": self.channel,
            "user_id": user,
            "user_name": name,
            "command": "/ops",
            "text": self.text,
            "api_app_id": self.slack.ws.app_id,
            "is_enterprise_install": "false",
            "response_url": self.slack.issue_response_url(ResponseTarget(self.channel_id, user)),
            "trigger_id": self.slack.ws.issue_trigger(user),
        }
        body = urlencode(fields).encode()
        headers = {
            "Host": f"127.0.0.1:{port}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(len(body)),
            **self.slack.sign(body),
        }
        head = "POST /slack/events HTTP/1.1\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One HTTP/1.1 response with a Content-Length: its status and body."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
        elif name.strip().lower() == "transfer-encoding":
            raise RuntimeError("chunked responses are not expected from an ack")
    return status, await reader.readexactly(length) if length else b""


@dataclass
class Run:
    """What one load produced: the seconds each ack took, and how many acks were empty."""

    latencies: list[float] = field(default_factory=list)
    empty_acks: int = 0  # each one means a reply through the response_url is on its way


async def load(commands: Commands, port: int, total: int, concurrency: int) -> Run:
    """``total`` commands from ``concurrency`` keep-alive clients."""
    run = Run()
    failures: list[int] = []
    remaining = total

    async def client(index: int) -> None:
        nonlocal remaining
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while remaining > 0:
                remaining -= 1
                request = commands.request(index, port)
                started = time.perf_counter()
                writer.write(request)
                await writer.drain()
                status, body = await read_response(reader)
                run.latencies.append(time.perf_counter() - started)
                run.empty_acks += not body
                if status != 200:
                    failures.append(status)
        finally:
            writer.close()

    await asyncio.gather(*(client(i) for i in range(concurrency)))
    if failures:
        raise SystemExit(f"{len(failures)} requests failed on port {port}: {failures[:5]}")
    return run


def drain(slack: FakeSlack, expected: int, timeout: float = 120.0) -> None:
    """Wait until opsbot has posted every reply it owes to a response_url."""
    slack.wait_for(
        lambda: len(slack.calls("response_url")) >= expected,
        timeout=timeout,
        message=f"opsbot did not reply to all {expected} commands within {timeout} s",
    )


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, round(p / 100 * len(sorted_values) + 0.5 - 1e-9))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except OSError:
        memory = "unknown memory"
    return (
        f"{os.cpu_count()} CPUs ({model}), {memory}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per app")
    parser.add_argument("--concurrency", type=int, default=50, help="concurrent clients")
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured requests per app")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds per app")
    parser.add_argument("--text", default="help", help="what follows /ops (default: help)")
    parser.add_argument(
        "--database-url", help="opsbot's database (default: a temporary SQLite file)"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="opsbot-bench-"))
    database_url = args.database_url or f"sqlite:///{work / 'opsbot.db'}"
    slack = FakeSlack(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN).start()
    names = [f"bench{i:02d}" for i in range(args.concurrency)]
    users = [(slack.add_user(name), name) for name in names]
    slack.add_channel("general", members=[uid for uid, _ in users])
    commands = Commands(slack, users, "general", args.text)
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "OPSBOT_SLACK_API_URL": slack.api_url,
        "OPSBOT_DATABASE_URL": database_url,
    }
    opsbot = Server("opsbot", [sys.executable, "-m", "opsbot", "serve"], env)
    bare = Server("bare", [sys.executable, str(HERE / "bare_bolt_app.py")], env)
    print(f"machine: {machine()}")
    print(f"opsbot database: {database_url.split('@')[-1]}  (logs in {work})")
    results: dict[str, list[float]] = {"opsbot": [], "bare": []}
    cpu: dict[str, float] = {"opsbot": 0.0, "bare": 0.0}
    wall: dict[str, float] = {"opsbot": 0.0, "bare": 0.0}
    replies = 0  # response_url posts opsbot owes so far

    def measure(server: Server, count: int) -> Run:
        nonlocal replies
        run = asyncio.run(load(commands, server.port, count, args.concurrency))
        if server is opsbot:  # the bare app never replies after its ack
            replies += run.empty_acks
            drain(slack, replies)  # opsbot's replies are part of its work
        return run

    try:
        opsbot.start(work)
        bare.start(work)
        for server in (opsbot, bare):
            measure(server, args.warmup)
        per_round = [args.requests // args.rounds] * args.rounds
        per_round[-1] += args.requests - sum(per_round)
        for number, count in enumerate(per_round):
            order = (opsbot, bare) if number % 2 == 0 else (bare, opsbot)
            for server in order:
                cpu_before, started = server.cpu_seconds(), time.perf_counter()
                results[server.name] += measure(server, count).latencies
                wall[server.name] += time.perf_counter() - started
                cpu[server.name] += server.cpu_seconds() - cpu_before
    finally:
        opsbot.stop()
        bare.stop()
        slack.stop()

    print(
        f"{args.requests} signed `/ops {args.text}` per app, {args.concurrency} concurrent clients"
    )
    print(f"opsbot replies through response_url: {replies}")
    columns = ("p50 ms", "p95 ms", "p99 ms", "max ms", "req/s")
    print(f"{'':8}" + "".join(f"{c:>9}" for c in columns) + f"{'CPU ms/req':>12}")
    summary: dict[str, dict[int, float]] = {}
    for name, values in results.items():
        ordered = sorted(values)
        summary[name] = {p: percentile(ordered, p) * 1000 for p in (50, 95, 99, 100)}
        row = "".join(f"{summary[name][p]:9.1f}" for p in (50, 95, 99, 100))
        rate = len(values) / wall[name]
        cost = cpu[name] / len(values) * 1000
        print(f"{name:8}{row}{rate:9.0f}{cost:12.2f}")
    ratio = {p: summary["opsbot"][p] / summary["bare"][p] for p in (50, 95, 99)}
    print(f"{'ratio':8}" + "".join(f"{ratio[p]:8.2f}x" for p in (50, 95, 99)))
    met = ratio[99] <= TARGET_RATIO
    verdict = "met" if met else "NOT met"
    print(f"target p99 ratio <= {TARGET_RATIO}x: {verdict}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

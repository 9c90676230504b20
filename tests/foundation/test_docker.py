"""The Docker image's promises that hold without Docker: what enters the build context, what the
Dockerfile pins and declares, and the healthcheck finding the port the server listens on.
`scripts/docker-smoke.sh` checks the built image itself wherever Docker runs."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.foundation.test_serve_process import Serve

ROOT = Path(__file__).resolve().parents[2]
HEALTHCHECK = ROOT / "scripts" / "docker-healthcheck.py"


def _pattern(glob: str) -> re.Pattern[str]:
    """Docker's .dockerignore glob as a regex: `**` any directories, `*` and `?` within one."""
    out, i = "", 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif glob.startswith("**", i):
            out, i = out + ".*", i + 2
        elif glob[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif glob[i] == "?":
            out, i = out + "[^/]", i + 1
        elif glob[i] == "[":
            end = glob.index("]", i)
            out, i = out + glob[i : end + 1], end + 1
        else:
            out, i = out + re.escape(glob[i]), i + 1
    return re.compile(out)


def _ignore_rules() -> list[tuple[bool, re.Pattern[str]]]:
    rules = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        rules.append((negated, _pattern(line.lstrip("!").strip("/"))))
    return rules


def _sent(path: str) -> bool:
    """Whether Docker sends `path` to the daemon: the last rule matching it or a parent wins."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    sent = True
    for negated, rule in _ignore_rules():
        if any(rule.fullmatch(prefix) for prefix in prefixes):
            sent = negated
    return sent


def _instructions() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    return [" ".join(i.split()) for i in "\n".join(lines).replace("\\\n", " ").splitlines() if i]


def _runtime_stage() -> list[str]:
    instructions = _instructions()
    last_from = max(n for n, i in enumerate(instructions) if i.startswith("FROM "))
    return instructions[last_from:]


@pytest.mark.parametrize(
    "path",
    [
        ".git",
        ".git/HEAD",
        ".venv/bin/python",
        "opsbot.db",
        "opsbot.db-wal",
        "src/opsbot/stray.db",
        "src/opsbot/__pycache__/cli.cpython-311.pyc",
        "src/opsbot.egg-info/PKG-INFO",
        ".env",
        "tests/conftest.py",
        "benchmarks/out/result.json",
        "scripts/synthetic_telemetry.py",
    ],
)
def test_the_build_context_leaves_out_local_state(path: str) -> None:
    """.dockerignore keeps .git, .venv, databases, caches and everything not built from out."""
    assert not _sent(path)


def test_the_build_context_holds_what_the_dockerfile_copies() -> None:
    """Every tracked file the Dockerfile copies from the context passes .dockerignore."""
    copied = [
        source
        for instruction in _instructions()
        if instruction.startswith("COPY ") and "--from=" not in instruction
        for source in instruction.split()[1:-1]
    ]
    assert copied, "the Dockerfile copies nothing from the context"
    for source in copied:
        tracked = subprocess.run(
            ["git", "ls-files", "--", source], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
        assert tracked, f"{source} is not in the repository"
        assert [f for f in tracked if not _sent(f)] == [], source


def test_the_base_image_is_pinned_to_a_release() -> None:
    """Both stages start from one base pinned to a Python patch release, never a floating tag."""
    instructions = _instructions()
    base = next(i for i in instructions if i.startswith("ARG BASE="))
    assert re.fullmatch(r"ARG BASE=python:\d+\.\d+\.\d+-slim-[a-z]+(@sha256:[0-9a-f]{64})?", base)
    assert [i for i in instructions if i.startswith("FROM ")] == [
        "FROM ${BASE} AS build",
        "FROM ${BASE}",
    ]


def test_the_runtime_stage_has_no_pip_and_runs_as_a_user() -> None:
    """The runtime installs nothing with pip, removes the base's pip, and runs as a non-root uid."""
    runtime = _runtime_stage()
    assert not any("pip install" in i for i in runtime)
    assert any('! python -c "import pip"' in i for i in runtime)
    user = [i for i in runtime if i.startswith("USER ")]
    assert user and user[-1].split()[1].split(":")[0] not in ("0", "root")


def test_the_sqlite_file_lives_on_the_data_volume() -> None:
    """The default OPSBOT_DATABASE_URL points into the directory declared as a VOLUME."""
    runtime = " ".join(_runtime_stage())
    volume = re.search(r'VOLUME \["([^"]+)"\]', runtime)
    url = re.search(r"OPSBOT_DATABASE_URL=sqlite:///(\S+)", runtime)
    assert volume and url
    assert Path(url.group(1)).parent == Path(volume.group(1))


def test_the_healthcheck_names_no_port_and_the_server_gets_sigterm() -> None:
    """HEALTHCHECK runs the script, no port in it; CMD is exec form, so SIGTERM reaches opsbot."""
    runtime = _runtime_stage()
    healthcheck = next(i for i in runtime if i.startswith("HEALTHCHECK "))
    command = healthcheck.split(" CMD ", 1)[1]
    assert command == '["python", "/opt/opsbot/healthcheck.py"]'
    assert not re.search(r"\d", command)
    cmd = [i for i in runtime if i.startswith("CMD ")][-1]
    assert cmd.startswith('CMD ["opsbot", "serve"')


def _healthcheck(*pids: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(HEALTHCHECK), *map(str, pids)],
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.slow
def test_the_healthcheck_finds_the_port_serve_listens_on(slack, database_url) -> None:
    """The healthcheck asks /healthz on whatever port `opsbot serve` was given, and fails once it
    has stopped."""
    serve = Serve(slack, database_url).start()
    assert serve.proc is not None
    try:
        done = _healthcheck(serve.proc.pid)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"http://127.0.0.1:{serve.port}/healthz answered 200" in done.stdout
    finally:
        assert serve.kill(signal.SIGTERM) == 0
    done = _healthcheck(serve.proc.pid)
    assert done.returncode == 1
    assert "no process is listening" in done.stdout


_UNAVAILABLE = """
import http.server, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(503)
        self.end_headers()
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


@pytest.fixture
def unavailable_server() -> Iterator[subprocess.Popen[str]]:
    """A process whose HTTP server answers /healthz with 503; its first output line is the port."""
    proc = subprocess.Popen([sys.executable, "-c", _UNAVAILABLE], stdout=subprocess.PIPE, text=True)
    yield proc
    proc.kill()
    proc.wait(10)


def test_the_healthcheck_fails_on_a_503(unavailable_server: subprocess.Popen[str]) -> None:
    """A listener answering /healthz with 503 makes the container unhealthy, naming the answer."""
    assert unavailable_server.stdout is not None
    port = int(unavailable_server.stdout.readline())
    done = _healthcheck(unavailable_server.pid)
    assert done.returncode == 1
    assert f"http://127.0.0.1:{port}/healthz answered 503" in done.stdout

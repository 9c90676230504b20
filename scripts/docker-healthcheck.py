"""The Docker image's HEALTHCHECK: asks `/healthz` on the port the server actually listens on.

No port is written here or in the Dockerfile: the script finds the TCP sockets that processes
listen on (in a container, those of `opsbot serve`, whatever `--port` it was given) by matching
each process's open sockets against the kernel's tables in /proc, and asks each for `/healthz`.
Healthy (exit 0) when one answers 200; otherwise exit 1 with the reason, which Docker keeps in
`docker inspect`. Give process ids as arguments to look only at those processes.

Standard library only, so that it starts fast and needs nothing beyond the image's Python.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

LISTEN = "0A"  # the TCP state LISTEN in /proc/net/tcp


def _address(hex_address: str) -> str:
    """The printable address of /proc/net/tcp's hex form (each 32-bit word little-endian)."""
    raw = bytes.fromhex(hex_address)
    packed = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(packed))


def listening(pid: int, proc: Path = Path("/proc")) -> list[tuple[str, int]]:
    """The (address, port) pairs process `pid` listens on; empty if it cannot be inspected."""
    try:
        links = [os.readlink(fd) for fd in (proc / str(pid) / "fd").iterdir()]
    except OSError:
        return []
    inodes = {link[len("socket:[") : -1] for link in links if link.startswith("socket:[")}
    found = []
    for table in ("tcp", "tcp6"):
        try:
            rows = (proc / str(pid) / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == LISTEN and inode in inodes:
                address, port = local.split(":")
                found.append((_address(address), int(port, 16)))
    return found


def _url(address: str, port: int) -> str:
    if address in ("0.0.0.0", "::"):
        address = "127.0.0.1" if address == "0.0.0.0" else "::1"
    host = f"[{address}]" if ":" in address else address
    return f"http://{host}:{port}/healthz"


def check(pids: list[int]) -> tuple[bool, str]:
    """Whether one of `pids` answers 200 on `/healthz`, and what was seen."""
    seen = []
    for address, port in sorted({pair for pid in pids for pair in listening(pid)}):
        url = _url(address, port)
        try:
            with urllib.request.urlopen(url, timeout=3) as answer:
                return True, f"{url} answered {answer.status}"
        except urllib.error.HTTPError as exc:
            seen.append(f"{url} answered {exc.code}")
        except (OSError, http.client.HTTPException) as exc:
            seen.append(f"{url}: {exc}")
    return False, "; ".join(seen) or "no process is listening on a TCP port yet"


def main(argv: list[str]) -> int:
    if argv:
        pids = [int(arg) for arg in argv]
    else:
        me = os.getpid()
        pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
        pids = [pid for pid in pids if pid != me]
    healthy, said = check(pids)
    print(said)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env bash
# Builds the Docker image, runs it and checks what the README promises about it:
#   the build context holds only what the image is built from (no .git, .venv, databases);
#   the runtime has no pip and runs as a non-root user;
#   `opsbot serve` on a port other than the default becomes healthy (the healthcheck follows it)
#   and answers GET /healthz;
#   `docker stop` ends it cleanly (exit 0, no SIGKILL);
#   data written by one container is there for the next one through the data volume.
#
# Usage: scripts/docker-smoke.sh [BASE_IMAGE]
#   BASE_IMAGE defaults to the Dockerfile's pinned base. Where that cannot be pulled, build a
#   stand-in with scripts/docker-standin-base.sh and pass its tag.
# Environment: OPSBOT_SMOKE_IMAGE (tag to build, default opsbot:smoke), OPSBOT_SMOKE_NETWORK
#   (docker network for build and run; default bridge, or host where the daemon has no bridge).
# Exit status: 0 all checks passed, 1 a check failed, 77 no Docker daemon here (skipped), so CI
#   can run it wherever Docker is available. Removes its containers and volume; keeps the image.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'docker-smoke: %s\n' "$*"; }
fail() { say "FAILED: $*"; exit 1; }

if ! docker info >/dev/null 2>&1; then
  say "skipped: no Docker daemon reachable"
  exit 77
fi

base="${1:-}"
image="${OPSBOT_SMOKE_IMAGE:-opsbot:smoke}"
network="${OPSBOT_SMOKE_NETWORK:-}"
if [[ -z "$network" ]]; then
  if docker network inspect bridge >/dev/null 2>&1; then network=bridge; else network=host; fi
fi
run_id="opsbot-smoke-$$"
container="$run_id"
volume="$run_id-data"
probe="$run_id-context"
log="$(mktemp)"

cleanup() {
  docker rm --force --volumes "$container" "$container-2" >/dev/null 2>&1 || true
  docker volume rm --force "$volume" >/dev/null 2>&1 || true
  docker rmi --force "$probe" >/dev/null 2>&1 || true
  rm -f "$log"
}
build() {  # docker build, quiet unless it fails
  docker build "$@" >"$log" 2>&1 || { tail -n 30 "$log"; fail "docker build $*"; }
}
trap cleanup EXIT

build_args=(--network "$network")
[[ -n "$base" ]] && build_args+=(--build-arg "BASE=$base")
base_shown="${base:-$(sed -n 's/^ARG BASE=//p' Dockerfile)}"

# 1. The build context, as the daemon receives it through .dockerignore.
say "build context (base $base_shown)"
printf 'FROM %s\nCOPY . /context\n' "$base_shown" \
  | build --network none -f - -t "$probe" .
context="$(docker run --rm --network none --entrypoint find "$probe" /context -mindepth 1 \
  -printf '%P\n')"
unexpected="$(grep -vE '^(constraints\.txt|pyproject\.toml|README\.md|src(/.*)?|scripts|scripts/docker-healthcheck\.py)$' \
  <<<"$context" || true)"
[[ -z "$unexpected" ]] || fail "the build context holds what it should not: $(head -5 <<<"$unexpected")"
grep -qE '(^|/)(\.git|\.venv|__pycache__)(/|$)|\.db$' <<<"$context" \
  && fail "the build context holds .git, .venv, __pycache__ or a database"
say "  ok: $(wc -l <<<"$context") entries, only constraints.txt, pyproject.toml, README.md, src/, the healthcheck"

# 2. The image.
say "building $image"
started=$SECONDS
build "${build_args[@]}" -t "$image" .
say "  ok: built in $((SECONDS - started)) s, $(docker image inspect -f '{{.Size}}' "$image" \
  | awk '{printf "%d MB", $1 / 1e6}')"

# 3. What the runtime holds.
if docker run --rm --network none --entrypoint python "$image" -c "import pip" >/dev/null 2>&1; then
  fail "pip is importable in the runtime image"
fi
uid="$(docker run --rm --network none --entrypoint id "$image" -u)"
[[ "$uid" != 0 ]] || fail "the container runs as root"
say "  ok: no pip in the runtime; runs as uid $uid"

# 4. Serve on a port that is not the default; the healthcheck must find it.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
publish=()
[[ "$network" == host ]] || publish=(--publish "127.0.0.1:$port:$port")
env_args=(
  --env SLACK_BOT_TOKEN=xoxb-smoke-test
  --env SLACK_SIGNING_SECRET=smoke-signing-secret
  --env OPSBOT_SLACK_API_URL=http://127.0.0.1:9/api/
)
say "running opsbot serve --port $port (network $network, volume $volume)"
docker run --detach --name "$container" --network "$network" "${publish[@]}" \
  --volume "$volume:/var/lib/opsbot" --health-interval 2s --health-start-period 60s \
  "${env_args[@]}" "$image" opsbot serve --port "$port" >/dev/null

health=starting
for _ in $(seq 1 90); do
  health="$(docker inspect -f '{{.State.Health.Status}}' "$container")"
  [[ "$health" == starting ]] || break
  [[ "$(docker inspect -f '{{.State.Running}}' "$container")" == true ]] || break
  sleep 1
done
if [[ "$health" != healthy ]]; then
  docker logs --tail 20 "$container" 2>&1 | sed 's/^/    /'
  docker inspect -f '{{range .State.Health.Log}}{{.Output}}{{end}}' "$container" | tail -3
  fail "the container is '$health', not healthy"
fi
said="$(docker inspect -f '{{range .State.Health.Log}}{{.Output}}{{end}}' "$container" | grep . | tail -n 1)"
say "  ok: healthy; the healthcheck said: $said"

answer="$(python3 -c 'import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
    print(r.status, r.read().decode())' "http://127.0.0.1:$port/healthz")" \
  || fail "GET /healthz from the host did not answer 200"
say "  ok: GET http://127.0.0.1:$port/healthz -> $answer"

# 5. Data goes to the volume: a token created in this container ...
docker exec "$container" opsbot token create --scope ingest --name smoke >/dev/null \
  || fail "could not create a token in the running container"

# 6. A clean stop: SIGTERM, then exit 0 before Docker's 10 s grace runs out.
started=$SECONDS
docker stop "$container" >/dev/null
code="$(docker inspect -f '{{.State.ExitCode}}' "$container")"
[[ "$code" == 0 ]] || {
  docker logs --tail 20 "$container" 2>&1 | sed 's/^/    /'
  fail "docker stop ended it with exit code $code (137 is SIGKILL after the grace period)"
}
say "  ok: docker stop -> exit 0 after $((SECONDS - started)) s"
docker rm "$container" >/dev/null

# 7. ... is still there for a new container on the same volume.
listed="$(docker run --rm --name "$container-2" --network none --volume "$volume:/var/lib/opsbot" \
  "$image" opsbot token list)"
grep -q '^smoke' <<<"$listed" || fail "a new container on the same volume does not find the token"
say "  ok: a new container on the same volume lists the token the first one created: $listed"

say "all checks passed"

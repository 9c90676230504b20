#!/usr/bin/env bash
# Where the public python image cannot be pulled (a machine cut off from Docker Hub, say), build
# a stand-in for it from Debian's own repositories and give its tag to docker-smoke.sh:
#
#   scripts/docker-standin-base.sh opsbot-standin-base:bookworm
#   scripts/docker-smoke.sh opsbot-standin-base:bookworm
#
# The stand-in is Debian 12 (bookworm, Python 3.11, like python:3.11-slim-bookworm) with Python's
# venv module and this machine's CA bundle, so that pip inside the build trusts what this machine
# trusts (some networks reach the package index through a proxy with its own certificate).
# Needs root, mmdebstrap and a running Docker daemon.
set -euo pipefail

tag="${1:-opsbot-standin-base:bookworm}"
bundle="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"

mmdebstrap --variant=minbase --quiet \
  --include=python3,python3-venv,python-is-python3,ca-certificates \
  --customize-hook="copy-in $bundle /etc/ssl/certs" \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
  bookworm - \
  | docker import \
      --change 'ENV LANG=C.UTF-8' \
      --change "ENV PIP_CERT=/etc/ssl/certs/$(basename "$bundle")" \
      --change 'CMD ["python3"]' \
      - "$tag"
echo "stand-in base: $tag"

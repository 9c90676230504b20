# opsbot in production: `opsbot serve`, one or several replicas (README, "Docker").
#
# The base is pinned to one Python release on one Debian release. To pin its exact bytes as
# well, build with its digest: --build-arg BASE=python:3.11.14-slim-bookworm@sha256:<digest>
# (`docker buildx imagetools inspect python:3.11.14-slim-bookworm` prints it). Where Docker Hub
# cannot be reached, scripts/docker-standin-base.sh builds a stand-in from Debian's packages.
ARG BASE=python:3.11.14-slim-bookworm

# Build stage: pip and the build backend install opsbot and its pinned dependencies into a
# virtual environment, then pip, setuptools and wheel are taken out of it. The dependencies are
# one layer of their own, rebuilt only when pyproject.toml or constraints.txt change.
FROM ${BASE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY constraints.txt pyproject.toml ./
RUN python -m venv /opt/opsbot \
 && python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" > requirements.txt \
 && /opt/opsbot/bin/python -m pip install -c constraints.txt -r requirements.txt
COPY README.md ./
COPY src ./src
RUN /opt/opsbot/bin/python -m pip install --no-deps -c constraints.txt . \
 && /opt/opsbot/bin/python -m pip check \
 && /opt/opsbot/bin/python -m pip uninstall --yes pip setuptools wheel
COPY scripts/docker-healthcheck.py /opt/opsbot/healthcheck.py

# Runtime stage: the virtual environment, no pip (the base's own is removed too), a non-root user.
FROM ${BASE}
RUN python -c "import glob, shutil, sysconfig; [shutil.rmtree(p) for p in glob.glob(sysconfig.get_path('purelib') + '/pip*')]" \
 && rm -f /usr/local/bin/pip /usr/local/bin/pip3* \
 && ! python -c "import pip" 2>/dev/null \
 && useradd --uid 10001 --user-group --home-dir /var/lib/opsbot --no-create-home --shell /usr/sbin/nologin opsbot \
 && mkdir -p /var/lib/opsbot \
 && chown 10001:10001 /var/lib/opsbot \
 && chmod 0750 /var/lib/opsbot
COPY --from=build /opt/opsbot /opt/opsbot
# The data directory: SQLite's file lives here unless OPSBOT_DATABASE_URL names PostgreSQL.
# Mount a named volume on it (docker run -v opsbot-data:/var/lib/opsbot) or use PostgreSQL.
ENV PATH=/opt/opsbot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    OPSBOT_DATABASE_URL=sqlite:////var/lib/opsbot/opsbot.db
VOLUME ["/var/lib/opsbot"]
WORKDIR /var/lib/opsbot
USER 10001:10001
# `opsbot serve` listens on 3000 unless given --port; the healthcheck finds the port it listens on.
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "/opt/opsbot/healthcheck.py"]
# Exec form: opsbot is PID 1 and gets Docker's SIGTERM itself; it finishes in-flight requests and
# the Slack message in hand, then exits 0.
STOPSIGNAL SIGTERM
CMD ["opsbot", "serve"]

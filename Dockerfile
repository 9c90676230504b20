# opsbot in production: `opsbot serve` behind a load balancer, several replicas on one PostgreSQL.
FROM python:3.11-slim AS build
WORKDIR /build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY constraints.txt pyproject.toml README.md ./
COPY src ./src
RUN python -m venv /opt/opsbot \
 && /opt/opsbot/bin/pip install -c constraints.txt .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 opsbot
COPY --from=build /opt/opsbot /opt/opsbot
ENV PATH=/opt/opsbot/bin:$PATH PYTHONUNBUFFERED=1
USER opsbot
WORKDIR /home/opsbot
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4).status == 200 else 1)"
CMD ["opsbot", "serve", "--host", "0.0.0.0", "--port", "3000"]

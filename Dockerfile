# syntax=docker/dockerfile:1
# The citizen hotline assistant as a container image (README, "Deploy").
#
#   docker build -t hotline-assistant .                 # the bundled sample's index
#   docker build --target rasa -t hotline-rasa .        # the optional Rasa NLU server
#
# Stages: `build` installs CPU torch first (as requirements.txt / `make` do, so that
# sentence-transformers does not pull the CUDA build), then the project, and builds the search
# index from the data named in config.yml: replicas only load it. `runtime` is the slim
# result, run as an unprivileged user. `rasa-data` / `rasa` train and serve the optional Rasa
# NLU model (Python 3.10; compose profile `rasa`).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG RASA_PYTHON_IMAGE=python:3.10-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
# CPU wheels of torch; a local mirror can be given with --build-arg.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
# DL3064 takes TOKENIZERS_PARALLELISM for a secret (it holds "TOKEN"); no secret is baked in.
# hadolint ignore=DL3064
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /srv/hotline
COPY requirements.txt ./
RUN pip install --index-url "${TORCH_INDEX_URL}" -r requirements.txt
# The whole tree but what .dockerignore leaves out (tests, benches, venvs, var/, secrets):
# packages, config.yml, data, locales and deploy/ alike.
COPY . .
# Editable into /srv/hotline, the same path in the runtime stage: data files (migrations,
# templates, catalogues of texts) are read from the tree, whatever the packaging metadata lists.
RUN pip install -e . \
    && hotline --config config.yml index --out var/index

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="hotline-assistant" \
      org.opencontainers.image.description="Citizen hotline assistant for Vietnam's public services" \
      org.opencontainers.image.licenses="MIT"
RUN groupadd --system --gid 10001 hotline \
    && useradd --system --uid 10001 --gid hotline --home-dir /srv/hotline --no-create-home \
       --shell /usr/sbin/nologin hotline
# hadolint ignore=DL3064
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false \
    MALLOC_ARENA_MAX=2 \
    HOTLINE_CONFIG=/srv/hotline/config.yml \
    HOTLINE_INDEX__REBUILD_ON_START=false
COPY --from=build /opt/venv /opt/venv
# The code and the index belong to root (read-only for the service); only var/ is writable
# (the demo dossier database, the Zalo token pair; mount a volume there).
COPY --from=build /srv/hotline /srv/hotline
# var/shared: the volume the replicas share (the Zalo token pair); a named volume takes this
# folder's owner when first mounted.
RUN mkdir -p /srv/hotline/var/shared && chown hotline:hotline /srv/hotline/var /srv/hotline/var/shared
WORKDIR /srv/hotline
USER 10001:10001
EXPOSE 8000
# /readyz: index loaded and database reachable (503 otherwise); /healthz: the process answers.
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 \
    CMD ["python", "deploy/healthcheck.py", "http://127.0.0.1:8000"]
# One process per container: scale with replicas (compose.yaml), not with --workers.
CMD ["hotline", "serve", "--index", "/srv/hotline/var/index", "--host", "0.0.0.0", "--port", "8000", "--workers", "1"]

# -- the optional Rasa NLU server (compose profile `rasa`) --------------------------------------
FROM build AS rasa-data
RUN python -m bot.nlu.data export --out /rasa

FROM ${RASA_PYTHON_IMAGE} AS rasa
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PATH=/opt/rasa/bin:$PATH \
    RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 CUDA_VISIBLE_DEVICES="" PYTHONHASHSEED=0 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1
RUN groupadd --system --gid 10002 rasa \
    && useradd --system --uid 10002 --gid rasa --home-dir /rasa --no-create-home --shell /usr/sbin/nologin rasa
COPY rasa/requirements.txt /tmp/rasa-requirements.txt
RUN python -m venv /opt/rasa \
    && pip install "pip==24.0" \
    && pip install -r /tmp/rasa-requirements.txt
COPY --from=rasa-data /rasa /rasa
WORKDIR /rasa
RUN rasa train nlu --config config.yml --nlu data/nlu.yml --domain domain.yml --out models \
        --fixed-model-name nlu --quiet \
    && chown -R rasa:rasa /rasa
USER 10002:10002
EXPOSE 5005
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5005/', timeout=4)"]
CMD ["rasa", "run", "--enable-api", "-m", "models/nlu.tar.gz", "--port", "5005", "-i", "0.0.0.0"]

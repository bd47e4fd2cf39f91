#!/usr/bin/env bash
# The optional Rasa NLU backend: `make rasa` runs `rasa/rasa.sh build`, `make rasa-serve`
# runs `rasa/rasa.sh serve`.
#
# build: finds Python 3.10 (Rasa 3.6 does not run on 3.11); without it, says so and exits 0
#        so that `make test` still works (the Rasa tests then skip with that reason).
#        Creates $RASA_VENV and installs rasa/requirements.txt (every package pinned), again
#        only when that file changes; exports the training split of bot/data to $RASA_DIR;
#        trains an NLU-only model there, again only when the data changed.
# serve: `rasa run --enable-api` on the trained model, loopback only.
#
# Environment: RASA_VENV (.venv-rasa), RASA_DIR (var/rasa), RASA_PORT (5005),
# RASA_PYTHON (a Python 3.10 to use), HOTLINE_PY (the project's Python, .venv/bin/python).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
RASA_VENV="${RASA_VENV:-.venv-rasa}"
RASA_DIR="${RASA_DIR:-var/rasa}"
RASA_PORT="${RASA_PORT:-5005}"
HOTLINE_PY="${HOTLINE_PY:-.venv/bin/python}"
PINS="rasa/requirements.txt"
MODEL="$RASA_DIR/models/nlu.tar.gz"
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 CUDA_VISIBLE_DEVICES="" PYTHONHASHSEED=0
export SQLALCHEMY_SILENCE_UBER_WARNING=1
# The install (~2.5 GB) and the training take minutes: on a terminal pip shows its download
# bars and Rasa its epochs; in CI, in a log or with QUIET=1 they stay quiet.
if [ -t 1 ] && [ -z "${QUIET:-}" ]; then
    PIP_PROGRESS=(--progress-bar on)
    RASA_PROGRESS=()
else
    PIP_PROGRESS=(--quiet)
    RASA_PROGRESS=(--quiet)
fi

is_py310() {
    "$@" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1
}

# Prints the path of a Python 3.10 interpreter, or nothing.
find_python() {
    if [ -n "${RASA_PYTHON:-}" ] && is_py310 "$RASA_PYTHON"; then
        "$RASA_PYTHON" -c 'import sys; print(sys.executable)'
        return
    fi
    if command -v python3.10 >/dev/null 2>&1 && is_py310 env PYENV_VERSION=3.10.13 python3.10; then
        env PYENV_VERSION=3.10.13 python3.10 -c 'import sys; print(sys.executable)'
        return
    fi
    local p
    for p in /root/.pyenv/versions/3.10.13/bin/python3.10 "$(command -v python3.10 || true)"; do
        if [ -n "$p" ] && [ -x "$p" ] && is_py310 "$p"; then
            "$p" -c 'import sys; print(sys.executable)'
            return
        fi
    done
}

sha() { sha256sum "$@" | sha256sum | cut -c1-16; }

ensure_venv() {
    local python="$1" stamp="$RASA_VENV/.installed" want
    want="$(sha "$PINS") $python"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$RASA_VENV/bin/rasa" ]; then
        echo "rasa: $RASA_VENV is up to date"
        return
    fi
    echo "rasa: installing rasa/requirements.txt into $RASA_VENV with $python"
    local t0=$SECONDS
    [ -x "$RASA_VENV/bin/python" ] || "$python" -m venv "$RASA_VENV"
    # The venv holds ~2.5 GB of TensorFlow: keep git from ever listing it.
    echo '*' >"$RASA_VENV/.gitignore"
    "$RASA_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "pip==24.0"
    "$RASA_VENV/bin/python" -m pip install "${PIP_PROGRESS[@]}" --disable-pip-version-check -r "$PINS"
    echo "$want" >"$stamp"
    echo "rasa: installed in $((SECONDS - t0)) s"
}

train() {
    "$HOTLINE_PY" -m bot.nlu.data export --out "$RASA_DIR"
    # The model depends on what was exported (not on how) and on the pinned Rasa.
    local fp_file="$RASA_DIR/models/nlu.fingerprint" want
    want="$(sha "$RASA_DIR"/data/*.yml "$RASA_DIR/config.yml" "$RASA_DIR/domain.yml") $(sha "$PINS")"
    if [ -f "$MODEL" ] && [ -f "$fp_file" ] && [ "$(cat "$fp_file")" = "$want" ]; then
        echo "rasa: $MODEL is up to date with bot/data"
        return
    fi
    echo "rasa: training the NLU model (training split only) into $MODEL"
    local t0=$SECONDS venv
    venv="$(cd "$RASA_VENV" && pwd)"
    rm -f "$fp_file"
    (cd "$RASA_DIR" && "$venv/bin/rasa" train nlu --config config.yml --nlu data/nlu.yml \
        --domain domain.yml --out models --fixed-model-name nlu "${RASA_PROGRESS[@]}")
    echo "$want" >"$fp_file"
    echo "rasa: trained in $((SECONDS - t0)) s"
}

cmd="${1:-build}"
case "$cmd" in
build)
    python="$(find_python)"
    if [ -z "$python" ]; then
        echo "rasa: Python 3.10 not found (tried \$RASA_PYTHON, PYENV_VERSION=3.10.13 python3.10,"
        echo "rasa: /root/.pyenv/versions/3.10.13/bin/python3.10, python3.10 on PATH)."
        echo "rasa: skipped (Python 3.10 not found)"
        exit 0
    fi
    ensure_venv "$python"
    train
    ;;
serve)
    if [ ! -f "$MODEL" ] || [ ! -x "$RASA_VENV/bin/rasa" ]; then
        echo "rasa: no trained model at $MODEL (run make rasa first)" >&2
        exit 1
    fi
    exec "$RASA_VENV/bin/rasa" run --enable-api -m "$MODEL" --port "$RASA_PORT" -i 127.0.0.1
    ;;
python)
    # For tests and the bench: where Python 3.10 is, or nothing.
    find_python
    ;;
*)
    echo "usage: $0 build|serve|python" >&2
    exit 2
    ;;
esac

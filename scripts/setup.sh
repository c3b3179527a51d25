#!/usr/bin/env bash
# Ensure the local AWS emulator is installed: a virtualenv at .venv with
# moto[server] pinned to exactly MOTO_VERSION, the real parsers the tests
# check xacct's reports with (junitparser for JUnit XML, prometheus_client's
# parser for the metrics text format), and graphql-core for the Quilt catalog
# stand-in (tests/catalog/catalog_server.py).
#
# Idempotent, quiet and fast when everything is already in place. Needs only
# Python 3 (with the venv module) and network access to PyPI the first time.
#
# Why the pin: moto 5.2.x answers GetBucketVersioning with a document the Rust
# AWS SDK cannot parse; 5.1.22 works. graphql-core is pinned to the 3.2 line
# because moto[server] pulls it in unpinned (3.3.x today), and the stand-in is
# written against 3.2's API.
set -euo pipefail

MOTO_VERSION="5.1.22"
PARSERS="junitparser==5.0.3 prometheus-client==0.26.0"
CATALOG_STANDIN="graphql-core==3.2.6"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${XACCT_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"

installed_version() {
    [ -x "$PY" ] || return 1
    PINS="$PARSERS $CATALOG_STANDIN" "$PY" - <<'PY' 2>/dev/null
import importlib.metadata as m
import os
# moto[server] extras: the server needs flask and flask_cors.
import flask, flask_cors  # noqa: F401
# The report parsers.
import junitparser, prometheus_client.parser  # noqa: F401
# The catalog stand-in.
import graphql  # noqa: F401
# Exactly the pinned versions: moto[server] alone would bring another graphql-core.
for pin in os.environ["PINS"].split():
    name, version = pin.split("==")
    if m.version(name) != version:
        raise SystemExit(f"{name} {m.version(name)} is not the pinned {version}")
print(m.version("moto"))
PY
}

if [ "$(installed_version || true)" = "$MOTO_VERSION" ] && [ -x "$VENV/bin/moto_server" ]; then
    exit 0
fi

PYTHON="${PYTHON:-python3}"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "setup.sh: $PYTHON not found; install Python 3 (with venv and pip)" >&2
    exit 1
fi

if [ ! -x "$PY" ]; then
    echo "setup.sh: creating virtualenv $VENV" >&2
    "$PYTHON" -m venv "$VENV"
fi

echo "setup.sh: installing moto[server]==$MOTO_VERSION into $VENV" >&2
# shellcheck disable=SC2086 # PARSERS and CATALOG_STANDIN are lists of requirements
"$PY" -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" $PARSERS $CATALOG_STANDIN

got="$(installed_version || true)"
if [ "$got" != "$MOTO_VERSION" ] || [ ! -x "$VENV/bin/moto_server" ]; then
    echo "setup.sh: expected moto $MOTO_VERSION with moto_server and $PARSERS $CATALOG_STANDIN in $VENV, found moto '${got:-none}'" >&2
    exit 1
fi

#!/usr/bin/env bash
# The whole test suite: emulator setup, formatting, lints, all tests.
# End-to-end tests (tests/e2e/, one test binary) start their own moto_server
# per test on a free port (tests/emulator/moto_server.py: moto plus patches);
# XACCT_MOTO_PYTHON is the virtualenv python that runs it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh

export XACCT_MOTO_PYTHON="${XACCT_MOTO_PYTHON:-$ROOT/.venv/bin/python}"
# A suite run builds from scratch in CI: incremental caches would only double
# target/ (a clean run took 4.5 GB with them and full debug info).
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
# Never let a developer's real AWS settings reach a test run.
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY \
      AWS_SESSION_TOKEN AWS_ENDPOINT_URL RUST_LOG || true

echo "==> cargo fmt --all -- --check"
cargo fmt --all -- --check
# The kind modules are declared by the registry macros (kinds.rs), where
# cargo fmt does not follow them: checked by name.
rustfmt --edition 2021 --check crates/xacct-engine/src/kinds/*.rs crates/xacct-aws/src/kinds/*.rs

echo "==> cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

echo "==> cargo test --workspace"
cargo test --workspace

# The catalog stand-in's rules, each checked directly against the emulator
# (the end-to-end tests rely on them).
echo "==> tests/catalog/check_standin.py"
"$XACCT_MOTO_PYTHON" tests/catalog/check_standin.py

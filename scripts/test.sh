#!/usr/bin/env bash
# The whole test suite: emulator setup, formatting, lints, all tests.
# End-to-end tests (tests/ at the workspace root) start their own moto_server
# per test on a free port; XACCT_MOTO_SERVER tells them where it is.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh

export XACCT_MOTO_SERVER="${XACCT_MOTO_SERVER:-$ROOT/.venv/bin/moto_server}"
# Never let a developer's real AWS settings reach a test run.
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY \
      AWS_SESSION_TOKEN AWS_ENDPOINT_URL RUST_LOG || true

echo "==> cargo fmt --all -- --check"
cargo fmt --all -- --check

echo "==> cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

echo "==> cargo test --workspace"
cargo test --workspace

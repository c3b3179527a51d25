#!/usr/bin/env bash
# The xacct benchmark (README "Benchmark"): steady-state `xacct plan` against
# N buckets through a proxy adding 20 ms per request, side by side with two
# boto3 peers (sequential, thread pool of 32), plus `xacct validate` process
# time. Usage:
#     scripts/bench.sh [N...]            # default: 100 1000
#     BENCH_ARGS="--reps 3" scripts/bench.sh 100
#     scripts/bench.sh --scale [scale.py options]   # up to 10,000 buckets, replay mode
#     scripts/bench.sh --throttled [throttled.py options]   # standard vs adaptive retries under a rate limit
# Results: printed at the end and written to target/bench/results.md.
#
# Runs from a fresh clone (Rust + Python 3 + pip): installs the emulator
# (scripts/setup.sh), builds xacct and the project's proxy in release mode.
# Touches no real AWS account (everything goes to 127.0.0.1).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh
echo "bench.sh: building xacct (release)" >&2
cargo build --quiet --release -p xacct-cli

# The project's fault-injecting proxy, used with latency only. If it is not
# in this checkout (or does not build), the small Python forwarding proxy in
# scripts/bench/latency_proxy.py stands in (same interface), and the report
# says which one ran.
PROXY=()
if [ -d tests/fault-proxy ] && cargo build --quiet --release -p xacct-fault-proxy; then
    PROXY=(--proxy "$ROOT/target/release/xacct-fault-proxy")
else
    echo "bench.sh: xacct-fault-proxy unavailable; using scripts/bench/latency_proxy.py" >&2
    PROXY=(--proxy python)
fi

if [ "${1:-}" = "--scale" ]; then
    shift
    exec "$ROOT/.venv/bin/python" "$ROOT/scripts/bench/scale.py" "$@"
fi
if [ "${1:-}" = "--throttled" ]; then
    shift
    exec "$ROOT/.venv/bin/python" "$ROOT/scripts/bench/throttled.py" "$@"
fi

# shellcheck disable=SC2086
exec "$ROOT/.venv/bin/python" "$ROOT/scripts/bench/run.py" "${PROXY[@]}" ${BENCH_ARGS:-} "$@"

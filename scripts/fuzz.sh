#!/usr/bin/env bash
# Fuzz the spec loader and the policy parser/canonicaliser (README "Fuzzing").
# Not part of scripts/test.sh or .ci/run: it runs for a fixed time per target.
#
#     scripts/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS   time per target (default: $FUZZ_SECONDS, else 60)
# TARGET    any of fuzz/fuzz_targets/*.rs by name (default: all of them)
#
# Environment:
#   FUZZ_SECONDS    default time per target (an argument wins)
#   FUZZ_TIMEOUT    seconds one input may take before it counts as a hang (10)
#   FUZZ_SANITIZER  cargo-fuzz --sanitizer: address (default) or none (faster)
#   FUZZ_ARGS       extra libFuzzer flags, e.g. "-jobs=4 -workers=4"
#
# Seeds are read from fuzz/corpus/<target>/ (kept in git), with the libFuzzer
# dictionary fuzz/dicts/<target>.dict if there is one; what libFuzzer
# learns goes to fuzz/work/<target>/ (not in git) and is reused next run.
# A crash or hang is written to fuzz/artifacts/<target>/ and the script says
# how to reproduce and minimise it; the exit status is non-zero then.
#
# Needs only Rust (rustup or any stable toolchain) and a C++ compiler for
# libFuzzer; installs cargo-fuzz if missing. cargo-fuzz passes nightly-only
# rustc flags (-Zsanitizer, sancov), so on a stable toolchain the script sets
# RUSTC_BOOTSTRAP=1 for the fuzz build only (fuzz/ has its own target dir).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SECONDS_PER_TARGET="${FUZZ_SECONDS:-60}"
if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then
    SECONDS_PER_TARGET="$1"
    shift
fi
TIMEOUT="${FUZZ_TIMEOUT:-10}"
SANITIZER="${FUZZ_SANITIZER:-address}"
read -r -a EXTRA_ARGS <<< "${FUZZ_ARGS:-}"

say() { echo "fuzz.sh: $*" >&2; }

# --- prerequisites --------------------------------------------------------
if ! command -v c++ >/dev/null 2>&1 && ! command -v g++ >/dev/null 2>&1 \
        && ! command -v clang++ >/dev/null 2>&1; then
    say "no C++ compiler (libFuzzer is C++); installing g++"
    SUDO=()
    [ "$(id -u)" -ne 0 ] && SUDO=(sudo)
    if command -v apt-get >/dev/null 2>&1; then
        "${SUDO[@]}" apt-get update -qq
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++ make
    else
        say "install a C++ compiler (g++ or clang++) and re-run"; exit 2
    fi
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    say "installing cargo-fuzz"
    cargo install --locked cargo-fuzz
fi
if ! rustc --version | grep -q nightly; then
    export RUSTC_BOOTSTRAP=1
fi

if [ $# -gt 0 ]; then
    TARGETS=("$@")
else
    mapfile -t TARGETS < <(cargo fuzz list)
fi

# --- run --------------------------------------------------------------------
# -a: debug assertions (integer overflow, debug_assert!) on in the fuzzed code.
BUILD_FLAGS=(--release -a --sanitizer "$SANITIZER")
say "building ${TARGETS[*]} (sanitizer: $SANITIZER)"
for target in "${TARGETS[@]}"; do
    cargo fuzz build "${BUILD_FLAGS[@]}" "$target"
done

declare -A RESULT EXECS
status=0
for target in "${TARGETS[@]}"; do
    mkdir -p "fuzz/work/$target" "fuzz/corpus/$target" "fuzz/artifacts/$target"
    log="fuzz/artifacts/$target/last-run.log"
    dict=()
    [ -f "fuzz/dicts/$target.dict" ] && dict=(-dict="fuzz/dicts/$target.dict")
    say "running $target for ${SECONDS_PER_TARGET}s (log: $log)"
    set +e
    cargo fuzz run "${BUILD_FLAGS[@]}" "$target" \
        "fuzz/work/$target" "fuzz/corpus/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -timeout="$TIMEOUT" \
        -rss_limit_mb=2048 -print_final_stats=1 "${dict[@]}" "${EXTRA_ARGS[@]}" \
        2>&1 | tee "$log" | grep --line-buffered -E '^(#[0-9]+.*(DONE|pulse)|==[0-9]+== ERROR|SUMMARY|.*panicked at|artifact_prefix|Test unit written)' >&2
    rc=${PIPESTATUS[0]}
    set -e
    EXECS[$target]="$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1 || true)"
    if [ "$rc" -eq 0 ]; then
        RESULT[$target]="ok"
    else
        status=1
        artifact="$(grep -oE 'Test unit written to [^ ]+' "$log" | tail -1 | sed 's/Test unit written to //' || true)"
        RESULT[$target]="FAILED (exit $rc) ${artifact:-see $log}"
        if [ -n "$artifact" ]; then
            say "reproduce: RUSTC_BOOTSTRAP=1 cargo fuzz run ${BUILD_FLAGS[*]} $target $artifact"
            say "minimise:  RUSTC_BOOTSTRAP=1 cargo fuzz tmin ${BUILD_FLAGS[*]} $target $artifact"
        fi
    fi
done

echo
echo "fuzz summary (${SECONDS_PER_TARGET}s per target):"
for target in "${TARGETS[@]}"; do
    printf '  %-20s %-8s executions: %s\n' "$target" "${RESULT[$target]}" "${EXECS[$target]:-?}"
done
exit "$status"

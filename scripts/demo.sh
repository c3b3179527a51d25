#!/usr/bin/env bash
# The xacct demo: a local AWS emulator (moto), a two-account world where other
# teams already have settings of their own, a stand-in for the control
# account's Quilt catalog, and xacct keeping it all true to the whole guide
# (deploy.yaml.example): plan, apply, a converged plan, out-of-band changes,
# drift catching them, apply repairing them, a bucket retitled by hand in the
# catalog caught and repaired the same way, verify, a reindex, and a grant
# revoked by deleting it from the spec.
#
# Needs only Rust and Python 3 + pip. Touches no real AWS account nor a real
# catalog: every request goes to a moto_server or the catalog stand-in
# (tests/catalog/catalog_server.py) on 127.0.0.1, and the AWS config and
# credential files are empty temporary files.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bold() { if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then printf '\033[1m%s\033[0m\n' "$*"; else printf '%s\n' "$*"; fi; }
banner() { echo; bold "==> $*"; }

banner "setting up the emulator (moto[server] in .venv)"
bash scripts/setup.sh

banner "building xacct (the first build from a fresh clone takes a few minutes)"
cargo build --quiet -p xacct-cli
XACCT="$ROOT/target/debug/xacct"

WORK="$ROOT/.xacct-demo"
rm -rf "$WORK"
mkdir -p "$WORK"

free_port() { "$ROOT/.venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
PORT="$(free_port)"
ENDPOINT="http://127.0.0.1:$PORT"
CATALOG_PORT="$(free_port)"
CATALOG_URL="http://127.0.0.1:$CATALOG_PORT"
# The stand-in's admin API key, made up for the demo; xacct reads it from
# $QUILT_API_KEY (deploy.yaml.example's api_key_env).
DEMO_QUILT_KEY="qk_demo_local_standin_only"

MOTO_PID=""
CATALOG_PID=""
stop() {
    if [ -n "$1" ]; then
        kill "$1" 2>/dev/null || true
        wait "$1" 2>/dev/null || true
    fi
}
cleanup() {
    stop "$CATALOG_PID"
    stop "$MOTO_PID"
}
trap cleanup EXIT INT TERM

# wait_for NAME PID URL LOG: until URL answers 200, or fail the demo with LOG
# when the process exits or 30 s pass.
wait_for() {
    local name="$1" pid="$2" url="$3" log="$4"
    for _ in $(seq 1 300); do
        if "$ROOT/.venv/bin/python" -c "import urllib.request; urllib.request.urlopen('$url', timeout=1)" 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "$name exited:" >&2; cat "$log" >&2; exit 1
        fi
        sleep 0.1
    done
    echo "$name did not answer $url within 30 s:" >&2; cat "$log" >&2; exit 1
}

banner "starting moto_server on $ENDPOINT (log: .xacct-demo/moto.log)"
"$ROOT/.venv/bin/python" "$ROOT/tests/emulator/moto_server.py" -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
wait_for moto_server "$MOTO_PID" "$ENDPOINT/moto-api/" "$WORK/moto.log"

# The Quilt catalog's admin API, acting as the control account (its checks
# assume 111111111111's QuiltCatalogRole in the emulator), with the emulator's
# base credentials and nothing of the developer's AWS setup.
banner "starting the Quilt catalog stand-in on $CATALOG_URL (log: .xacct-demo/catalog.log)"
env -u AWS_SESSION_TOKEN -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_ENDPOINT_URL \
    CATALOG_STANDIN_API_KEY="$DEMO_QUILT_KEY" \
    AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
    AWS_CONFIG_FILE="$WORK/no-aws-config" AWS_SHARED_CREDENTIALS_FILE="$WORK/no-aws-credentials" \
    "$ROOT/.venv/bin/python" "$ROOT/tests/catalog/catalog_server.py" \
    --host 127.0.0.1 --port "$CATALOG_PORT" --aws-endpoint "$ENDPOINT" \
    --control-account 111111111111 --region us-east-1 >"$WORK/catalog.log" 2>&1 &
CATALOG_PID=$!
wait_for "the catalog stand-in" "$CATALOG_PID" "$CATALOG_URL/healthz" "$WORK/catalog.log"

# Everything xacct sees: the emulator, dummy base credentials, no real config
# but the control account's profile, which deploy.yaml.example names.
cat >"$WORK/aws-config" <<'INI'
[profile control-account]
role_arn = arn:aws:iam::111111111111:role/xacct-deployer
source_profile = demo-base
region = us-east-1
INI
cat >"$WORK/aws-credentials" <<'INI'
[demo-base]
aws_access_key_id = testing
aws_secret_access_key = testing
INI
export AWS_ENDPOINT_URL="$ENDPOINT"
export AWS_ACCESS_KEY_ID=testing
export AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE="$WORK/aws-config"
export AWS_SHARED_CREDENTIALS_FILE="$WORK/aws-credentials"
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN RUST_LOG || true
# The catalog's admin key, where deploy.yaml.example's api_key_env says.
export QUILT_API_KEY="$DEMO_QUILT_KEY"
export XACCT_DEMO_CATALOG_URL="$CATALOG_URL"   # for demo_world.py

world() { "$ROOT/.venv/bin/python" "$ROOT/scripts/demo_world.py" "$ENDPOINT" "$@"; }

banner "creating the world: control account 111111111111, data account 222222222222"
world create

# The spec is the whole guide, exactly as shipped but for the catalog's
# address: the local stand-in instead of registry.quilt.example.com.
sed "s|^\(  registry_url: \)https://registry\.quilt\.example\.com\$|\1$CATALOG_URL|" \
    "$ROOT/deploy.yaml.example" >"$WORK/deploy.yaml"
grep -q "^  registry_url: $CATALOG_URL\$" "$WORK/deploy.yaml" || {
    echo "demo: no 'registry_url: https://registry.quilt.example.com' in deploy.yaml.example to point at the stand-in" >&2
    exit 1
}
banner "the spec: deploy.yaml.example (copied to .xacct-demo/deploy.yaml, registry_url -> $CATALOG_URL)"
grep -v '^ *#' "$WORK/deploy.yaml" | grep -v '^$'

cd "$WORK"

# run EXPECTED_EXIT xacct ARGS...: shows the command, fails the demo on a
# different exit code (drift's 2 is expected, not an error).
run() {
    local expected="$1"; shift
    banner "xacct $*   (expect exit $expected)"
    local rc=0
    "$XACCT" "$@" || rc=$?
    if [ "$rc" -ne "$expected" ]; then
        echo "demo: 'xacct $*' exited $rc, expected $expected" >&2
        exit 1
    fi
}

run 0 validate
run 0 plan
run 0 apply --auto-approve
run 0 plan --detailed-exitcode   # converged: No changes.

banner "out-of-band changes in account 222222222222"
world tamper

run 2 drift
# The same check for a scheduler: a JUnit report (a testsuite per account,
# a failure per drifted resource) and Prometheus metrics.
run 2 drift --format junit --metrics-file xacct.prom
banner "the metrics file (.xacct-demo/xacct.prom)"
cat xacct.prom
run 0 apply --auto-approve
run 0 drift

# The catalog's listing drifts like any AWS setting: an admin retitles the
# bucket on the catalog's admin page (bucketUpdate, every other field sent
# back as read); drift names quilt_bucket.quilt-example-data and the title,
# and apply puts the spec's title back.
banner "out-of-band change in the Quilt catalog"
world catalog-tamper
run 2 drift
run 0 apply --auto-approve
run 0 plan --detailed-exitcode   # converged again: No changes.

# Does it work, not just match the spec: live policies evaluated as AWS would,
# probes with the control account's credentials (test object always deleted),
# and the catalog listing the bucket with its topic.
run 0 verify
# Ask the catalog to index the keys under a prefix again (as its admin page does).
run 0 reindex quilt-example-data --prefix runs/2024/

# Revocation: a grant deleted from the spec is planned for removal (never left
# behind in silence), applied, and the plan after it is empty again.
banner "revoking a grant: QuiltNotificationSetup removed from deploy.yaml"
"$ROOT/.venv/bin/python" - "$WORK/deploy.yaml" <<'PY'
import sys
path = sys.argv[1]
lines = open(path).read().split("\n")
start = next(i for i, line in enumerate(lines) if "sid: QuiltNotificationSetup" in line)
del lines[start:start + 3]  # the grant's sid, principals and actions
open(path, "w").write("\n".join(lines))
PY
run 2 plan --detailed-exitcode
run 0 apply --auto-approve
run 0 plan --detailed-exitcode   # converged again: No changes.

banner "live state"
world show

banner "demo complete"

#!/usr/bin/env bash
# The xacct demo: a local AWS emulator (moto), a two-account world where other
# teams already have settings of their own, and xacct keeping it true to the
# whole guide (deploy.yaml.example): plan, apply, a converged plan, out-of-band
# changes, drift catching them, apply repairing them, verify, and a grant
# revoked by deleting it from the spec.
#
# Needs only Rust and Python 3 + pip. Touches no real AWS account: every
# request goes to a moto_server on 127.0.0.1, and the AWS config and
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

PORT="$("$ROOT/.venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
ENDPOINT="http://127.0.0.1:$PORT"

MOTO_PID=""
cleanup() {
    if [ -n "$MOTO_PID" ]; then
        kill "$MOTO_PID" 2>/dev/null || true
        wait "$MOTO_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT INT TERM

banner "starting moto_server on $ENDPOINT (log: .xacct-demo/moto.log)"
"$ROOT/.venv/bin/python" "$ROOT/tests/emulator/moto_server.py" -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
for _ in $(seq 1 300); do
    if "$ROOT/.venv/bin/python" -c "import urllib.request,sys; urllib.request.urlopen('$ENDPOINT/moto-api/', timeout=1)" 2>/dev/null; then
        break
    fi
    if ! kill -0 "$MOTO_PID" 2>/dev/null; then
        echo "moto_server exited:" >&2; cat "$WORK/moto.log" >&2; exit 1
    fi
    sleep 0.1
done

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

world() { "$ROOT/.venv/bin/python" "$ROOT/scripts/demo_world.py" "$ENDPOINT" "$@"; }

banner "creating the world: control account 111111111111, data account 222222222222"
world create

# The spec is the whole guide, exactly as shipped.
cp "$ROOT/deploy.yaml.example" "$WORK/deploy.yaml"
banner "the spec: deploy.yaml.example (copied to .xacct-demo/deploy.yaml)"
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
# Does it work, not just match the spec: live policies evaluated as AWS would,
# and probes with the control account's credentials (test object always deleted).
run 0 verify

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

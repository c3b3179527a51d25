"""The throttling benchmark (docs/benchmark.md, "Under a request-rate
limit"): does adaptive concurrency help when AWS throttles? One moto world of
N buckets, applied once, then the converged `xacct plan` through the project's
fault proxy adding +20 ms and throttling every request beyond `--max-rate` a
second (S3's 503 SlowDown, as AWS answers a client over its request rate),
with the SDK's standard retry mode (`AWS_RETRY_MODE=standard`, 5 attempts,
exponential backoff) and its adaptive mode (xacct's default, same attempts: a
client-side rate limiter that cuts its rate on each throttling answer and
raises it again while none come), in turn, `--reps` times each.

    throttled.py [--n 1000] [--max-rate 150] [--parallelism 64] [--reps 3]
                 [--out-dir target/bench/throttled]

Per run it records the exit code, wall time, user+sys CPU, the requests the
proxy saw and how many it throttled. Results: results.md and results.json in
the out dir. Run by scripts/bench.sh --throttled; touches no real AWS account.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from run import PEERS, PY, ROOT, Moto, Proxy, log, timed, xacct_env  # noqa: E402

MODES = {
    "standard": {"AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "5"},
    "adaptive": {},  # xacct's default
}


def counters(proxy):
    """(requests, throttled) the proxy has answered so far."""
    with urllib.request.urlopen(f"{proxy.endpoint}/__proxy/stats", timeout=5) as r:
        stats = json.load(r)
    return stats.get("total", 0), stats.get("by_outcome", {}).get("throttled", 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--max-rate", type=float, default=150.0)
    ap.add_argument("--parallelism", type=int, default=64)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--xacct", default=os.path.join(ROOT, "target", "release", "xacct"))
    ap.add_argument("--proxy", default=os.path.join(ROOT, "target", "release", "xacct-fault-proxy"))
    ap.add_argument("--out-dir", default=os.path.join(ROOT, "target", "bench", "throttled"))
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    spec = os.path.join(args.out_dir, f"deploy{args.n}.yaml")
    moto = Moto(args.out_dir)
    runs = {mode: [] for mode in MODES}
    try:
        log(f"world: {args.n} buckets")
        subprocess.run([PY, PEERS, "world", moto.endpoint, str(args.n)], check=True)
        subprocess.run([PY, PEERS, "spec", str(args.n), spec], check=True)
        env = xacct_env(moto.endpoint, args.out_dir)
        rc, *_ = timed([args.xacct, "apply", "-f", spec, "--auto-approve"], env=env, cwd=args.out_dir)
        if rc != 0:
            raise SystemExit(f"the first apply exited {rc}")
        proxy = Proxy([args.proxy, "--max-rate", str(args.max_rate)], moto.endpoint, args.latency_ms,
                      os.path.join(args.out_dir, "stats.json"))
        try:
            for _ in range(args.reps):
                for mode, extra in MODES.items():
                    env = xacct_env(proxy.endpoint, args.out_dir)
                    env.update(extra)
                    before = counters(proxy)
                    with open(os.path.join(args.out_dir, f"xacct-{mode}.stderr"), "ab") as err:
                        rc, wall, cpu, _, _ = timed(
                            [args.xacct, "plan", "-f", spec, "--detailed-exitcode",
                             "--parallelism", str(args.parallelism), "--color", "never"],
                            env=env, cwd=args.out_dir, stderr=err)
                    after = counters(proxy)
                    rec = {"rc": rc, "wall": wall, "cpu": cpu,
                           "requests": after[0] - before[0], "throttled": after[1] - before[1]}
                    runs[mode].append(rec)
                    log(f"{mode:9} exit {rc} {wall:6.2f}s {rec['requests']} requests, "
                        f"{rec['throttled']} throttled")
        finally:
            proxy.stop()
    finally:
        moto.stop()
    report(args, runs)


def report(args, runs):
    floor = args.n * 3 / args.max_rate
    lines = [
        "# Under a request-rate limit",
        "",
        f"{args.n} buckets, converged `xacct plan --parallelism {args.parallelism}` through "
        f"xacct-fault-proxy (+{args.latency_ms} ms, requests beyond {args.max_rate:g}/s answered "
        f"503 SlowDown); {args.reps} runs of each mode, in turn. The rate's floor: "
        f"{floor:.1f} s (3 reads per bucket).",
        "",
        "| retry mode | runs that succeeded | wall (median) | user+sys CPU (median) | "
        "requests (median) | throttled (median) |",
        "|---|---|---|---|---|---|",
    ]
    for mode, recs in runs.items():
        ok = sum(1 for r in recs if r["rc"] == 0)
        med = lambda key: statistics.median(r[key] for r in recs)  # noqa: E731
        lines.append(f"| {mode} | {ok} of {len(recs)} | {med('wall'):.2f} s | {med('cpu'):.2f} s | "
                     f"{med('requests'):.0f} | {med('throttled'):.0f} |")
    # A failed run's time is how long it took to give up: only pairs where
    # both finished compare.
    pairs = [a["wall"] / s["wall"] for s, a in zip(runs["standard"], runs["adaptive"])
             if s["rc"] == 0 and a["rc"] == 0]
    if pairs:
        lines += ["", f"adaptive / standard wall, pairs where both succeeded: median "
                  f"{statistics.median(pairs):.2f} ({', '.join(f'{p:.2f}' for p in pairs)})."]
    else:
        lines += ["", "No pair where both modes succeeded: a failed run's wall time is how long "
                  "it took to give up, not comparable."]
    text = "\n".join(lines) + "\n"
    with open(os.path.join(args.out_dir, "results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(args.out_dir, "results.json"), "w") as f:
        json.dump({"n": args.n, "max_rate": args.max_rate, "parallelism": args.parallelism,
                   "latency_ms": args.latency_ms, "runs": runs}, f, indent=2)
    print(text)


if __name__ == "__main__":
    main()

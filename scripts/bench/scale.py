"""The scale benchmark (docs/benchmark.md, "Up to 10,000 buckets"): one world
of the largest N buckets, then for each N (the first N of them) and each
`--parallelism`, the converged `xacct plan` through the replaying proxy (+20
ms per request, every repeated read answered from memory: the emulator's own
cost removed), side by side with the boto3 pool of 32 in the same run.

    scale.py [--ns 1000,2500,5000,10000] [--parallelisms 32,64,128,256]
             [--reps 3] [--out-dir target/bench/scale]

Per N and parallelism it records wall time, the concurrency floor (requests x
latency / parallelism) and the ratio to it, requests per bucket, STS calls,
peak RSS and user+sys CPU; at the default parallelism also the peak RSS of
`plan --format json`, `drift` and a converged `apply`; and once, the first
apply of the largest N through a counting proxy (writes sent against writes
planned). Results: results.md, results.json and chart.svg in the out dir.
Run by scripts/bench.sh --scale; touches no real AWS account.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from run import HERE, PEERS, PY, ROOT, Moto, Proxy, delta, log, timed, xacct_env  # noqa: E402

DEFAULT_PARALLELISM = 64


def ops_delta(after, before):
    return delta(after or {}, before or {})


def requests_of(ops):
    """All requests of a run and its STS calls ({"service:Operation": n})."""
    return sum(ops.values()), sum(v for k, v in ops.items() if k.startswith("sts:"))


class Bench:
    def __init__(self, args, workdir, moto):
        self.args, self.workdir, self.moto = args, workdir, moto

    def spec(self, n):
        return os.path.join(self.workdir, f"deploy{n}.yaml")

    def xacct(self, endpoint, proxy, *argv):
        env = xacct_env(endpoint, self.workdir)
        before = proxy.live_stats() if proxy else None
        err = open(os.path.join(self.workdir, "xacct.stderr"), "ab")
        rc, wall, cpu, rss, _ = timed([self.args.xacct, *argv, "--color", "never"], env=env,
                                      cwd=self.workdir, stderr=err)
        err.close()
        ops = ops_delta(proxy.live_stats(), before) if proxy else {}
        return {"rc": rc, "wall": wall, "cpu": cpu, "rss_kib": rss, "ops": ops}

    def peer(self, who, endpoint, n, proxy):
        before = proxy.live_stats()
        cmd = [PY, PEERS, who, endpoint, self.spec(n)] + (["-w", "32"] if who == "pool" else [])
        rc, wall, cpu, rss, out = timed(cmd, env=xacct_env(endpoint, self.workdir), cwd=self.workdir,
                                        stdout=subprocess.PIPE)
        if rc != 0:
            raise SystemExit(f"peer {who} exited {rc} at N = {n}")
        ops = ops_delta(proxy.live_stats(), before)
        return {"rc": rc, "wall": wall, "cpu": cpu, "rss_kib": rss, "ops": ops}


def first_apply(bench, n):
    """The first apply of the whole world through the counting proxy (no
    added latency): every write planned is sent once, none twice."""
    proxy = Proxy([os.path.join(ROOT, "target", "release", "xacct-fault-proxy")], bench.moto.endpoint,
                  0, os.path.join(bench.workdir, "stats-apply.json"))
    try:
        # Counted in a child of its own: the JSON of a large plan would grow
        # this process, and a child forked from it starts with that RSS as
        # its peak (ru_maxrss counts from fork, not exec).
        xacct = subprocess.Popen(
            [bench.args.xacct, "plan", "-f", bench.spec(n), "--format", "json", "--color", "never"],
            env=xacct_env(proxy.endpoint, bench.workdir), cwd=bench.workdir, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL)
        counted = subprocess.run(
            [PY, "-c", "import json, sys, collections; print(json.dumps(collections.Counter("
                       "c['operation'] for c in json.load(sys.stdin)['resource_changes'] if c['operation'])))"],
            stdin=xacct.stdout, stdout=subprocess.PIPE, check=True)
        xacct.stdout.close()
        if xacct.wait() != 0:
            raise SystemExit("plan before the first apply failed")
        planned = json.loads(counted.stdout)
        rec = bench.xacct(proxy.endpoint, proxy, "apply", "-f", bench.spec(n), "--auto-approve")
        if rec["rc"] != 0:
            raise SystemExit(f"first apply exited {rec['rc']}")
        sent = {k.split(":", 1)[1]: v for k, v in rec["ops"].items()
                if k.split(":", 1)[1] in planned}
        rec.update(planned=planned, sent=sent)
        log(f"first apply of {n}: {rec['wall']:.1f}s, {rec['rss_kib'] / 1024:.1f} MB, "
            f"planned {planned}, sent {sent}")
        return rec
    finally:
        proxy.stop()


def svg_chart(points, path):
    """Wall time (s) and peak RSS (MB) against N: two small line charts."""
    ns = [p["n"] for p in points]
    series = [
        ("wall time at --parallelism 64 (s)", [("xacct plan", [p["wall"] for p in points], "#1f77b4"),
                                                ("boto3 pool(32)", [p["pool_wall"] for p in points], "#d62728"),
                                                ("concurrency floor", [p["floor"] for p in points], "#7f7f7f")]),
        ("peak RSS (MB)", [("plan", [p["rss_plan"] for p in points], "#1f77b4"),
                           ("plan --format json", [p["rss_json"] for p in points], "#2ca02c"),
                           ("drift", [p["rss_drift"] for p in points], "#9467bd"),
                           ("converged apply", [p["rss_apply"] for p in points], "#ff7f0e"),
                           ("64 MB goal", [64.0 for _ in points], "#7f7f7f")]),
    ]
    w, h, pad = 460, 300, 50
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * w}" height="{h + 40}" '
             'font-family="sans-serif" font-size="11">']
    for i, (title, lines) in enumerate(series):
        x0 = i * w
        top = max(max(v for _, vals, _ in lines for v in vals), 1) * 1.1
        def px(n):
            return x0 + pad + (n / max(ns)) * (w - 2 * pad)
        def py(v):
            return h - pad + 20 - (v / top) * (h - 2 * pad)
        parts.append(f'<text x="{x0 + w / 2}" y="16" text-anchor="middle" font-weight="bold">{title}</text>')
        parts.append(f'<line x1="{px(0)}" y1="{py(0)}" x2="{px(max(ns))}" y2="{py(0)}" stroke="black"/>')
        parts.append(f'<line x1="{px(0)}" y1="{py(0)}" x2="{px(0)}" y2="{py(top)}" stroke="black"/>')
        for n in ns:
            parts.append(f'<text x="{px(n)}" y="{py(0) + 14}" text-anchor="middle">{n}</text>')
        for k in range(5):
            v = top * k / 4
            parts.append(f'<text x="{px(0) - 4}" y="{py(v) + 4}" text-anchor="end">{v:.0f}</text>')
        parts.append(f'<text x="{x0 + w / 2}" y="{h + 30}" text-anchor="middle">buckets (N)</text>')
        for j, (name, vals, color) in enumerate(lines):
            pts = " ".join(f"{px(n):.1f},{py(v):.1f}" for n, v in zip(ns, vals))
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{pts}"/>')
            parts.append(f'<text x="{px(0) + 8}" y="{py(top) + 14 + 13 * j}" fill="{color}">{name}</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ns", type=lambda s: [int(x) for x in s.split(",")], default=[1000, 2500, 5000, 10000])
    ap.add_argument("--parallelisms", type=lambda s: [int(x) for x in s.split(",")], default=[32, 64, 128, 256])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--xacct", default=os.path.join(ROOT, "target", "release", "xacct"))
    ap.add_argument("--out-dir", default=os.path.join(ROOT, "target", "bench", "scale"))
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    biggest = max(args.ns)
    moto = Moto(args.out_dir)
    results = {"ns": args.ns, "parallelisms": args.parallelisms, "latency_ms": args.latency_ms, "by_n": {}}
    try:
        log(f"world: {biggest} buckets")
        subprocess.run([PY, PEERS, "world", moto.endpoint, str(biggest)], check=True)
        for n in args.ns:
            subprocess.run([PY, PEERS, "spec", str(n), os.path.join(args.out_dir, f"deploy{n}.yaml")], check=True)
        bench = Bench(args, args.out_dir, moto)
        results["first_apply"] = first_apply(bench, biggest)

        proxy = Proxy([PY, os.path.join(HERE, "latency_proxy.py"), "--replay"], moto.endpoint,
                      args.latency_ms, os.path.join(args.out_dir, "stats-replay.json"))
        try:
            fill = bench.xacct(proxy.endpoint, proxy, "plan", "-f", bench.spec(biggest), "--parallelism", "256")
            log(f"replay cache filled: {fill['wall']:.1f}s")
            for n in args.ns:
                by_p = {}
                for p in args.parallelisms:
                    runs = []
                    for _ in range(args.reps):
                        rec = bench.xacct(proxy.endpoint, proxy, "plan", "-f", bench.spec(n),
                                          "--detailed-exitcode", "--parallelism", str(p))
                        if rec["rc"] != 0:
                            raise SystemExit(f"plan at N = {n} exited {rec['rc']} (expected 0: converged)")
                        runs.append(rec)
                    by_p[p] = runs
                    log(f"N {n:6} p {p:3}: {statistics.median(r['wall'] for r in runs):6.2f}s "
                        f"{statistics.median(r['rss_kib'] for r in runs) / 1024:6.1f} MB")
                spec = bench.spec(n)
                other = {
                    "json": bench.xacct(proxy.endpoint, proxy, "plan", "-f", spec, "--format", "json"),
                    "drift": bench.xacct(proxy.endpoint, proxy, "drift", "-f", spec),
                    "apply": bench.xacct(proxy.endpoint, proxy, "apply", "-f", spec, "--auto-approve"),
                    "pool": bench.peer("pool", proxy.endpoint, n, proxy),
                }
                log(f"N {n:6}: json {other['json']['rss_kib'] / 1024:.1f} MB, drift "
                    f"{other['drift']['rss_kib'] / 1024:.1f} MB, apply {other['apply']['rss_kib'] / 1024:.1f} MB, "
                    f"pool {other['pool']['wall']:.2f}s")
                results["by_n"][n] = {"plan": by_p, **other}
        finally:
            proxy.stop()
    finally:
        moto.stop()
    report(args, results)


def report(args, results):
    med = statistics.median
    lines = ["# Scale benchmark", "",
             f"Replay mode (+{args.latency_ms} ms per request, the emulator's cost removed); medians of "
             f"{args.reps} runs; wall time per process. Floor = requests x latency / parallelism.", "",
             "| N | --parallelism | xacct plan | floor | ratio to floor | requests per bucket | STS calls | "
             "peak RSS | user+sys CPU |", "|---|---|---|---|---|---|---|---|---|"]
    points = []
    for n in args.ns:
        data = results["by_n"][n]
        for p in args.parallelisms:
            runs = data["plan"][p]
            total, sts = requests_of(runs[-1]["ops"])
            floor = total * args.latency_ms / 1000 / p
            wall = med(r["wall"] for r in runs)
            lines.append(f"| {n} | {p} | {wall:.2f} s | {floor:.2f} s | {wall / floor:.2f} | "
                         f"{(total - sts) / n:.2f} | {sts} | {med(r['rss_kib'] for r in runs) / 1024:.1f} MB | "
                         f"{med(r['cpu'] for r in runs):.2f} s |")
            if p == DEFAULT_PARALLELISM:
                points.append({"n": n, "wall": wall, "floor": floor, "pool_wall": data["pool"]["wall"],
                               "rss_plan": med(r["rss_kib"] for r in runs) / 1024,
                               "rss_json": data["json"]["rss_kib"] / 1024,
                               "rss_drift": data["drift"]["rss_kib"] / 1024,
                               "rss_apply": data["apply"]["rss_kib"] / 1024})
    lines += ["", f"At --parallelism {DEFAULT_PARALLELISM} (the default):", "",
              "| N | xacct plan | boto3 pool(32) | pool / xacct | peak RSS: plan | plan --format json | drift | "
              "converged apply |", "|---|---|---|---|---|---|---|---|"]
    for pt in points:
        lines.append(f"| {pt['n']} | {pt['wall']:.2f} s | {pt['pool_wall']:.2f} s | {pt['pool_wall'] / pt['wall']:.2f}x | "
                     f"{pt['rss_plan']:.1f} MB | {pt['rss_json']:.1f} MB | {pt['rss_drift']:.1f} MB | "
                     f"{pt['rss_apply']:.1f} MB |")
    if len(points) >= 2:
        a, b = points[0], points[-1]
        lines += ["", f"Growth of peak RSS (plan) per bucket between N = {a['n']} and {b['n']}: "
                  f"{(b['rss_plan'] - a['rss_plan']) * 1024 / (b['n'] - a['n']):.1f} KB."]
    fa = results["first_apply"]
    lines += ["", f"First apply of {max(args.ns)} buckets (through moto, counting proxy): {fa['wall']:.1f} s, "
              f"peak RSS {fa['rss_kib'] / 1024:.1f} MB; writes planned {fa['planned']}, sent {fa['sent']}."]
    text = "\n".join(lines) + "\n"
    with open(os.path.join(args.out_dir, "results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(args.out_dir, "results.json"), "w") as f:
        json.dump(results, f, indent=1, default=str)
    svg_chart(points, os.path.join(args.out_dir, "chart.svg"))
    print(text)


if __name__ == "__main__":
    main()

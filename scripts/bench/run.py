"""The xacct benchmark harness (run by scripts/bench.sh; see README "Benchmark").

For each N: a fresh moto_server, a world of N buckets in 222222222222 (made
directly against moto), the spec managing them, one `xacct apply
--auto-approve` (directly), then the steady-state `xacct plan
--detailed-exitcode` and the two boto3 peers of scripts/bench_peers.py, all
through one latency proxy (+20 ms per request), interleaved
(xacct, seq, pool, xacct, ...). Each run is a separate process timed from
spawn to exit (wall), with its own rusage (os.wait4: user+sys, peak RSS).
Requests per run come from the proxy's counters (deltas of GET
/__proxy/stats, or a dedicated proxy per counted run when the proxy has no
such endpoint), by (service, operation).

Also: moto's own throughput and CPU share (the pool peer and xacct without
the proxy), the same interleaved runs through latency_proxy.py --replay
(+20 ms, repeated GETs answered from memory: the emulator's cost removed), a
--parallelism sweep at the largest N through both proxies, and `xacct
validate` process time (user+sys).
Writes target/bench/results.md (and results.json) and prints the tables.
"""

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PY = os.path.join(ROOT, ".venv", "bin", "python")
PEERS = os.path.join(ROOT, "scripts", "bench_peers.py")
HERE = os.path.dirname(os.path.abspath(__file__))


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def timed(cmd, env=None, cwd=None, stdout=subprocess.DEVNULL, stderr=None):
    """Runs cmd; returns (exit code, wall s, user+sys s, peak RSS KiB, stdout)."""
    started = time.monotonic()
    p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=stdout, stderr=stderr)
    out = b""
    if stdout == subprocess.PIPE:
        out = p.stdout.read()
        p.stdout.close()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - started
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, out


# --- processes --------------------------------------------------------------


def proc_cpu(pid):
    """A running process's CPU seconds so far (user+sys, Linux /proc), or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


class Moto:
    def __init__(self, workdir):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(workdir, "moto.log"), "w")
        self.proc = subprocess.Popen(
            [PY, os.path.join(ROOT, "tests", "emulator", "moto_server.py"), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=1)
                return
            except Exception:
                if self.proc.poll() is not None:
                    raise SystemExit(f"moto_server exited; see {self.log.name}")
                time.sleep(0.1)
        raise SystemExit("moto_server did not start")

    def cpu(self):
        return proc_cpu(self.proc.pid)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        self.log.close()


class Proxy:
    """The latency proxy: `xacct-fault-proxy` or the Python fallback."""

    def __init__(self, command, upstream, latency_ms, stats_file):
        self.stats_file = stats_file
        if os.path.exists(stats_file):
            os.unlink(stats_file)
        self.proc = subprocess.Popen(
            command + ["--upstream", upstream, "--listen", "127.0.0.1:0",
                       "--latency-ms", str(latency_ms), "--stats-file", stats_file],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        first = self.proc.stdout.readline().strip()
        if not first:
            raise SystemExit(f"proxy {command} printed no address")
        # "host:port", a URL, or a sentence ending in either.
        first = first.split()[-1]
        self.endpoint = first if first.startswith("http") else f"http://{first}"
        self.endpoint = self.endpoint.rstrip("/")

    def live_stats(self):
        try:
            with urllib.request.urlopen(f"{self.endpoint}/__proxy/stats", timeout=5) as r:
                return flatten(json.load(r))
        except Exception:
            return None

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        try:
            with open(self.stats_file) as f:
                return flatten(json.load(f))
        except (OSError, ValueError):
            return None


def flatten(doc):
    """Proxy counters as {"service:Operation": count}, whatever the nesting."""
    out = {}

    def add(key, n):
        if isinstance(n, (int, float)) and not isinstance(n, bool):
            out[key] = out.get(key, 0) + int(n)

    def walk(prefix, value):
        if isinstance(value, dict):
            if "operation" in value and ("count" in value or "requests" in value):
                add(f"{value.get('service', '?')}:{value['operation']}", value.get("count", value.get("requests")))
                return
            for k, v in value.items():
                walk(f"{prefix}:{k}" if prefix else str(k), v)
        elif isinstance(value, list):
            for v in value:
                walk(prefix, v)
        else:
            add(prefix, value)

    # Prefer the by-operation section when the document has several.
    if isinstance(doc, dict):
        for key in ("by_operation", "operations", "requests_by_operation", "requests", "counts"):
            if key in doc and isinstance(doc[key], (dict, list)):
                doc = doc[key]
                break
    walk("", doc)
    return out


def delta(after, before):
    return {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}


# --- the benchmark ------------------------------------------------------------


def xacct_env(endpoint, workdir):
    for name in ("aws-config", "aws-credentials"):
        open(os.path.join(workdir, name), "w").close()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k not in ("RUST_LOG",)}
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.path.join(workdir, "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=os.path.join(workdir, "aws-credentials"),
    )
    return env


class Runner:
    """Runs the three contenders against one endpoint and records each run."""

    def __init__(self, args, workdir, spec, moto):
        self.args, self.workdir, self.spec = args, workdir, spec
        self.moto = moto

    def cmd(self, who, endpoint, parallelism=None):
        if who == "xacct":
            c = [self.args.xacct, "plan", "-f", self.spec, "--detailed-exitcode", "--color", "never"]
            if parallelism:
                c += ["--parallelism", str(parallelism)]
            return c
        return [PY, PEERS, who, endpoint, self.spec] + (["-w", "32"] if who == "pool" else [])

    def run(self, who, endpoint, proxy=None, parallelism=None):
        before = proxy.live_stats() if proxy is not None else None
        moto_before = self.moto.cpu()
        proxy_before = proc_cpu(proxy.proc.pid) if proxy is not None else None
        env = xacct_env(endpoint, self.workdir)
        errlog = open(os.path.join(self.workdir, f"{who}.stderr"), "ab")
        rc, wall, cpu, rss, out = timed(self.cmd(who, endpoint, parallelism), env=env,
                                        cwd=self.workdir, stdout=subprocess.PIPE, stderr=errlog)
        errlog.close()
        if rc != 0:
            raise SystemExit(f"{who} exited {rc} (expected 0 = no changes); see {errlog.name}")
        rec = {"who": who, "wall": wall, "cpu": cpu, "rss_kib": rss, "parallelism": parallelism}
        moto_after = self.moto.cpu()
        if moto_before is not None and moto_after is not None:
            rec["moto_cpu"] = moto_after - moto_before
        proxy_after = proc_cpu(proxy.proc.pid) if proxy is not None else None
        if proxy_before is not None and proxy_after is not None:
            rec["proxy_cpu"] = proxy_after - proxy_before
        if who != "xacct":
            rec.update(json.loads(out.decode().strip().splitlines()[-1]))
        if before is not None:
            rec["ops"] = delta(proxy.live_stats() or {}, before)
        return rec


def bench_n(args, n, proxy_cmd, results):
    workdir = os.path.join(args.out_dir, f"n{n}")
    os.makedirs(workdir, exist_ok=True)
    log(f"\n== N = {n}: world, spec, apply")
    moto = Moto(workdir)
    try:
        subprocess.run([PY, PEERS, "world", moto.endpoint, str(n)], check=True)
        spec = os.path.join(workdir, "deploy.yaml")
        subprocess.run([PY, PEERS, "spec", str(n), spec], check=True)
        env = xacct_env(moto.endpoint, workdir)
        rc, wall, _, _, _ = timed([args.xacct, "apply", "-f", spec, "--auto-approve", "--color", "never"],
                                  env=env, cwd=workdir,
                                  stderr=open(os.path.join(workdir, "apply.stderr"), "wb"))
        if rc != 0:
            raise SystemExit(f"xacct apply exited {rc}; see {workdir}/apply.stderr")
        log(f"apply: {wall:.1f}s")
        r = Runner(args, workdir, spec, moto)

        # Directly against moto: the converged check, then the emulator's own
        # throughput (no added latency) for the same reads.
        direct = {"xacct": [], "pool": []}
        for _ in range(args.direct_reps):
            for who in ("xacct", "pool"):
                direct[who].append(r.run(who, moto.endpoint))
        log("direct (no proxy): " + ", ".join(
            f"{w} {statistics.median(x['wall'] for x in v):.2f}s" for w, v in direct.items()))

        proxy = Proxy(proxy_cmd, moto.endpoint, args.latency_ms, os.path.join(workdir, "stats.json"))
        log(f"proxy: {proxy.endpoint} (+{args.latency_ms} ms)")
        try:
            # warm-up runs, also counted
            counts = {who: r.run(who, proxy.endpoint, proxy)["ops"] for who in ("xacct", "pool")}
            seq_reps = args.reps if n < 1000 else args.seq_reps_large
            runs = {"xacct": [], "seq": [], "pool": []}
            for rep in range(args.reps):
                for who in ("xacct", "seq", "pool"):
                    if who == "seq" and rep >= seq_reps:
                        continue
                    rec = r.run(who, proxy.endpoint, proxy)
                    runs[who].append(rec)
                    if "ops" in rec and who not in counts:
                        counts[who] = rec["ops"]
                    log(f"  rep {rep + 1} {who:5} {rec['wall']:7.2f}s"
                        + (f"  {sum(rec['ops'].values())} requests" if rec.get("ops") else ""))
            sweep = {}
            if n == max(args.ns) and args.sweep:
                for rep in range(args.sweep_reps):
                    for par in args.sweep:
                        rec = r.run("xacct", proxy.endpoint, proxy, parallelism=par)
                        sweep.setdefault(par, []).append(rec)
                        log(f"  sweep rep {rep + 1} --parallelism {par:3}: {rec['wall']:.2f}s")
        finally:
            proxy.stop()

        # The same through a replaying proxy: +20 ms still, but repeated GETs
        # answered from memory, so the emulator's own cost is out of the way.
        replay = {"xacct": [], "seq": [], "pool": []}
        if args.replay_reps:
            proxy = Proxy([PY, os.path.join(HERE, "latency_proxy.py"), "--replay"], moto.endpoint,
                          args.latency_ms, os.path.join(workdir, "stats-replay.json"))
            log(f"replay proxy: {proxy.endpoint}")
            try:
                r.run("xacct", proxy.endpoint, proxy)  # fills the cache
                rseq = args.replay_reps if n < 1000 else min(args.replay_reps, args.replay_seq_reps_large)
                for rep in range(args.replay_reps):
                    for who in ("xacct", "seq", "pool"):
                        if who == "seq" and rep >= rseq:
                            continue
                        rec = r.run(who, proxy.endpoint, proxy)
                        replay[who].append(rec)
                        log(f"  replay rep {rep + 1} {who:5} {rec['wall']:7.2f}s")
                if n == max(args.ns) and args.sweep:
                    for rep in range(args.sweep_reps):
                        for par in args.sweep:
                            rec = r.run("xacct", proxy.endpoint, proxy, parallelism=par)
                            replay.setdefault("sweep", {}).setdefault(par, []).append(rec)
                            log(f"  replay sweep rep {rep + 1} --parallelism {par:3}: {rec['wall']:.2f}s")
            finally:
                proxy.stop()
        results[n] = {"runs": runs, "counts": counts, "direct": direct, "sweep": sweep,
                      "seq_reps": seq_reps, "apply_s": wall, "replay": replay}
    finally:
        moto.stop()


def validate_time(args):
    cpu = []
    for _ in range(args.validate_runs):
        rc, wall, c, rss, _ = timed([args.xacct, "validate", "-f", os.path.join(ROOT, "deploy.yaml.example")],
                                    cwd=ROOT, stderr=subprocess.DEVNULL)
        if rc != 0:
            raise SystemExit(f"xacct validate exited {rc}")
        cpu.append((c, wall, rss))
    return {"cpu_ms": statistics.median(c for c, _, _ in cpu) * 1000,
            "wall_ms": statistics.median(w for _, w, _ in cpu) * 1000,
            "max_cpu_ms": max(c for c, _, _ in cpu) * 1000}


# --- report -------------------------------------------------------------------


def busy(recs, key="moto_cpu"):
    """Median share of a run's wall time the emulator (or proxy) spent on CPU."""
    b = [r[key] / r["wall"] for r in recs if key in r]
    return f"{statistics.median(b) * 100:.0f}%" if b else "?"


def med(recs, key="wall"):
    return statistics.median(r[key] for r in recs) if recs else float("nan")


def report(args, results, validate, proxy_name):
    L = []
    L.append(f"Machine: {os.cpu_count()} CPUs, {os.uname().sysname} {os.uname().release}; "
             f"proxy: {proxy_name}, +{args.latency_ms} ms per request; "
             f"emulator: moto_server 5.1.22 (one Python process).")
    L.append("")
    L.append("Steady-state plan of a converged world (every run exits 0 = no changes), "
             "wall time per process from spawn to exit, median of (n) interleaved repetitions; "
             "for the peers, the time inside the process (after Python start and `import boto3`) "
             "in brackets. Ratio = xacct / peer (below 1: xacct faster). "
             "moto busy = the emulator's CPU time / xacct's wall time.")
    L.append("")
    L.append("| N | xacct plan | peer seq | peer pool(32) | xacct/seq | xacct/pool | moto busy (xacct runs) |")
    L.append("|---|---|---|---|---|---|---|")
    for n, res in sorted(results.items()):
        runs = res["runs"]
        x, s, p = med(runs["xacct"]), med(runs["seq"]), med(runs["pool"])
        si, pi = med(runs["seq"], "seconds"), med(runs["pool"], "seconds")
        moto_busy = busy(runs["xacct"])
        L.append(f"| {n} | {x:.2f} s ({len(runs['xacct'])}) | {s:.2f} s [{si:.2f}] ({len(runs['seq'])}) | "
                 f"{p:.2f} s [{pi:.2f}] ({len(runs['pool'])}) | {x / s:.3f} ({s / x:.1f}x faster) | "
                 f"{x / p:.2f} ({p / x:.2f}x faster) | {moto_busy} |")
    L.append("")
    L.append("Requests (one run each, from the proxy's counters) and memory:")
    L.append("")
    L.append("| N | requests/bucket xacct / seq / pool | STS calls xacct / seq / pool | "
             "xacct peak RSS | xacct user+sys |")
    L.append("|---|---|---|---|---|")
    for n, res in sorted(results.items()):
        counts, runs = res["counts"], res["runs"]

        def total(who):
            return sum((counts.get(who) or {}).values())

        def sts(who):
            ops = counts.get(who) or {}
            return str(sum(v for k, v in ops.items() if k.lower().startswith("sts"))) if ops else "?"

        rpb = " / ".join(f"{total(w) / n:.2f}" if total(w) else "?" for w in ("xacct", "seq", "pool"))
        rss = max(r["rss_kib"] for r in runs["xacct"]) / 1024
        L.append(f"| {n} | {rpb} | {sts('xacct')} / {sts('seq')} / {sts('pool')} | {rss:.1f} MB | "
                 f"{med(runs['xacct'], 'cpu'):.2f} s |")
    L.append("")
    for n, res in sorted(results.items()):
        for who in ("xacct", "seq", "pool"):
            ops = res["counts"].get(who) or {}
            L.append(f"- N={n} {who}: " + (", ".join(f"`{k}` {v}" for k, v in sorted(ops.items())) or "?"))
    L.append("")
    L.append(f"The emulator alone (no proxy, no added latency; median of {args.direct_reps}) "
             "against the latency floor with the proxy (requests x 20 ms / 32 in flight):")
    L.append("")
    L.append("| N | xacct plan direct | peer pool(32) direct [in-process] | moto busy (xacct / pool) | "
             "floor at +20 ms, 32 in flight |")
    L.append("|---|---|---|---|---|")
    for n, res in sorted(results.items()):
        xreqs = sum((res["counts"].get("xacct") or {}).values()) or (2 * n + 1)
        preqs = sum((res["counts"].get("pool") or {}).values()) or (2 * n + 1)
        d = res["direct"]
        dx, dp, dpi = med(d["xacct"]), med(d["pool"]), med(d["pool"], "seconds")

        bound = xreqs / 32 * args.latency_ms / 1000
        L.append(f"| {n} | {dx:.2f} s ({xreqs / dx:.0f} req/s) | {dp:.2f} s [{dpi:.2f} s, "
                 f"{preqs / dpi:.0f} req/s] | {busy(d['xacct'])} / {busy(d['pool'])} | {bound:.2f} s |")
    for n, res in sorted(results.items()):
        if res["sweep"]:
            L.append("")
            L.append(f"`xacct plan --parallelism P` at N = {n} through the proxy "
                     f"(median of {args.sweep_reps}, interleaved):")
            L.append("")
            rsweep = (res.get("replay") or {}).get("sweep") or {}
            L.append("| P | wall (moto) | moto busy | peak RSS | wall (replaying proxy) | proxy busy |")
            L.append("|---|---|---|---|---|---|")
            for par, recs in sorted(res["sweep"].items()):
                rr = rsweep.get(par) or []
                rcol = f"{med(rr):.2f} s | {busy(rr, 'proxy_cpu')}" if rr else "- | -"
                L.append(f"| {par} | {med(recs):.2f} s | {busy(recs)} | "
                         f"{max(r['rss_kib'] for r in recs) / 1024:.1f} MB | {rcol} |")
    if any(res.get("replay", {}).get("xacct") for res in results.values()):
        L.append("")
        L.append("Without the emulator's cost: the same runs through scripts/bench/latency_proxy.py "
                 "--replay (+20 ms per request; each GET answered by moto once, then from memory; "
                 "a Python asyncio proxy, itself on one core):")
        L.append("")
        L.append("| N | xacct plan | peer seq [in-process] | peer pool(32) [in-process] | xacct/seq | xacct/pool "
                 "| proxy busy / moto busy (xacct runs) |")
        L.append("|---|---|---|---|---|---|---|")
        for n, res in sorted(results.items()):
            rp = res.get("replay") or {}
            if not rp.get("xacct"):
                continue
            x, s_, p = med(rp["xacct"]), med(rp["seq"]), med(rp["pool"])
            L.append(f"| {n} | {x:.2f} s ({len(rp['xacct'])}) | {s_:.2f} s [{med(rp['seq'], 'seconds'):.2f}] "
                     f"({len(rp['seq'])}) | {p:.2f} s [{med(rp['pool'], 'seconds'):.2f}] ({len(rp['pool'])}) | "
                     f"{x / s_:.3f} ({s_ / x:.1f}x faster) | {x / p:.2f} ({p / x:.2f}x faster) | "
                     f"{busy(rp['xacct'], 'proxy_cpu')} / {busy(rp['xacct'])} |")
    if validate:
        L.append("")
        L.append(f"`xacct validate -f deploy.yaml.example`: {validate['cpu_ms']:.1f} ms user+sys "
                 f"(median of {args.validate_runs}; max {validate['max_cpu_ms']:.1f} ms), "
                 f"{validate['wall_ms']:.1f} ms wall; target < 10 ms process time.")
    big = max(results) if results else None
    if big is not None:
        res = results[big]
        x, s, p = med(res["runs"]["xacct"]), med(res["runs"]["seq"]), med(res["runs"]["pool"])
        rss = max(r["rss_kib"] for r in res["runs"]["xacct"]) / 1024
        L.append("")
        L.append(f"Targets at N = {big}: xacct >= 2x faster than the pool: {p / x:.2f}x "
                 f"({'met' if p / x >= 2 else 'NOT met'}); >= 20x faster than sequential: {s / x:.1f}x "
                 f"({'met' if s / x >= 20 else 'NOT met'}); peak RSS < 64 MB: {rss:.1f} MB "
                 f"({'met' if rss < 64 else 'NOT met'})."
                 + (f" validate < 10 ms: {'met' if validate['cpu_ms'] < 10 else 'NOT met'}." if validate else ""))
    return "\n".join(L) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ns", nargs="*", type=int, default=[100, 1000])
    ap.add_argument("--xacct", default=os.path.join(ROOT, "target", "release", "xacct"))
    ap.add_argument("--proxy", default=None, help="proxy binary, or `python` for scripts/bench/latency_proxy.py (default: target/release/xacct-fault-proxy if built, else the Python one)")
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--seq-reps-large", type=int, default=3, help="sequential-peer repetitions at N >= 1000")
    ap.add_argument("--direct-reps", type=int, default=3)
    ap.add_argument("--sweep", type=lambda s: [int(x) for x in s.split(",") if x], default=[8, 32, 64, 128])
    ap.add_argument("--sweep-reps", type=int, default=3)
    ap.add_argument("--validate-runs", type=int, default=20)
    ap.add_argument("--replay-reps", type=int, default=3, help="runs through the replaying proxy (0: none)")
    ap.add_argument("--replay-seq-reps-large", type=int, default=1)
    ap.add_argument("--out-dir", default=os.path.join(ROOT, "target", "bench"))
    args = ap.parse_args()
    args.out_dir = os.path.abspath(args.out_dir)
    os.makedirs(args.out_dir, exist_ok=True)

    rust_proxy = os.path.join(ROOT, "target", "release", "xacct-fault-proxy")
    if args.proxy == "python":
        proxy_cmd = [PY, os.path.join(HERE, "latency_proxy.py")]
    elif args.proxy:
        proxy_cmd = [args.proxy]
    elif os.access(rust_proxy, os.X_OK):
        proxy_cmd = [rust_proxy]
    else:
        proxy_cmd = [PY, os.path.join(HERE, "latency_proxy.py")]
    proxy_name = os.path.basename(proxy_cmd[-1])
    log(f"proxy: {' '.join(proxy_cmd)}")

    started = time.monotonic()
    load_before = os.getloadavg()
    validate = validate_time(args) if args.validate_runs else None
    results = {}
    for n in args.ns:
        bench_n(args, n, proxy_cmd, results)
    text = report(args, results, validate, proxy_name)
    text += (f"\nTotal benchmark time: {time.monotonic() - started:.0f} s; load average "
             f"{load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after (1 min; the benchmark itself "
             "keeps about 1-2 CPUs busy).\n")
    with open(os.path.join(args.out_dir, "results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(args.out_dir, "results.json"), "w") as f:
        json.dump({"results": {str(k): v for k, v in results.items()}, "validate": validate,
                   "proxy": proxy_cmd}, f, indent=1, default=str)
    print()
    print(text)


if __name__ == "__main__":
    main()

"""A tiny latency-adding HTTP/1.1 forwarding proxy with request counters: the
benchmark's fallback when the project's `xacct-fault-proxy` is not built.

    latency_proxy.py --upstream http://127.0.0.1:PORT --listen 127.0.0.1:0 \
        --latency-ms 20 --stats-file PATH

Same interface as xacct-fault-proxy: prints its address (host:port) as the
first line on stdout, adds the latency before forwarding each request, keeps
one upstream connection per client connection (keep-alive both sides),
answers GET /__proxy/stats with its counters and writes them to the stats file
on SIGTERM: {"by_operation": {"s3:GetBucketPolicy": n, ...}, "total": n}.

With --replay, the emulator's cost is taken out of the steady state: the
first answer to each GET (method, path and query; S3 reads carry no body) is
kept and every later identical GET is answered from memory after the same
latency, without reaching the upstream, on a connection kept open (moto
closes every connection; AWS does not). Other requests (STS AssumeRole, any
write) are always forwarded. Only for read-only runs against a world that does
not change (the benchmark's converged plan).
The operation comes from the request as AWS defines it: S3 from the method and
the sub-resource query, query protocols (STS, SNS) from Action=, JSON
protocols from X-Amz-Target; the service from the SigV4 credential scope.
"""

import argparse
import asyncio
import json
import re
import signal
import sys
from urllib.parse import parse_qs, urlsplit

COUNTS = {}

S3_SUBRESOURCES = {
    "policy": "BucketPolicy",
    "ownershipControls": "BucketOwnershipControls",
    "notification": "BucketNotificationConfiguration",
    "versioning": "BucketVersioning",
    "acl": "BucketAcl",
    "tagging": "BucketTagging",
    "location": "BucketLocation",
}


def operation(method, target, headers, body):
    auth = headers.get("authorization", "")
    m = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", auth)
    service = m.group(1) if m else "?"
    url = urlsplit(target)
    query = parse_qs(url.query, keep_blank_values=True)
    if "x-amz-target" in headers:
        return service, headers["x-amz-target"].split(".")[-1]
    if service == "s3":
        verb = {"GET": "Get", "PUT": "Put", "DELETE": "Delete", "HEAD": "Head", "POST": "Post"}.get(method, method)
        for key, name in S3_SUBRESOURCES.items():
            if key in query:
                return service, verb + name
        path = [p for p in url.path.split("/") if p]
        return service, verb + ("Object" if len(path) > 1 else "Bucket" if path else "Service")
    action = query.get("Action") or parse_qs(body.decode("latin-1")).get("Action")
    return service, action[0] if action else method


async def read_message(reader, request):
    """(start line, header lines, headers dict, body) of one HTTP/1.1 message."""
    start = await reader.readline()
    if not start:
        return None
    lines = []
    headers = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        lines.append(line)
        k, _, v = line.decode("latin-1").partition(":")
        headers[k.strip().lower()] = v.strip()
    body = b""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size_line = await reader.readline()
            body += size_line
            size = int(size_line.split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            body += chunk
            if size == 0:
                break
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif not request and not start.split()[1:2] in ([b"204"], [b"304"]):
        body = await reader.read()  # until close
    return start, lines, headers, body


CACHE = {}


async def handle(creader, cwriter, upstream, latency, replay):
    ureader = uwriter = None
    try:
        while True:
            msg = await read_message(creader, True)
            if msg is None:
                break
            start, lines, headers, body = msg
            method, target = start.decode("latin-1").split()[:2]
            if target.startswith("/__proxy/stats"):
                doc = json.dumps(stats()).encode()
                cwriter.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                              b"Content-Length: %d\r\n\r\n" % len(doc) + doc)
                await cwriter.drain()
                continue
            key = "%s:%s" % operation(method, target, headers, body)
            COUNTS[key] = COUNTS.get(key, 0) + 1
            await asyncio.sleep(latency)
            if replay and method == "GET" and target in CACHE:
                cwriter.write(CACHE[target])
                await cwriter.drain()
                continue
            if uwriter is None:
                ureader, uwriter = await asyncio.open_connection(*upstream)
            uwriter.write(start + b"".join(lines) + b"\r\n" + body)
            await uwriter.drain()
            resp = await read_message(ureader, False)
            if resp is None:
                break
            rstart, rlines, rheaders, rbody = resp
            if replay and "content-length" in rheaders:
                # moto answers `Connection: close` to every request; AWS keeps
                # connections open, and so does the replaying proxy.
                rlines = [line for line in rlines if not line.lower().startswith(b"connection:")]
            raw = rstart + b"".join(rlines) + b"\r\n" + rbody
            if replay and method == "GET" and rstart.split()[1:2] in ([b"200"], [b"404"]) \
                    and "content-length" in rheaders:
                CACHE[target] = raw
            cwriter.write(raw)
            await cwriter.drain()
            if rheaders.get("connection", "").lower() == "close" or "content-length" not in rheaders \
                    and rheaders.get("transfer-encoding", "").lower() != "chunked":
                uwriter.close()
                uwriter = None
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        cwriter.close()
        if uwriter is not None:
            uwriter.close()


def stats():
    return {"by_operation": dict(sorted(COUNTS.items())), "total": sum(COUNTS.values())}


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--listen", default="127.0.0.1:0")
    ap.add_argument("--latency-ms", type=float, default=20)
    ap.add_argument("--stats-file")
    ap.add_argument("--replay", action="store_true", help="answer repeated GETs from memory")
    args = ap.parse_args()
    up = urlsplit(args.upstream)
    host, _, port = args.listen.rpartition(":")
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, (up.hostname, up.port), args.latency_ms / 1000, args.replay),
        host, int(port), backlog=1024)
    addr = server.sockets[0].getsockname()
    print(f"{addr[0]}:{addr[1]}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    if args.stats_file:
        with open(args.stats_file, "w") as f:
            json.dump(stats(), f)


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)

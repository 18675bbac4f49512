"""HTTP search latency and memory of `exemplar serve` on a large index. Run it through
scripts/bench-index-search.

Serves one built index (`exemplar serve --port 0 --index DIR`), then sends --queries
sequential requests of each kind, one at a time on one keep-alive connection, after a warm-up:

- `embed`: POST /v1/embeddings with the query text alone (the model's share of a text search);
- `text`: POST /v1/indexes/NAME/search {"text", "k": 10} (embed + search + records);
- `text per class`: the same with "per_class": true (LM-BFF's per-class demonstrations);
- `vector`: {"vector", "k": 10} with the query's embedding (search + records, no model).

Reports p50/p90/p99 in milliseconds and the server's VmRSS and RssAnon (anonymous memory:
what is not a mapped file) from /proc after the run. With --edits N (on a copy of the index,
so the original is untouched): N sequential online additions (POST .../examples, one example
example) and N deletions (DELETE .../examples/ID), then vector
searches while a second connection keeps adding, against the same searches without edits.
Each addition carries a text, so it includes embedding that text (a few ms).
Standard-library Python only.
"""
import argparse
import http.client
import json
import os
import shutil
import subprocess
import threading
import sys
import tempfile
import time
from pathlib import Path

from bench_common import append_report, git_commit, machine, utc_now, wait_for_port


def log(msg):
    print(f"bench-index-search: {msg}", file=sys.stderr, flush=True)


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def proc_status(pid):
    fields = {}
    for line in open(f"/proc/{pid}/status"):
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024  # MiB
    return fields


def post(conn, path, body):
    data = json.dumps(body).encode()
    t0 = time.perf_counter()
    conn.request("POST", path, body=data, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    payload = response.read()
    elapsed = time.perf_counter() - t0
    if response.status != 200:
        sys.exit(f"bench-index-search: {path} answered {response.status}: {payload[:300]!r}")
    return elapsed, payload


def request(conn, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    t0 = time.perf_counter()
    conn.request(method, path, body=data, headers={"Content-Type": "application/json"} if data else {})
    response = conn.getresponse()
    payload = response.read()
    elapsed = (time.perf_counter() - t0) * 1e3
    if response.status >= 300:
        sys.exit(f"bench-index-search: {method} {path} answered {response.status}: {payload[:300]!r}")
    return elapsed, payload


def edits(port, name, vectors, labels, args):
    """Timed online additions and deletions, and searches with and without concurrent additions."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    examples = f"/v1/indexes/{name}/examples"
    search = f"/v1/indexes/{name}/search"
    add, added = [], []
    for i in range(args.edits):
        ms, payload = request(conn, "POST", examples, {"text": f"an added example, number {i}", "label": labels[i % len(labels)]})
        add.append(ms)
        added += json.loads(payload)["ids"]
    delete = [request(conn, "DELETE", f"{examples}/{i}")[0] for i in added[: args.edits]]
    quiet = [request(conn, "POST", search, {"vector": vectors[i % len(vectors)], "k": args.k})[0] for i in range(args.queries)]
    stop = threading.Event()
    count = [0]

    def writer():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i = 0
        while not stop.is_set():
            request(c, "POST", examples, {"text": f"a concurrent example, number {i}", "label": labels[i % len(labels)]})
            i += 1
        count[0] = i

    t = threading.Thread(target=writer)
    t.start()
    busy = [request(conn, "POST", search, {"vector": vectors[i % len(vectors)], "k": args.k})[0] for i in range(args.queries)]
    stop.set()
    t.join()
    row = lambda label, v: (label, len(v), percentile(v, 50), percentile(v, 90), max(v))
    return [row("add one example", add), row("delete one example", delete), row("vector search, no edits", quiet),
            row(f"vector search during additions ({count[0]} added meanwhile)", busy)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exemplar", required=True)
    ap.add_argument("--index", required=True, help="a built index folder")
    ap.add_argument("--queries-file", required=True, help="TSV with a sentence column first (a header line is skipped)")
    ap.add_argument("--queries", type=int, default=400)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--edits", type=int, default=0, help="online additions and deletions to time (0: none)")
    ap.add_argument("--anchor-python", help="a Python with numpy and faiss: time faiss IndexFlatIP on the same vectors")
    ap.add_argument("--anchor-vectors", help="the index's vectors (.npy, rows in record order) for the anchor")
    ap.add_argument("--anchor-labels", help="one label per vector row, for the anchor's per-label indexes")
    ap.add_argument("--command", default="scripts/bench-index-search")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()

    lines = Path(args.queries_file).read_text(encoding="utf-8").splitlines()[1:]
    texts = [l.split("\t")[0] for l in lines if l.strip()]
    texts = (texts * (1 + (args.queries + args.warmup) // max(1, len(texts))))[: args.queries + args.warmup]
    index = Path(args.index).resolve()
    name = index.name
    info = json.loads(subprocess.run([args.exemplar, "info", str(index), "--json"], capture_output=True, text=True, check=True).stdout)
    labels, records, size = info["manifest"]["labels"], info["manifest"]["total"], info["size_on_disk"] / 2**20

    with tempfile.TemporaryDirectory(dir=index.parent) as work:
        if args.edits:
            copy = Path(work) / name
            shutil.copytree(index, copy)
            index = copy
        log_path = Path(work) / "serve.log"
        t0 = time.perf_counter()
        server = subprocess.Popen([args.exemplar, "serve", "--port", "0", "--index", str(index)], stderr=open(log_path, "w"))
        try:
            port = wait_for_port(server, log_path, "bench-index-search")
            ready = time.perf_counter() - t0
            after_open = proc_status(server.pid)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            search = f"/v1/indexes/{name}/search"
            vectors = []
            for t in texts:
                _, payload = post(conn, "/v1/embeddings", {"input": t})
                vectors.append(json.loads(payload)["data"][0]["embedding"])
            kinds = [
                ("embed (POST /v1/embeddings, the text alone)", "/v1/embeddings", lambda i: {"input": texts[i]}),
                ("text search, top-10", search, lambda i: {"text": texts[i], "k": args.k}),
                ("text search, top-10 per class", search, lambda i: {"text": texts[i], "k": args.k, "per_class": True}),
                ("vector search, top-10", search, lambda i: {"vector": vectors[i], "k": args.k}),
                ("vector search, top-10 per class", search, lambda i: {"vector": vectors[i], "k": args.k, "per_class": True}),
            ]
            rows = []
            for label, path, body in kinds:
                for i in range(args.warmup):
                    post(conn, path, body(i))
                lat = [post(conn, path, body(args.warmup + i))[0] * 1e3 for i in range(args.queries)]
                rows.append((label, percentile(lat, 50), percentile(lat, 90), percentile(lat, 99)))
                log(f"{label}: p50 {rows[-1][1]:.2f} ms")
            edit_rows = []
            if args.edits:
                edit_rows = edits(port, name, vectors, labels, args)
            after = proc_status(server.pid)
        finally:
            server.terminate()
            server.wait()

    table = "\n".join(f"| {label} | {p50:.2f} | {p90:.2f} | {p99:.2f} |" for label, p50, p90, p99 in rows)
    section = f"""## Index search over HTTP: {utc_now()}

- Command: `{args.command}` (exemplar {git_commit()}; {machine()})
- Index: `{index.name}` ({records} records, {size:.1f} MiB on disk); {args.queries} sequential requests of each kind
  after {args.warmup} warm-up, one keep-alive connection, queries from `{args.queries_file}`.

| request | p50 ms | p90 ms | p99 ms |
|---|---:|---:|---:|
{table}

Server: ready {ready:.2f} s after start (model and index loaded); after opening VmRSS {after_open.get('VmRSS', 0):.0f} MiB
(RssAnon {after_open.get('RssAnon', 0):.0f} MiB); after the run VmRSS {after.get('VmRSS', 0):.0f} MiB, RssAnon {after.get('RssAnon', 0):.0f} MiB,
RssFile {after.get('RssFile', 0):.0f} MiB (mapped files: model weights, vector file, LMDB).
"""
    if args.anchor_python and args.anchor_vectors:
        with tempfile.TemporaryDirectory() as work:
            qfile = Path(work) / "queries.json"
            qfile.write_text(json.dumps(vectors[args.warmup: args.warmup + args.queries]))
            out = subprocess.run([args.anchor_python, str(Path(__file__).parent / "bench_index_anchor.py"), args.anchor_vectors,
                                  args.anchor_labels, str(qfile), str(args.k)], capture_output=True, text=True, check=True).stdout
        anchor = json.loads(out)
        ours = next(p50 for label, p50, _, _ in rows if label == "vector search, top-10")
        section += (f"\nAnchor: faiss {anchor['faiss']} IndexFlatIP, one per label (exact, normalised), the same {anchor['queries']} query vectors in "
                    f"process, 2 threads: top-10 over both labels p50 {anchor['p50']:.2f} ms, p90 {anchor['p90']:.2f} ms. "
                    f"Exemplar's vector search over HTTP (parsing, search, records, JSON): p50 {ours:.2f} ms = "
                    f"{anchor['p50'] / ours:.2f}x faiss's speed.\n")
    if edit_rows:
        section += "\nOnline edits (on a copy of the index; one example per request, its text embedded by the server):\n\n"
        section += "| operation | n | p50 ms | p90 ms | max ms |\n|---|---:|---:|---:|---:|\n"
        section += "\n".join(f"| {label} | {n} | {p50:.2f} | {p90:.2f} | {mx:.2f} |" for label, n, p50, p90, mx in edit_rows) + "\n"
    print(section)
    if not args.no_write:
        log(f"appended to {append_report(section)}")


if __name__ == "__main__":
    main()

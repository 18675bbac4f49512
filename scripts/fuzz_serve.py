"""Random-request run against `exemplar serve`: malformed JSON, wrong types, huge and lying
bodies, deep nesting, Unicode edge cases, slow and abandoned clients, random methods and
paths, connection floods, interleaved with valid requests whose answers are checked. Ends
with the server still up and answering correctly, or exits 1. Run it through scripts/fuzz-serve.

Counts every status; any 5xx, any dropped valid request, or the process exiting is a failure.
The index served is a temporary copy (online add/delete requests edit it).
"""
import argparse
import collections
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def log(msg):
    print(f"fuzz-serve: {msg}", file=sys.stderr, flush=True)


def raw(port, data, read=True, timeout=10.0, pause=None):
    """Sends bytes (optionally in pieces with pauses), returns (status or None, body bytes)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        if pause:
            for i in range(0, len(data), pause[0]):
                s.sendall(data[i:i + pause[0]])
                time.sleep(pause[1])
        else:
            s.sendall(data)
        if not read:
            return None, b""
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                c = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not c:
                break
            chunks.append(c)
        resp = b"".join(chunks)
        if resp.startswith(b"HTTP/1."):
            return int(resp.split(b" ", 2)[1]), resp.split(b"\r\n\r\n", 1)[-1]
        return None, resp
    except (BrokenPipeError, ConnectionResetError):
        return "reset", b""
    finally:
        s.close()


def request(method, path, body=b"", headers=None):
    h = {"Host": "127.0.0.1", "Connection": "close", "Content-Length": str(len(body))}
    h.update(headers or {})
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n"
    return head.encode("latin-1", "replace") + body


ROUTES = ["/v1/embeddings", "/embed", "/v1/indexes", "/v1/indexes/idx", "/v1/indexes/idx/search",
          "/v1/indexes/idx/demonstrations", "/v1/indexes/idx/examples", "/v1/indexes/idx/examples/3",
          "/health", "/metrics", "/v1/models", "/v1/indexes/nope/search", "/", "/v1/embeddings/x"]
FIELDS = ["input", "inputs", "text", "texts", "vector", "vectors", "k", "per_class", "label", "split", "exclude_ids",
          "queries", "policy", "filter_rate", "num_sample", "lambda", "count", "order", "seed", "template",
          "label_words", "special_tokens", "encoding_format", "model", "normalize", "truncate", "examples", "text_b", "id"]
WEIRD = ["", "\u0000", "\ud800", "\udfff", "\U0010ffff", "\ufffe", "e\u0301", "\u202e", "🙂" * 500, "a" * 100_000,
         "[CLS] [SEP] [MASK]", "\t\n\r", "null", "*cls**sent_9**mask*", "*", "{}", "\\", "\u3000", "Ⅻ", "ﬁ"]


def random_value(rng, depth=0):
    kind = rng.randrange(12 if depth < 3 else 7)
    if kind == 0: return None
    if kind == 1: return rng.choice([True, False])
    if kind == 2: return rng.choice([0, -1, 1, 2**31, 2**63, -2**63, 10**30, 3])
    if kind == 3: return rng.choice([0.5, -0.0, 1e308, -1e-320, 1.5, 2.5])
    if kind in (4, 5, 6): return rng.choice(WEIRD)
    if kind in (7, 8): return [random_value(rng, depth + 1) for _ in range(rng.randrange(5))]
    return {rng.choice(FIELDS): random_value(rng, depth + 1) for _ in range(rng.randrange(5))}


def fuzz_body(rng):
    k = rng.randrange(10)
    if k == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(200)))
    if k == 1:
        n = rng.choice([1000, 100_000, 1_000_000])
        return b"[" * n + b"]" * (n if rng.random() < 0.5 else 0)
    if k == 2:
        good = json.dumps({"input": ["a gripping thriller"] * 3}).encode()
        return good[:rng.randrange(len(good))]
    if k == 3:
        return b'{"input": "\\ud800\\udc00\\u0000 \xff\xfe overlong \xc0\xaf"}'
    if k == 4:
        return json.dumps({"input": [rng.choice(WEIRD) for _ in range(rng.randrange(1, 100))]}).encode()
    if k == 5:
        return b"1" * rng.choice([10, 10_000]) + b"e999999"
    obj = {rng.choice(FIELDS): random_value(rng) for _ in range(rng.randrange(1, 6))}
    return json.dumps(obj, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--exemplar", default=str(ROOT / ".build" / "release" / "exemplar"))
    ap.add_argument("--index", default=str(ROOT / "indexes" / "sst-2"), help="a built index to copy and serve")
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=8)
    a = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="fuzz-serve-"))
    idx = tmp / "idx"
    shutil.copytree(a.index, idx, ignore=shutil.ignore_patterns("16-42"))
    definition = json.loads((Path(a.index) / "index.json").read_text())
    definition["data"] = str((Path(a.index) / definition["data"]).resolve())
    (idx / "index.json").write_text(json.dumps(definition))
    server = subprocess.Popen([a.exemplar, "serve", "--port", "0", "--index", str(idx), "--max-body", "1048576",
                               "--timeout", "5"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    line = server.stderr.readline()
    import re
    found = re.search(r"http://[^:/]+:(\d+)", line)
    if not found:
        server.kill()
        sys.exit(f"fuzz-serve: the server did not start: {line.strip()}")
    port = int(found.group(1))
    threading.Thread(target=lambda: [None for _ in server.stderr], daemon=True).start()
    log(f"server pid {server.pid} on port {port}; fuzzing for {a.minutes} min with {a.workers} workers (seed {a.seed})")

    reference = None
    statuses = collections.Counter()
    failures = []
    lock = threading.Lock()
    end = time.time() + a.minutes * 60

    def check_valid():
        nonlocal reference
        st, body = raw(port, request("POST", "/v1/embeddings", json.dumps({"input": "a gripping thriller"}).encode(),
                                     {"Content-Type": "application/json"}))
        if st != 200:
            return f"valid request got {st}"
        vec = json.loads(body)["data"][0]["embedding"]
        if reference is None:
            reference = vec
        elif max(abs(x - y) for x, y in zip(vec, reference)) > 1e-6:
            return "valid request got a different vector"
        return None

    def worker(w):
        rng = random.Random(a.seed * 1000 + w)
        while time.time() < end and server.poll() is None:
            kind = rng.randrange(20)
            try:
                if kind == 0:      # slow client: headers a few bytes at a time
                    st, _ = raw(port, request("POST", "/v1/embeddings", b'{"input": "slow"}'), pause=(7, 0.05), timeout=20)
                elif kind == 1:    # abandoned: half a request, then gone
                    raw(port, request("POST", "/embed", b'{"inputs": "x"}', {"Content-Length": "5000"})[:60], read=False)
                    st = "abandoned"
                elif kind == 2:    # lying Content-Length, huge declared body
                    st, _ = raw(port, request("POST", "/v1/embeddings", b"{}", {"Content-Length": str(rng.choice([10**9, 2**40]))}), timeout=15)
                elif kind == 3:    # body over --max-body
                    st, _ = raw(port, request("POST", "/v1/embeddings", b" " * 1_200_000 + b"{}"))
                elif kind == 4:    # garbage request line / headers
                    st, _ = raw(port, bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))) + b"\r\n\r\n")
                elif kind == 5:    # random method and path
                    st, _ = raw(port, request(rng.choice(["GET", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "BREW"]),
                                              rng.choice(ROUTES) + rng.choice(["", "?x=1", "/..", "%00", "/" + "a" * 5000]), b""))
                elif kind == 6:    # chunked garbage
                    st, _ = raw(port, b"POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n")
                elif kind == 7:
                    err = check_valid()
                    st = "valid-ok" if err is None else "valid-FAIL"
                    if err:
                        with lock: failures.append(err)
                elif kind == 8:    # wrong auth header (no token configured: ignored or 4xx, never 5xx)
                    st, _ = raw(port, request("GET", "/v1/indexes", b"", {"Authorization": "Bearer " + "x" * 10000}))
                else:              # fuzzed JSON at a random route
                    body = fuzz_body(rng)
                    st, _ = raw(port, request(rng.choice(["POST", "POST", "POST", "GET", "DELETE"]), rng.choice(ROUTES), body,
                                              {"Content-Type": rng.choice(["application/json", "text/plain", "x"])}))
            except (socket.timeout, OSError) as e:
                st = f"client-{type(e).__name__}"
            with lock:
                statuses[st] += 1
                if isinstance(st, int) and st >= 500:
                    failures.append(f"{st} from kind {kind}")

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(a.workers)]
    for t in threads: t.start()
    last = time.time()
    while any(t.is_alive() for t in threads):
        time.sleep(1)
        if time.time() - last > 60:
            last = time.time()
            log(f"{sum(statuses.values())} requests so far; server {'up' if server.poll() is None else 'DOWN'}")
    alive = server.poll() is None
    final = check_valid() if alive else "server exited"
    health = raw(port, request("GET", "/health"))[0] if alive else None
    if alive:
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill(); code = "killed after 20 s"
    else:
        code = server.returncode
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"fuzz-serve: {sum(statuses.values())} requests in {a.minutes} min, seed {a.seed}")
    print("statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))))
    print(f"server alive at the end: {alive}; final valid request: {'ok' if final is None else final}; /health {health}; "
          f"exit after SIGTERM: {code}")
    if failures or not alive or final is not None or health != 200:
        print("FAILURES: " + "; ".join(failures[:20]))
        sys.exit(1)
    print("fuzz-serve: OK")


if __name__ == "__main__":
    main()

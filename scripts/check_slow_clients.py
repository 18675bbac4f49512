"""Slow and oversized clients against `exemplar serve` (run it through scripts/check-slow-clients).

1. Slowloris: N connections from 127.0.0.2 send a request line and then one header byte per
   connection per second; every 3 s a fresh client on 127.0.0.1 asks for /health with a 1 s
   timeout. Run twice: with the default per-address limit (128: the rest are refused at accept)
   and with --max-connections-per-address 0 (all N held open by the epoll threads).
2. A 4 MB body with the default --max-body (2 MB): the client reads a JSON 413.
3. The same with --max-body 4194304: answered 200.
Prints one line per check and exits 1 if any fails.
"""
import argparse
import json
import re
import socket
import subprocess
import sys
import threading
import time


def start(exemplar, extra):
    server = subprocess.Popen([exemplar, "serve", "--port", "0", "--reload-interval", "0", *extra],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    line = server.stderr.readline()
    found = re.search(r"http://[^:/]+:(\d+)", line)
    if not found:
        server.kill()
        sys.exit(f"check-slow-clients: the server did not start: {line.strip()}")
    threading.Thread(target=lambda: [None for _ in server.stderr], daemon=True).start()
    return server, int(found.group(1))


def http(port, method, path, body=b"", timeout=1.0):
    """One request on a fresh connection: (status, body, seconds); status None on timeout or reset."""
    t0 = time.monotonic()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        head = f"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {len(body)}\r\n"
        s.sendall((head + "Content-Type: application/json\r\n\r\n").encode() + body)
        chunks = []
        while True:
            c = s.recv(65536)
            if not c:
                break
            chunks.append(c)
        s.close()
        data = b"".join(chunks)
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.") else None
        return status, data.split(b"\r\n\r\n", 1)[-1], time.monotonic() - t0
    except OSError as e:
        return None, str(e).encode(), time.monotonic() - t0


def slowloris(exemplar, model, connections, seconds, per_address):
    extra = ["--model", model, "--timeout", "30"] + ([] if per_address is None else ["--max-connections-per-address", str(per_address)])
    server, port = start(exemplar, extra)
    slow = []
    refused = 0
    for _ in range(connections):
        try:
            s = socket.socket()
            s.bind(("127.0.0.2", 0))
            s.settimeout(2)
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            slow.append(s)
        except OSError:
            refused += 1
    probes = []
    end = time.monotonic() + seconds
    next_probe = time.monotonic() + 1
    while time.monotonic() < end:
        for s in list(slow):
            try:
                s.sendall(b"a")
            except OSError:
                slow.remove(s)
                refused += 1
        if time.monotonic() >= next_probe:
            status, _, took = http(port, "GET", "/health", timeout=1.0)
            probes.append((status, took))
            next_probe += 3
        time.sleep(1)
    held = len(slow)
    for s in slow:
        s.close()
    server.terminate()
    server.wait(timeout=30)
    ok = [p for p in probes if p[0] == 200 and p[1] < 1.0]
    worst = max((p[1] for p in probes), default=0)
    label = "default" if per_address is None else str(per_address)
    print(f"slowloris  per-address limit {label:>7}: {connections} dribbling from 127.0.0.2 ({held} held, {refused} refused or closed); "
          f"/health probes answered within 1 s: {len(ok)}/{len(probes)}, slowest {worst * 1000:.0f} ms")
    return len(probes) > 0 and len(ok) == len(probes)


def big_body(exemplar, model, max_body):
    extra = ["--model", model] + ([] if max_body is None else ["--max-body", str(max_body)])
    server, port = start(exemplar, extra)
    text = "word " * ((4 << 20) // 5 - 10)
    body = json.dumps({"inputs": text}).encode()
    status, reply, took = http(port, "POST", "/embed", body, timeout=120)
    server.terminate()
    server.wait(timeout=30)
    expected = 413 if max_body is None else 200
    good = status == expected and (expected == 200 or b'"error"' in reply)
    label = "default (2 MB)" if max_body is None else f"{max_body}"
    print(f"4 MB body  --max-body {label:>14}: status {status} in {took:.1f} s (expected {expected}{', JSON error' if expected == 413 else ''})")
    return good


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--exemplar", required=True)
    ap.add_argument("--model", default=None, help="model folder (default $EXEMPLAR_MODEL)")
    ap.add_argument("--connections", type=int, default=300)
    ap.add_argument("--seconds", type=float, default=36)
    a = ap.parse_args()
    import os
    model = a.model or os.environ["EXEMPLAR_MODEL"]
    results = [
        slowloris(a.exemplar, model, a.connections, a.seconds, None),
        slowloris(a.exemplar, model, a.connections, a.seconds, 0),
        big_body(a.exemplar, model, None),
        big_body(a.exemplar, model, 4 << 20),
    ]
    if not all(results):
        sys.exit("check-slow-clients: FAILED")
    print("check-slow-clients: all passed")


if __name__ == "__main__":
    main()

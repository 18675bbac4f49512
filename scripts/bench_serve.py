"""Load benchmark for `exemplar serve` (run it through scripts/bench-serve).

Starts `exemplar serve --port 0`, then for each concurrency level keeps that many keep-alive
connections busy (one request in flight on each, all driven by one thread) with one-sentence
POST /v1/embeddings requests (the sentences cycled) for --duration seconds after a short warm-up. Reports p50/p99 latency and
requests/s per level. Then runs --rounds rounds that alternate the top level (32 clients) with
`exemplar embed` on the same sentences (one process, all at once; its sentences/s without model
load: a 1-sentence run is subtracted), and reports the service/CLI ratio of each round and their
median: on a shared 2-core machine the rates drift by 10% within minutes, so a ratio is only
meaningful between measurements taken back to back. Standard library only.
"""
import argparse
import http.client
import json
import os
import selectors
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_common import append_report, git_commit, machine, utc_now, wait_for_port

ROOT = Path(__file__).resolve().parent.parent


def log(msg):
    print(f"bench-serve: {msg}", file=sys.stderr, flush=True)


def fixture_sentences():
    """Short SST-2-style sentences from the committed fixtures and the sample file
    (`--sentences fixtures`; the default before 2026-11-28 15:20)."""
    out = []
    for path in sorted((ROOT / "Tests/Fixtures/data").rglob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            cols = line.split("\t")
            out += [c for c in cols if len(c.split()) >= 3]
    out += [l for l in (ROOT / "scripts/sample-sentences.txt").read_text(encoding="utf-8").splitlines() if l.strip()]
    return sorted(set(out))


def default_sentences():
    """The first 2,000 sentences of ../shared/data/original/SST-2/train.tsv, the encoder
    benchmark's data, when it is there; else the fixtures' sentences."""
    sst2 = ROOT.parent / "shared" / "data" / "original" / "SST-2" / "train.tsv"
    if sst2.exists():
        return [l.split("\t")[0] for l in sst2.read_text(encoding="utf-8").splitlines()[1:2001]]
    return fixture_sentences()


def percentile(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


class Client:
    """One keep-alive connection of the load generator: sends a request, collects the response
    by its Content-Length, and records (status, seconds)."""

    def __init__(self, port):
        self.port = port
        self.connect()

    def connect(self):
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)

    def send(self, request):
        self.buf, self.need, self.t0 = b"", None, time.perf_counter()
        self.sock.setblocking(True)
        self.sock.sendall(request)
        self.sock.setblocking(False)

    def receive(self):
        """The response's status once it is whole, else None; raises OSError when the server closed."""
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("closed by the server")
        self.buf += chunk
        if self.need is None:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return None
            head = self.buf[:end].decode("latin-1").lower().split("\r\n")
            length = next((int(h.split(":", 1)[1]) for h in head[1:] if h.startswith("content-length:")), 0)
            self.status, self.need = int(head[0].split()[1]), end + 4 + length
        return self.status if len(self.buf) >= self.need else None


def load(port, sentences, concurrency, duration, warmup=0.5):
    """Latencies (s) of requests completed in the measured window, the window length, and the
    number of failed requests. `concurrency` keep-alive connections, each with one request in
    flight, driven by one thread with a selector, so the load generator takes little of the
    cores it shares with the server (32 http.client threads took several times more)."""
    requests = []
    for text in sentences:
        body = json.dumps({"input": text}).encode()
        requests.append(b"POST /v1/embeddings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        b"Content-Length: %d\r\n\r\n" % len(body) + body)
    start = time.perf_counter() + warmup
    end = start + duration
    lat, errors = [], 0
    selector = selectors.DefaultSelector()
    clients = []
    for w in range(concurrency):
        client = Client(port)
        client.next = w
        clients.append(client)

    def issue(client):
        client.send(requests[client.next % len(requests)])
        client.next += concurrency
        selector.register(client.sock, selectors.EVENT_READ, client)

    for client in clients:
        issue(client)
    active = len(clients)
    while active:
        events = selector.select(timeout=60)
        if not events:
            raise SystemExit("bench-serve: no response for 60 s")
        for key, _ in events:
            client = key.data
            try:
                status = client.receive()
                if status is None:
                    continue
                ok = status == 200
            except OSError:
                ok = False
                selector.unregister(client.sock)
                client.sock.close()
                client.connect()
                selector.register(client.sock, selectors.EVENT_READ, client)
            t1 = time.perf_counter()
            if not ok:
                errors += 1
            elif client.t0 >= start:
                lat.append(t1 - client.t0)
            selector.unregister(client.sock)
            if t1 >= end:
                client.sock.close()
                active -= 1
            else:
                issue(client)
    return lat, duration, errors


class CLI:
    """`exemplar embed` on a fixed list of sentences: its sentences/s without model load (the
    fastest of two 1-sentence runs is subtracted from each full run)."""

    def __init__(self, exemplar, model_args, sentences, work):
        self.exemplar, self.model_args, self.sentences, self.work = exemplar, model_args, sentences, work
        self.one = min(self._run(sentences[:1]) for _ in range(2))

    def _run(self, texts):
        src = Path(self.work) / f"in-{len(texts)}.txt"
        src.write_text("\n".join(texts) + "\n", encoding="utf-8")
        t0 = time.perf_counter()
        subprocess.run([self.exemplar, "embed", *self.model_args, "--input", str(src), "--output", str(Path(self.work) / "out.npy")],
                       check=True, stderr=subprocess.DEVNULL)
        return time.perf_counter() - t0

    def rate(self):
        """One full run: (sentences/s without model load, seconds with it)."""
        full = self._run(self.sentences)
        return (len(self.sentences) - 1) / max(full - self.one, 1e-9), full


def level_row(concurrency, lat, window, errors):
    row = (concurrency, len(lat), len(lat) / window, percentile(lat, 50) * 1e3, percentile(lat, 99) * 1e3, errors)
    log(f"concurrency {concurrency}: {row[2]:.1f} req/s, p50 {row[3]:.2f} ms, p99 {row[4]:.2f} ms, {errors} errors")
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--exemplar", required=True)
    ap.add_argument("--model", help="model folder (default: exemplar's)")
    ap.add_argument("--duration", type=float, default=10.0, help="measured seconds per concurrency level")
    ap.add_argument("--concurrency", default="1,8,32")
    ap.add_argument("--sentences", help="one sentence per line, or 'fixtures' for the committed fixtures' short sentences (default: the first 2,000 of ../shared/data/original/SST-2/train.tsv, else the fixtures')")
    ap.add_argument("--cli-sentences", type=int, default=2000, help="sentences for the CLI run (the list cycled)")
    ap.add_argument("--rounds", type=int, default=5, help="rounds alternating the top concurrency level with a CLI run (default 5)")
    ap.add_argument("--no-write", action="store_true", help="do not append to BENCHMARKS.md")
    args = ap.parse_args()
    if args.sentences == "fixtures":
        sentences = fixture_sentences()
    elif args.sentences:
        sentences = [l for l in Path(args.sentences).read_text(encoding="utf-8").splitlines() if l.strip()]
    else:
        sentences = default_sentences()
    levels = [int(c) for c in args.concurrency.split(",")]
    model_args = ["--model", args.model] if args.model else []

    with tempfile.TemporaryDirectory() as work:
        log_path = Path(work) / "serve.log"
        # An index the server serves and a build adds to while the load runs.
        index = Path(work) / "idx"
        index.mkdir()
        data = index / "data.jsonl"
        (index / "index.json").write_text(json.dumps({"data": "data.jsonl"}) + "\n")
        data.write_text("".join(json.dumps({"text": t, "label": "ab"[i % 2]}) + "\n" for i, t in enumerate(sentences[:200])))
        subprocess.run([args.exemplar, "build", str(index), *model_args], check=True, stdout=subprocess.DEVNULL)
        cli_texts = [sentences[i % len(sentences)] for i in range(args.cli_sentences)]
        cli = CLI(args.exemplar, model_args, cli_texts, work)
        server = subprocess.Popen([args.exemplar, "serve", *model_args, "--port", "0", "--index", str(index)],
                                  stderr=open(log_path, "w"))
        try:
            port = wait_for_port(server, log_path, "bench-serve")
            rows = []
            for c in levels[:-1]:
                lat, window, errors = load(port, sentences, c, args.duration)
                rows.append(level_row(c, lat, window, errors))
            # The top level alternates with CLI runs; its row pools the rounds' requests.
            top, pooled, pooled_errors, rounds = levels[-1], [], 0, []
            for r in range(max(1, args.rounds)):
                lat, window, errors = load(port, sentences, top, args.duration)
                pooled += lat
                pooled_errors += errors
                served = len(lat) / window
                rate, full = cli.rate()
                rounds.append((served, rate, served / rate))
                log(f"round {r + 1}: service {served:.1f} req/s at concurrency {top}, exemplar embed {rate:.1f} sentences/s "
                    f"({full:.2f} s with model load): {served / rate:.2f}x")
            rows.append(level_row(top, pooled, args.duration * len(rounds), pooled_errors))
            # While serving: `exemplar build` adds 2,000 rows to the index the server has open.
            with open(data, "a", encoding="utf-8") as f:
                for i in range(2000):
                    f.write(json.dumps({"text": f"{sentences[i % len(sentences)]} (added {i})", "label": "ab"[i % 2]}) + "\n")
            t0 = time.perf_counter()
            build = subprocess.Popen([args.exemplar, "build", str(index), *model_args], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
            lat, window, build_errors = load(port, sentences, 8, args.duration)
            build_rc = build.wait()
            build_s = time.perf_counter() - t0
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/v1/indexes/idx")
            after = conn.getresponse().status
            conn.close()
            during = (len(lat), len(lat) / window, percentile(lat, 99) * 1e3, build_errors, build_rc, build_s, after)
            log(f"during a build (exit {build_rc}, {build_s:.1f} s): {during[1]:.1f} req/s at concurrency 8, "
                f"p99 {during[2]:.2f} ms, {build_errors} errors; GET /v1/indexes/idx afterwards: {after}")
        finally:
            server.terminate()
            server.wait(timeout=30)

    table = ["| client concurrency | requests | requests/s | p50 ms | p99 ms | errors |", "|---:|---:|---:|---:|---:|---:|"]
    table += [f"| {c} | {n} | {r:.1f} | {p50:.2f} | {p99:.2f} | {e} |" for c, n, r, p50, p99, e in rows]
    ratios = sorted(x for *_, x in rounds)
    median = ratios[len(ratios) // 2] if len(ratios) % 2 else (ratios[len(ratios) // 2 - 1] + ratios[len(ratios) // 2]) / 2
    summary = (f"Service at concurrency {top} against `exemplar embed` on {len(cli_texts)} of the same sentences (model load "
               f"excluded), run back to back in {len(rounds)} rounds: "
               + "; ".join(f"{s:.1f} one-sentence requests/s vs {c:.1f} sentences/s = {x:.2f}x" for s, c, x in rounds)
               + f". Median ratio **{median:.2f}x** (range {ratios[0]:.2f}-{ratios[-1]:.2f}).")
    summary += (f" While `exemplar build` added 2,000 rows to an index the server has open (build exit {during[4]}, "
                f"{during[5]:.1f} s), the service answered {during[0]} one-sentence requests at concurrency 8 "
                f"({during[1]:.1f}/s, p99 {during[2]:.1f} ms) with {during[3]} errors; GET /v1/indexes/idx afterwards: {during[6]}.")
    print("\n".join(table) + "\n\n" + summary)
    if not args.no_write:
        section = (f"## Service: {utc_now()}, exemplar {git_commit()}\n\n"
                   f"Command: `{os.environ.get('BENCH_SERVE_COMMAND', 'scripts/bench-serve')}`. Machine: {machine()}. "
                   f"{len(sentences)} distinct sentences, "
                   f"{args.duration:g} s per level ({len(rounds)} rounds at {top}), one keep-alive connection per client, load generator (one thread) on the same machine.\n\n"
                   + "\n".join(table) + "\n\n" + summary + "\n")
        log(f"appended to {append_report(section)}")


if __name__ == "__main__":
    main()

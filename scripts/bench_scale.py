"""Scale benchmark: build, open, memory and per-class search of 1 M- and 10 M-row indexes built
from vectors, against faiss on the same vectors and queries. Run it through scripts/bench-scale.

For each --rows N (data from bench_scale_data.py: real all-MiniLM-L6-v2 embeddings of every
sentence in ../shared/data, then noisy copies of them; queries are 1,000 further noisy copies):

1. build: `exemplar build DIR --vectors train.npy --vectors-check 0` from nothing (unless
   --reuse), timed, with the build's peak anonymous memory (RssAnon polled every 0.1 s);
   disk per row (allocated blocks of DIR/data);
2. open: `exemplar info DIR --json` wall time (a whole process), and `exemplar serve` until it
   answers /health, with RssAnon after opening and after the searches (mapped files excluded);
3. search over HTTP, one keep-alive connection: per-class top-10 of one query vector
   (`"exact": true`), and one batched request of --batch query vectors;
4. with --ann KIND: `exemplar build DIR --ann KIND`, then (once the server's warm-up has read
   the mapped lists into the page cache, `exemplar_warm_up_done` in /metrics) the same single
   queries through the approximate partitions, recall@10 per class against the exact answers;
5. with --edits N: N online additions (text embedded by the server) and N deletions, and
   searches while another connection keeps adding (run last: they change the index);
6. the anchor, after the server has stopped: faiss IndexFlatIP per label on the same vectors
   (and with --ann the same faiss index type and parameters), same queries, in process,
   2 threads; whether its top-10 ids are exemplar's.

Appends a section to BENCHMARKS.md unless --no-write.
"""
import argparse
import http.client
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import types
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_common import append_report, git_commit, machine, utc_now, wait_for_port  # noqa: E402
from bench_index_search import edits, percentile, proc_status, request  # noqa: E402
import bench_scale_data  # noqa: E402


def log(msg):
    print(f"bench-scale: {msg}", file=sys.stderr, flush=True)


def run_watched(cmd):
    """Runs cmd; returns (wall seconds, peak RssAnon MiB, stdout)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    peak = [0.0]
    done = threading.Event()

    def watch():
        while not done.is_set():
            try:
                peak[0] = max(peak[0], proc_status(proc.pid).get("RssAnon", 0))
            except OSError:
                pass
            time.sleep(0.1)

    t = threading.Thread(target=watch)
    t.start()
    out, _ = proc.communicate()
    done.set()
    t.join()
    if proc.returncode != 0:
        sys.exit(f"bench-scale: {' '.join(cmd)} failed ({proc.returncode})")
    return time.perf_counter() - t0, peak[0], out


def disk_bytes(folder):
    total = 0
    for root, _, files in os.walk(folder):
        for f in files:
            total += os.stat(os.path.join(root, f)).st_blocks * 512
    return total


def per_class_ids(payload):
    """[[ids of label 0], [ids of label 1], ...] of one per-class answer."""
    return [[h["id"] for h in r["hits"]] for r in payload["results"]]


def search_phase(port, name, queries, args, exact, single):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    path = f"/v1/indexes/{name}/search"
    base = {"k": 10, "per_class": True}
    if exact:
        base["exact"] = True
    else:
        # Left out unless given: exemplar then uses each partition's setting, tuned at build.
        base.update({k: v for k, v in (("nprobe", args.nprobe), ("ef_search", args.ef_search)) if v is not None})
    for q in queries[:3]:
        request(conn, "POST", path, dict(base, vector=q.tolist()))
    times, ids = [], []
    for q in queries[:single]:
        ms, payload = request(conn, "POST", path, dict(base, vector=q.tolist()))
        times.append(ms)
        ids.append(per_class_ids(json.loads(payload)))
    warm = None
    if not exact:
        # The same queries again: their lists, rows and records are in the page cache now.
        warm = []
        for q in queries[:single]:
            ms, _ = request(conn, "POST", path, dict(base, vector=q.tolist()))
            warm.append(ms)
    batched = None
    if exact:
        batch = queries[: args.batch].tolist()
        best = None
        for _ in range(2):
            ms, payload = request(conn, "POST", path, dict(base, vectors=batch))
            best = ms if best is None else min(best, ms)
        batched = (best, [per_class_ids(r) for r in json.loads(payload)["queries"]])
    return times, ids, batched, warm


def wait_for_warm_up(port, timeout=900):
    """Polls /metrics until exemplar_warm_up_done is 1; returns (seconds waited, bytes of lists read)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        conn.request("GET", "/metrics")
        lines = conn.getresponse().read().decode().splitlines()
        if "exemplar_warm_up_done 1" in lines:
            done = next((l for l in lines if l.startswith("exemplar_warm_up_bytes_total ")), "x 0")
            return time.perf_counter() - t0, int(done.split()[1])
        time.sleep(0.2)
    sys.exit(f"bench-scale: the server's warm-up did not finish in {timeout} s")


def recall(approx, exact):
    hit = total = 0
    for a, e in zip(approx, exact):
        for la, le in zip(a, e):
            hit += len(set(la) & set(le))
            total += len(le)
    return hit / max(1, total)


def faiss_anchor(folder, queries, args, single, exact_single, exact_batched, ann_kind, ann_lists, tuned):
    """faiss on the same vectors: IndexFlatIP per label, and with ann_kind the same index type
    trained on the same evenly spread rows as exemplar (max(65,536, 40 per list)), searched with
    the same nprobe / efSearch (given, else the partition's tuned one from `info`: `tuned`)."""
    import faiss
    faiss.omp_set_num_threads(2)
    vectors = np.load(folder / "train.npy", mmap_mode="r")
    labels = np.loadtxt(folder / "labels.txt", dtype=np.int64)
    q = np.ascontiguousarray(queries / np.linalg.norm(queries, axis=1, keepdims=True), dtype=np.float32)
    out = {"faiss": faiss.__version__}
    single_ms = np.zeros(single)
    batched_s = 0.0
    flat_ids_single = [[] for _ in range(single)]
    flat_ids_batched = [[] for _ in range(args.batch)]
    ann_ms = np.zeros(single)
    ann_ids = [[] for _ in range(single)]
    for label in sorted(set(labels.tolist())):
        rows = np.flatnonzero(labels == label)
        part = np.ascontiguousarray(vectors[rows], dtype=np.float32)
        part /= np.linalg.norm(part, axis=1, keepdims=True)
        index = faiss.IndexFlatIP(part.shape[1])
        index.add(part)
        for i in range(single):
            t0 = time.perf_counter()
            _, I = index.search(q[i:i + 1], 10)
            single_ms[i] += (time.perf_counter() - t0) * 1e3
            flat_ids_single[i].append(rows[I[0]].tolist())
        best = None
        for _ in range(2 if len(labels) <= 2_000_000 else 1):
            t0 = time.perf_counter()
            _, I = index.search(q[: args.batch], 10)
            best = (time.perf_counter() - t0) if best is None else min(best, time.perf_counter() - t0)
        batched_s += best
        for i in range(args.batch):
            flat_ids_batched[i].append(rows[I[i]].tolist())
        del index
        if ann_kind:
            d = part.shape[1]
            t0 = time.perf_counter()
            setting = tuned.get(str(label), {})
            if ann_kind == "hnsw":
                ann = faiss.IndexHNSWFlat(d, args.links, faiss.METRIC_INNER_PRODUCT)
                ann.hnsw.efSearch = args.ef_search or setting.get("ef_search", 64)
            else:
                lists = ann_lists or int(4 * np.sqrt(len(rows)))
                quantizer = faiss.IndexFlatIP(d)
                ann = (faiss.IndexIVFFlat(quantizer, d, lists, faiss.METRIC_INNER_PRODUCT) if ann_kind == "ivf-flat"
                       else faiss.IndexIVFScalarQuantizer(quantizer, d, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT))
                sampled = min(len(rows), max(65_536, 40 * lists))
                ann.train(np.ascontiguousarray(part[np.arange(sampled) * len(rows) // sampled]))
                ann.nprobe = args.nprobe or setting.get("nprobe", 16)
            ann.add(part)
            out.setdefault("ann_build_s", 0.0)
            out["ann_build_s"] += time.perf_counter() - t0
            for i in range(single):
                t0 = time.perf_counter()
                _, I = ann.search(q[i:i + 1], 10)
                ann_ms[i] += (time.perf_counter() - t0) * 1e3
                ann_ids[i].append(rows[I[0]].tolist())
            del ann
        del part
    out.update({"single_p50": percentile(single_ms.tolist(), 50), "single_p90": percentile(single_ms.tolist(), 90),
                "batched_s": batched_s,
                "same_as_exemplar_single": recall(exact_single, flat_ids_single),
                "same_as_exemplar_batched": recall(exact_batched, flat_ids_batched)})
    if ann_kind:
        out.update({"ann_p50": percentile(ann_ms.tolist(), 50), "ann_recall": recall(ann_ids, exact_single)})
    return out


def bench(rows, args, exemplar):
    folder = Path(args.work) / f"rows-{rows}"
    if not (folder / "train.npy").exists():
        log(f"writing {rows:,} rows to {folder} ...")
        bench_scale_data.rows(args.work, folder, rows)
    name = folder.name
    result = {"rows": rows}
    if args.reuse and (folder / "data" / "data.mdb").exists():
        log(f"reusing the build in {folder}/data (--reuse): no build time measured")
    else:
        shutil.rmtree(folder / "data", ignore_errors=True)
        shutil.rmtree(folder / "ann", ignore_errors=True)
        log(f"building {name} from its vectors ...")
        wall, peak, _ = run_watched([exemplar, "build", str(folder), "--vectors", str(folder / "train.npy"), "--vectors-check", "0", "--json"])
        result.update(build_s=wall, build_peak_anon=peak)
        log(f"built in {wall:.1f} s, peak RssAnon {peak:.0f} MiB")
    result["disk_per_row"] = disk_bytes(folder / "data") / rows
    result["info_s"], _, _ = run_watched([exemplar, "info", str(folder), "--json"])
    queries = np.load(folder / "queries.npy")
    single = args.single if rows <= 2_000_000 else args.single_large
    with tempfile.TemporaryDirectory() as work:
        log_path = Path(work) / "serve.log"
        t0 = time.perf_counter()
        server = subprocess.Popen([exemplar, "serve", "--port", "0", "--max-body", "67108864", "--index", str(folder)], stderr=open(log_path, "w"))
        try:
            port = wait_for_port(server, log_path, "bench-scale", timeout=600)
            result["ready_s"] = time.perf_counter() - t0
            result["anon_open"] = proc_status(server.pid).get("RssAnon", 0)
            log(f"server ready in {result['ready_s']:.2f} s, RssAnon {result['anon_open']:.0f} MiB")
            times, exact_ids, batched, _ = search_phase(port, name, queries, args, True, single)
            result.update(exact_p50=percentile(times, 50), exact_p90=percentile(times, 90), batched_ms=batched[0])
            result["anon_search"] = proc_status(server.pid).get("RssAnon", 0)
            log(f"exact per-class top-10: p50 {result['exact_p50']:.1f} ms; {args.batch} batched: {batched[0]:.0f} ms")
        finally:
            server.terminate()
            server.wait()
    if args.ann:
        log(f"building --ann {args.ann} ...")
        wall, peak, _ = run_watched([exemplar, "build", str(folder), "--ann", args.ann, "--json"]
                                    + (["--ann-lists", str(args.ann_lists)] if args.ann_lists else [])
                                    + (["--ann-links", str(args.links)] if args.ann == "hnsw" else []))
        result.update(ann_build_s=wall, ann_build_peak_anon=peak, ann_disk=disk_bytes(folder / "ann"))
        _, _, info = run_watched([exemplar, "info", str(folder), "--json"])
        result["tuned"] = {p["label"]: {k: p[k] for k in ("nprobe", "ef_search", "recall_at_10") if k in p}
                           for p in json.loads(info)["ann"]["partitions"]}
        log(f"ann partitions: {result['tuned']}")
    if args.ann or args.edits:
        with tempfile.TemporaryDirectory() as work:
            log_path = Path(work) / "serve.log"
            server = subprocess.Popen([exemplar, "serve", "--port", "0", "--max-body", "67108864", "--index", str(folder)], stderr=open(log_path, "w"))
            try:
                port = wait_for_port(server, log_path, "bench-scale", timeout=600)
                if args.ann:
                    # serve reads the mapped ANN lists into the page cache in the background after
                    # it starts; the queries below are timed once that has finished (/metrics).
                    result["warm_s"], result["warm_bytes"] = wait_for_warm_up(port)
                    log(f"server warm-up: {result['warm_bytes'] / 2**30:.2f} GiB of lists read in {result['warm_s']:.1f} s")
                    times, ann_ids, _, warm = search_phase(port, name, queries, args, False, single)
                    result.update(ann_p50=percentile(times, 50), ann_p90=percentile(times, 90), ann_recall=recall(ann_ids, exact_ids),
                                  ann_warm_p50=percentile(warm, 50), anon_ann=proc_status(server.pid).get("RssAnon", 0))
                    log(f"ann per-class top-10: p50 {result['ann_p50']:.2f} ms (the same queries again: {result['ann_warm_p50']:.2f} ms), recall@10 {result['ann_recall']:.3f}")
                if args.edits:
                    settings = types.SimpleNamespace(edits=args.edits, queries=min(args.queries_during_edits, len(queries)), k=10)
                    result["edits"] = edits(port, name, queries.tolist(), ["0", "1"], settings)
                    result["anon_edits"] = proc_status(server.pid).get("RssAnon", 0)
            finally:
                server.terminate()
                server.wait()
    if not args.no_anchor:
        log("anchor: faiss on the same vectors ...")
        result["anchor"] = faiss_anchor(folder, queries, args, single, exact_ids, batched[1],
                                        args.ann, args.ann_lists, result.get("tuned", {}))
    return result


def report(results, args):
    lines = [f"## Scale: {utc_now()}", "",
             f"- Command: `{args.command}` (exemplar {git_commit()}; {machine()})",
             "- Data: `scripts/bench_scale_data.py` (real all-MiniLM-L6-v2 vectors of every sentence in ../shared/data, "
             "the rest noisy copies of them at the measured nearest-neighbour scale; 2 labels; 1,000 held-out noisy queries).",
             "- Per-class top-10 = the best 10 of each of the 2 labels; exact over HTTP (`\"exact\": true`), one keep-alive connection; "
             "faiss in process on the same normalised vectors and queries, one index per label, 2 threads.", ""]
    lines += ["| rows | build s | build peak anon MiB | disk B/row | info s | serve ready s | serve anon MiB (open / after searches) |",
              "|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        lines.append(f"| {r['rows']:,} | {r.get('build_s', float('nan')):.1f} | {r.get('build_peak_anon', float('nan')):.0f} | "
                     f"{r['disk_per_row']:.0f} | {r['info_s']:.2f} | {r['ready_s']:.2f} | {r['anon_open']:.0f} / {r['anon_search']:.0f} |")
    lines += ["", "| rows | exact single p50 ms (exemplar / faiss) | exact single p90 ms | batched exact (exemplar / faiss) | top-10 ids shared with faiss (single, batched) |",
              "|---:|---|---|---|---|"]
    for r in results:
        a = r.get("anchor", {})
        lines.append(f"| {r['rows']:,} | {r['exact_p50']:.1f} / {a.get('single_p50', float('nan')):.1f} "
                     f"({a.get('single_p50', float('nan')) / r['exact_p50']:.2f}x) | {r['exact_p90']:.1f} / {a.get('single_p90', float('nan')):.1f} | "
                     f"{args.batch} queries: {r['batched_ms'] / 1e3:.2f} s / {a.get('batched_s', float('nan')):.2f} s "
                     f"({a.get('batched_s', float('nan')) * 1e3 / r['batched_ms']:.2f}x) | "
                     f"{a.get('same_as_exemplar_single', float('nan')):.3f}, {a.get('same_as_exemplar_batched', float('nan')):.3f} |")
    if args.ann:
        setting = (f"nprobe {args.nprobe}" if args.nprobe else "") + (f" efSearch {args.ef_search}" if args.ef_search else "")
        lines += ["", f"Approximate (`--ann {args.ann}`, {setting or 'each partition at its tuned nprobe / efSearch'}; "
                  "faiss the same index type, training rows and parameters):", "",
                  "| rows | ann build s | ann disk MiB | serve warm-up s (lists read) | single p50 ms (exemplar / faiss) | exemplar p90 ms | the same queries again, p50 ms | recall@10 (exemplar / faiss) | serve anon MiB |",
                  "|---:|---:|---:|---|---|---:|---:|---|---:|"]
        for r in results:
            a = r.get("anchor", {})
            lines.append(f"| {r['rows']:,} | {r['ann_build_s']:.1f} | {r['ann_disk'] / 2**20:.0f} | "
                         f"{r['warm_s']:.1f} ({r['warm_bytes'] / 2**20:.0f} MiB) | {r['ann_p50']:.2f} / {a.get('ann_p50', float('nan')):.2f} | "
                         f"{r['ann_p90']:.2f} | "
                         f"{r['ann_warm_p50']:.2f} | {r['ann_recall']:.3f} / {a.get('ann_recall', float('nan')):.3f} | {r['anon_ann']:.0f} |")
            if r.get("tuned"):
                lines.append("")
                lines.append("Tuned at build (label: setting, recall@10 on 200 of its own rows): " + "; ".join(
                    f"{label}: " + ", ".join(f"{k} {v}" for k, v in t.items()) for label, t in r["tuned"].items()))
    for r in results:
        if "edits" in r:
            lines += ["", f"Online edits on the {r['rows']:,}-row index (one example per request, its text embedded by the server; "
                      f"serve anon afterwards {r['anon_edits']:.0f} MiB):", "",
                      "| operation | n | p50 ms | p90 ms | max ms |", "|---|---:|---:|---:|---:|"]
            lines += [f"| {label} | {n} | {p50:.2f} | {p90:.2f} | {mx:.2f} |" for label, n, p50, p90, mx in r["edits"]]
    # A figure not measured (no anchor, a reused build) reads "n/a", not "nan".
    return re.sub(r"\bnan(x| s)?\b", "n/a", "\n".join(lines)) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exemplar", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--rows", default="1000000,10000000")
    ap.add_argument("--single", type=int, default=100, help="single queries timed on indexes up to 2 M rows")
    ap.add_argument("--single-large", type=int, default=20, help="single queries timed on larger indexes")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--ann", choices=["ivf-flat", "ivf-sq8", "hnsw"])
    ap.add_argument("--ann-lists", type=int)
    ap.add_argument("--links", type=int, default=32)
    ap.add_argument("--nprobe", type=int, help="default: each partition's, tuned at build (faiss gets the same)")
    ap.add_argument("--ef-search", type=int, help="default: each partition's, tuned at build")
    ap.add_argument("--edits", type=int, default=0)
    ap.add_argument("--queries-during-edits", type=int, default=200)
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--no-anchor", action="store_true")
    ap.add_argument("--command", default="scripts/bench-scale")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    results = [bench(int(r), args, args.exemplar) for r in args.rows.split(",")]
    section = report(results, args)
    print(section)
    (Path(args.work) / "last-report.json").write_text(json.dumps(results, indent=1, default=str))
    if not args.no_write:
        log(f"appended to {append_report(section)}")


if __name__ == "__main__":
    main()

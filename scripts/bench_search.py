"""Exact top-k search benchmark: Exemplar (exemplar-bench search) vs faiss IndexFlatIP, same
vectors, same run. Run it through scripts/bench-search.

Vectors: n base and m query vectors drawn from a fixed-seed Gaussian mixture (clusters, so
neighbours are meaningful), L2-normalized, float32. Both engines rank by inner product
(= cosine). Single-query latency: each query searched alone, median and p90 over the m
queries. Batched: all m queries in one call, best of 3. Agreement: top-k ids of each engine
against the exact ranking computed in float64 with numpy; a differing id counts as a real
mismatch only when its float64 score differs from the exact k-th score by more than 1e-6
(a near-tie that float32 rounding may order either way).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_common import append_report, git_commit, machine, utc_now

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def log(msg):
    print(f"bench-search: {msg}", file=sys.stderr, flush=True)


def make_vectors(n, m, dim, seed=7):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((256, dim)).astype(np.float32)
    base = centers[rng.integers(0, 256, n)] + 0.8 * rng.standard_normal((n, dim)).astype(np.float32)
    queries = centers[rng.integers(0, 256, m)] + 0.8 * rng.standard_normal((m, dim)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    return base.astype(np.float32), queries.astype(np.float32)


def agreement(ids, exact_scores, k):
    """(queries with the exact id set, real mismatches beyond near-ties) for [m, k] ids."""
    same, real = 0, 0
    order = np.argsort(-exact_scores, axis=1, kind="stable")[:, :k]
    for q in range(ids.shape[0]):
        want = set(order[q].tolist())
        got = set(int(i) for i in ids[q])
        if got == want:
            same += 1
            continue
        kth = exact_scores[q, order[q, -1]]
        for i in got - want:
            if abs(exact_scores[q, i] - kth) > 1e-6:
                real += 1
    return same, real


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bench", default=str(ROOT / ".build" / "release" / "exemplar-bench"))
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()

    import faiss
    faiss.omp_set_num_threads(a.threads)
    log(f"vectors: {a.n} x {a.dim} base, {a.queries} queries (seeded Gaussian mixture, normalized)")
    base, queries = make_vectors(a.n, a.queries, a.dim)
    tmp = Path(tempfile.mkdtemp(prefix="bench-search-"))
    np.save(tmp / "base.npy", base)
    np.save(tmp / "queries.npy", queries)

    log("exemplar ...")
    out = subprocess.run([a.bench, "search", "--vectors", str(tmp / "base.npy"), "--queries", str(tmp / "queries.npy"),
                          "--k", str(a.k), "--threads", str(a.threads)], check=True, capture_output=True, text=True)
    ex = json.loads(out.stdout)
    ex_single = np.array(ex["single_ms"])
    ex_batched = ex["batched_s"]

    log("faiss IndexFlatIP ...")
    index = faiss.IndexFlatIP(a.dim)
    index.add(base)
    index.search(queries[:1], a.k)                      # warm-up
    fa_single, fa_ids_single = [], []
    for q in range(a.queries):
        t = time.perf_counter()
        _, I = index.search(queries[q:q + 1], a.k)
        fa_single.append((time.perf_counter() - t) * 1e3)
        fa_ids_single.append(I[0])
    fa_single = np.array(fa_single)
    fa_batched = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        _, fa_ids_batched = index.search(queries, a.k)
        fa_batched = min(fa_batched, time.perf_counter() - t)

    log("exact float64 ranking ...")
    exact = queries.astype(np.float64) @ base.astype(np.float64).T
    rows = []
    for name, ids in [("exemplar single", np.array(ex["ids_single"])), ("exemplar batched", np.array(ex["ids_batched"])),
                      ("faiss single", np.array(fa_ids_single)), ("faiss batched", fa_ids_batched)]:
        same, real = agreement(ids, exact, a.k)
        rows.append((name, same, real))
    identical = sum(1 for q in range(a.queries) if list(ex["ids_single"][q]) == [int(i) for i in fa_ids_single[q]])

    def med(x): return float(np.median(x))
    def p90(x): return float(np.percentile(x, 90))
    report = f"""## Exact search: {utc_now()}

- Command: `{os.environ.get("BENCH_SEARCH_COMMAND", "scripts/bench-search")}`
- Machine: {machine()}
- Versions: faiss {faiss.__version__}, numpy {np.__version__}, exemplar {git_commit()}
- Data: {a.n} x {a.dim} float32 base vectors, {a.queries} queries, top-{a.k} by inner product (normalized: cosine), {a.threads} threads for both engines. Timings in-process for both (exemplar-bench, Python around `index.search`).

| engine | single query median ms | p90 ms | batched {a.queries} queries s | batched QPS |
|---|---:|---:|---:|---:|
| exemplar ExactIndex | {med(ex_single):.3f} | {p90(ex_single):.3f} | {ex_batched:.3f} | {a.queries / ex_batched:.0f} |
| faiss IndexFlatIP | {med(fa_single):.3f} | {p90(fa_single):.3f} | {fa_batched:.3f} | {a.queries / fa_batched:.0f} |

Ratios (faiss time / exemplar time): single query **{med(fa_single) / med(ex_single):.2f}x**, batched **{fa_batched / ex_batched:.2f}x**.

Agreement with the exact float64 ranking (queries whose top-{a.k} id set is exact; ids that differ by more than a 1e-6 near-tie):

| result | exact sets | real mismatches |
|---|---:|---:|
""" + "".join(f"| {name} | {same}/{a.queries} | {real} |\n" for name, same, real in rows) + f"""
exemplar single-query ids equal faiss's, in order, for {identical}/{a.queries} queries.
"""
    print(report)
    if not a.no_write:
        log(f"appended to {append_report(report)}")


if __name__ == "__main__":
    main()

"""Every `exemplar demos` policy on full-data SST-2, whole process, next to its reference code.

Setting: support = data/original/SST-2/train.tsv (6,920), queries = dev.tsv (872), the same
all-MiniLM-L6-v2 embeddings on both sides (`exemplar export-lmbff` writes them for the
references). exemplar is timed as a whole process (start, index load, selection, JSON Lines
written), best of --repeats. The references run in this Python process on the loaded vectors
(imports, model and data loading not counted):

- lmbff: LM-BFF's demo_filter loop (src/dataset.py, bench_demos.lmbff_demo_filter), timed on
  --lmbff-queries filter passes and scaled to 872 x 16;
- in-context --order nearest: OpenICL's TopkRetriever.knn_search (faiss IndexFlatIP);
- topk-dpp map: OpenICL's DPPRetriever.retrieve (dpp_search: faiss top 100, get_kernel,
  fast_map_dpp), all 872 queries;
- topk-dpp sample: get_kernel + dppy's sample_exact_k_dpp (OpenICL's first DPPRetriever), timed
  on --sample-queries queries and scaled to 872.
random, nearest, mmr, in-context random and balanced have no reference code to time.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import append_report, git_commit, machine, utc_now  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "original" / "SST-2"

POLICIES = [  # (name, exemplar options, reference)
    ("lmbff (filter 0.5, 16 samples)", ["--policy", "lmbff", "--filter-rate", "0.5", "--num-sample", "16"], "lmbff"),
    ("random (16 samples)", ["--policy", "random", "--num-sample", "16"], None),
    ("nearest (k 1 per label)", ["--policy", "nearest"], None),
    ("nearest (k 4 per label)", ["--policy", "nearest", "--k", "4"], None),
    ("mmr (k 1 per label)", ["--policy", "mmr"], None),
    ("mmr (k 4 per label, lambda 0.5)", ["--policy", "mmr", "--k", "4", "--lambda", "0.5"], None),
    ("in-context random (count 4)", ["--policy", "in-context", "--count", "4"], None),
    ("in-context nearest (count 4) = OpenICL TopK", ["--policy", "in-context", "--order", "nearest", "--count", "4"], "topk"),
    ("balanced (count 4)", ["--policy", "balanced", "--count", "4"], None),
    ("topk-dpp map (k 4 of 100)", ["--policy", "topk-dpp", "--k", "4", "--candidate-num", "100"], "dpp_map"),
    ("topk-dpp sample (k 4 of 100, seed 1)", ["--policy", "topk-dpp", "--k", "4", "--candidate-num", "100", "--dpp-mode", "sample",
                                              "--seed", "1"], "dpp_sample"),
]


def log(msg):
    print(f"bench-policies: {msg}", file=sys.stderr, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--exemplar", default=str(ROOT / ".build" / "release" / "exemplar"))
    ap.add_argument("--data", default=str(DATA), help="an LM-BFF SST-2 folder with train.tsv and dev.tsv")
    ap.add_argument("--openicl", default=str(ROOT / ".build" / "openicl"), help="OpenICL source (the folder holding openicl/)")
    ap.add_argument("--repeats", type=int, default=3, help="timed exemplar runs per policy; best kept")
    ap.add_argument("--lmbff-queries", type=int, default=3, help="LM-BFF filter passes timed (scaled to 872 x 16)")
    ap.add_argument("--sample-queries", type=int, default=100, help="queries of the dppy draw timed (scaled to 872)")
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()

    from bench_demos import prepare
    work, index, env = prepare(a.exemplar, a.data)

    ours = {}
    out = work / "policy.jsonl"
    for name, options, _ in POLICIES:
        best = float("inf")
        for _ in range(a.repeats):
            t = time.perf_counter()
            subprocess.run([a.exemplar, "demos", str(index), "--queries", "dev", *options, "--output", str(out)], check=True, env=env)
            best = min(best, time.perf_counter() - t)
        lines = sum(1 for _ in out.open())
        ours[name] = (best, lines)
        log(f"{name}: {best:.2f} s, {lines} lines")

    import numpy as np
    support = np.load(work / "data" / "train_sbert-bench.npy").astype(np.float32)
    queries = np.load(work / "data" / "dev_sbert-bench.npy").astype(np.float32)
    n = len(queries)
    refs = {}

    import torch
    from bench_demos import lmbff_demo_filter
    torch.set_num_threads(2)
    labels = [r.strip().split("\t")[-1] for r in (work / "data" / "train.tsv").read_text().splitlines()[1:]]
    t = time.perf_counter()
    for q in range(a.lmbff_queries):
        lmbff_demo_filter(q, support, queries, labels, ["0", "1"], 0.5, "dev")
    per_pass = (time.perf_counter() - t) / a.lmbff_queries
    refs["lmbff"] = (per_pass * n * 16, f"LM-BFF's demo_filter loop, {a.lmbff_queries} passes ({per_pass:.2f} s each) scaled to {n} x 16")

    from check_openicl import Reference
    ref = Reference(a.openicl, None)
    t = time.perf_counter()
    ref.topk(support, queries, 4)
    refs["topk"] = (time.perf_counter() - t, f"OpenICL TopkRetriever.knn_search, {n} queries")
    t = time.perf_counter()
    ref.dpp_map(support, queries, 4, 100, 0.1)
    refs["dpp_map"] = (time.perf_counter() - t, f"OpenICL DPPRetriever.retrieve (dpp_search), {n} queries")
    m = min(a.sample_queries, n)
    t = time.perf_counter()
    ref.dpp_sample(support, queries[:m], 4, 100, 0.1, 1)
    refs["dpp_sample"] = ((time.perf_counter() - t) * n / m, f"get_kernel + dppy sample_exact_k_dpp, {m} queries scaled to {n}")

    rows = []
    for name, _, key in POLICIES:
        seconds, lines = ours[name]
        if key:
            ref_seconds, what = refs[key]
            rows.append(f"| {name} | {lines} | **{seconds:.2f} s** | {what}: {ref_seconds:.2f} s | {ref_seconds / seconds:,.1f}x |")
        else:
            rows.append(f"| {name} | {lines} | **{seconds:.2f} s** | no reference code | – |")
        log(rows[-1])
    slowest = max(s for s, _ in ours.values())
    report = f"""## Every demonstration policy, full-data SST-2: {utc_now()}

- Command: `{os.environ.get("BENCH_POLICIES_COMMAND", "scripts/bench-policies")}`
- Machine: {machine()}; exemplar {git_commit()} (release build), torch {torch.__version__}
- Setting: support train ({len(support)}), queries dev ({n}), the same all-MiniLM-L6-v2 embeddings for both sides. exemplar:
  the whole `exemplar demos INDEX --queries dev ... --output FILE` process, best of {a.repeats}. References: in-process on the
  loaded vectors (imports and loading not counted).

| policy | lines | exemplar demos (whole process) | reference | reference / exemplar |
|---|---:|---:|---|---:|
""" + "\n".join(rows) + f"""

Slowest policy: {slowest:.2f} s (the issue's target: under 2 s for every policy).
"""
    print(report)
    if not a.no_write:
        log(f"appended to {append_report(report)}")


if __name__ == "__main__":
    main()

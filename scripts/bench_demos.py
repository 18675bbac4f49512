"""Demonstration selection: `exemplar demos` vs LM-BFF's selection loop, same embeddings.

Setting (LM-BFF's full-data SST-2): support = data/original/SST-2/train.tsv (6,920), queries =
dev.tsv (872), --demo_filter with rate 0.5, num_sample 16. LM-BFF builds its example list in
FewShotDataset.__init__: for every sample and query it scores every candidate with
util.pytorch_cos_sim one pair at a time, sorts, and keeps the top int(n // labels * rate) per
label; select_context then draws one demonstration per label from a permutation. The loop
below follows that code (src/dataset.py) line for line on the .npy embeddings
`exemplar export-lmbff` writes, timed on --lmbff-queries queries (one filter pass each) and
scaled to 872 x 16 passes. `exemplar demos` is timed as a whole process (start, index load,
selection for all 872 x 16, JSON Lines written). As a check, every demonstration exemplar
chose for the timed queries must be in LM-BFF's filtered candidate list for that query.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench_common import append_report, git_commit, machine, utc_now

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "original" / "SST-2"


def log(msg):
    print(f"bench-demos: {msg}", file=sys.stderr, flush=True)


def lmbff_demo_filter(query_idx, support_emb, query_emb, support_labels, label_list, rate, mode):
    """src/dataset.py, FewShotDataset.__init__, the demo_filter branch, for one query."""
    from sentence_transformers import util
    num_labels = len(label_list)
    support_indices = range(len(support_labels))
    candidate = [support_idx for support_idx in support_indices if support_idx != query_idx or mode != "train"]
    sim_score = []
    for support_idx in candidate:
        sim_score.append((support_idx, util.pytorch_cos_sim(support_emb[support_idx], query_emb[query_idx])))
    sim_score.sort(key=lambda x: x[1], reverse=True)
    limit_each_label = int(len(sim_score) // num_labels * rate)
    count_each_label = {label: 0 for label in label_list}
    context_indices = []
    for support_idx, score in sim_score:
        if count_each_label[support_labels[support_idx]] < limit_each_label:
            count_each_label[support_labels[support_idx]] += 1
            context_indices.append(support_idx)
    return context_indices


def prepare(exemplar, data):
    """The full-data SST-2 workspace both demos benchmarks use: the data, an index built from it
    and LM-BFF's embedding files (embedded once; later runs use the cache). Returns (work, index, env)."""
    work = ROOT / ".build" / "bench" / "demos"
    (work / "data").mkdir(parents=True, exist_ok=True)
    for split in ["train", "dev"]:
        shutil.copyfile(Path(data) / f"{split}.tsv", work / "data" / f"{split}.tsv")
    index = work / "index"
    index.mkdir(exist_ok=True)
    (index / "index.json").write_text(json.dumps({"task": "SST-2", "data": "../data"}) + "\n")
    env = dict(os.environ, EXEMPLAR_CACHE=str(work / "cache"))
    log("building the index and LM-BFF's embedding files (embeds once; later runs use the cache) ...")
    subprocess.run([exemplar, "build", str(index)], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run([exemplar, "export-lmbff", "--data", str(work / "data"), "--task", "SST-2", "--name", "bench"],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    return work, index, env


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--exemplar", default=str(ROOT / ".build" / "release" / "exemplar"))
    ap.add_argument("--data", default=str(DATA), help="an LM-BFF SST-2 folder with train.tsv and dev.tsv")
    ap.add_argument("--lmbff-queries", type=int, default=3, help="queries timed through LM-BFF's loop (default 3)")
    ap.add_argument("--repeats", type=int, default=3, help="timed exemplar runs; best kept")
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()

    work, index, env = prepare(a.exemplar, a.data)

    out = work / "demos.jsonl"
    cmd = [a.exemplar, "demos", str(index), "--queries", "dev", "--policy", "lmbff", "--filter-rate", "0.5",
           "--num-sample", "16", "--seed", "42", "--output", str(out)]
    best = float("inf")
    for _ in range(a.repeats):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, env=env)
        best = min(best, time.perf_counter() - t)
    lines = out.read_text().splitlines()
    log(f"exemplar demos: {best:.3f} s for {len(lines)} (query, sample) lines")

    # LM-BFF's training inputs: the same selection on LM-BFF's folder (export-lmbff's .npy files),
    # rendered with the target tokenizer (the model's, BERT WordPiece) and token ids out.
    ids_out = work / "demos-ids.jsonl"
    ids_times = {}
    for sampling in ["per-query", "lmbff"]:
        ids_cmd = [a.exemplar, "demos", "--data", str(work / "data"), "--task", "SST-2", "--embeddings", "sbert-bench",
                   "--queries", "dev", "--lmbff-task", "SST-2", "--tokenizer", os.environ["EXEMPLAR_MODEL"],
                   "--sampling", sampling, "--ids", "--seed", "42", "--output", str(ids_out)]
        ids_best = float("inf")
        for _ in range(a.repeats):
            t = time.perf_counter()
            subprocess.run(ids_cmd, check=True, env=env)
            ids_best = min(ids_best, time.perf_counter() - t)
        ids_times[sampling] = ids_best
        ids_lines = ids_out.read_text().splitlines()
        assert len(ids_lines) == len(lines) and "input_ids" in json.loads(ids_lines[0])
        log(f"exemplar demos --ids --sampling {sampling}: {ids_best:.3f} s")

    import numpy as np
    import torch
    from sentence_transformers import util
    support_emb = np.load(work / "data" / "train_sbert-bench.npy")
    query_emb = np.load(work / "data" / "dev_sbert-bench.npy")
    def labels(split):
        rows = (work / "data" / f"{split}.tsv").read_text().splitlines()[1:]
        return [r.strip().split("\t")[-1] for r in rows]
    support_labels, query_labels = labels("train"), labels("dev")
    label_list = ["0", "1"]
    rate, mode = 0.5, "dev"
    torch.set_num_threads(2)

    def lmbff_filter(query_idx):
        return lmbff_demo_filter(query_idx, support_emb, query_emb, support_labels, label_list, rate, mode)

    log(f"LM-BFF's loop on {a.lmbff_queries} queries ...")
    rng = np.random.default_rng(0)
    sample_queries = sorted(rng.choice(len(query_labels), a.lmbff_queries, replace=False).tolist())
    t = time.perf_counter()
    kept = {q: set(lmbff_filter(q)) for q in sample_queries}
    per_pass = (time.perf_counter() - t) / a.lmbff_queries
    passes = len(query_labels) * 16
    lmbff_total = per_pass * passes
    log(f"LM-BFF: {per_pass:.3f} s per filter pass; {passes} passes -> {lmbff_total / 3600:.2f} h")

    # Check: exemplar's demonstrations for the timed queries are in LM-BFF's kept candidates.
    dev_ids = {}
    checked, outside = 0, 0
    first_dev_id = None
    for line in lines:
        obj = json.loads(line)
        qid = obj["query"]["id"]
        if first_dev_id is None or qid < first_dev_id:
            first_dev_id = qid
    for line in lines:
        obj = json.loads(line)
        q = obj["query"]["id"] - first_dev_id
        if q in kept:
            for d in obj["demonstrations"]:
                checked += 1
                outside += d["id"] not in kept[q]
    log(f"check: {checked} demonstrations of the timed queries, {outside} outside LM-BFF's filtered candidates")

    report = f"""## Demonstration selection: {utc_now()}

- Command: `{os.environ.get("BENCH_DEMOS_COMMAND", "scripts/bench-demos")}`
- Machine: {machine()}; exemplar {git_commit()}, torch {torch.__version__}
- Setting: LM-BFF full-data SST-2, support train ({len(support_labels)}), queries dev ({len(query_labels)}), demo_filter rate 0.5, num_sample 16, same all-MiniLM-L6-v2 embeddings for both.

| engine | what was timed | time |
|---|---|---:|
| exemplar demos | whole process, all {len(query_labels)} x 16 = {len(lines)} (query, sample) contexts, JSON Lines written; best of {a.repeats} | **{best:.2f} s** |
| exemplar demos `--data` `--lmbff-task SST-2 --tokenizer MODEL --ids` (per-query sampling) | whole process, the same contexts tokenized as LM-BFF does, input_ids/attention_mask/token_type_ids/mask_pos written; best of {a.repeats} | **{ids_times["per-query"]:.2f} s** |
| the same with `--sampling lmbff` | whole process, LM-BFF's numpy draws; best of {a.repeats} | **{ids_times["lmbff"]:.2f} s** |
| LM-BFF selection loop (src/dataset.py) | {a.lmbff_queries} filter passes ({per_pass:.2f} s each), scaled to {passes} | {lmbff_total:.0f} s ({lmbff_total / 3600:.1f} h) |

Ratio: exemplar is **{lmbff_total / best:,.0f}x** faster. Check: {checked} demonstrations exemplar chose for the timed queries, {outside} outside LM-BFF's filtered candidates (the filtered sets themselves are compared for every query in `ExemplarDemosTests`).
"""
    print(report)
    if not a.no_write:
        log(f"appended to {append_report(report)}")


if __name__ == "__main__":
    main()

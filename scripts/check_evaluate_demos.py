"""The anchor side of scripts/check-evaluate-demos: evaluate-demos' metrics recomputed with
numpy from the vectors exemplar's index holds (exported with `exemplar export-lmbff`).

Metrics, per policy, over the queries of a labelled split (see `exemplar evaluate-demos --help`):
label agreement, kNN-vote accuracy (ties: larger summed similarity, then label order),
diversity (mean over contexts of the mean pairwise cosine), coverage, mean similarity.
Picks: nearest k per label (ties: lower id), in-context nearest (the count most similar of any
label), balanced (round-robin across labels of each label's ranking). Similarities are float32
dot products of unit vectors; exemplar sums them in index order, numpy in BLAS order, so
near-ties may pick differently. Hence two checks: numpy's metrics of exemplar's own picks
(`demos --format ice-idx`, the same options) must equal evaluate-demos' to 1e-6, and numpy's
picks must equal exemplar's but for near-ties (|cos difference| <= 1e-6).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_common  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TASK_LABELS = {"SST-2": ["0", "1"], "sst-5": ["0", "1", "2", "3", "4"], "trec": [str(i) for i in range(6)],
               "MRPC": ["0", "1"], "RTE": ["not_entailment", "entailment"]}


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed ({r.returncode}):\n{r.stderr}")
    return r.stdout


def read_labels(path, task):
    """Labels of an LM-BFF split file: GLUE TSV with a header (last column), or header-less CSV (first column)."""
    import csv
    if path.suffix == ".tsv":
        rows = list(csv.reader(open(path, encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE))
        header, rows = rows[0], rows[1:]
        column = header.index("label") if "label" in header else len(header) - 1
        if task == "MRPC":
            column = 0
        return [r[column] for r in rows]
    return [r[0] for r in csv.reader(open(path, encoding="utf-8"))]


def picks(policy, sims, groups, k, count, n_groups):
    order = np.argsort(-sims, kind="stable")
    if policy == "nearest":
        chosen = []
        for g in range(n_groups):
            chosen += [i for i in order if groups[i] == g][:k]
        return chosen
    if policy == "in-context":
        return list(order[:count])
    ranked = [[i for i in order if groups[i] == g] for g in range(n_groups)]
    chosen, r = [], 0
    while len(chosen) < count and any(r < len(m) for m in ranked):
        for m in ranked:
            if r < len(m) and len(chosen) < count:
                chosen.append(m[r])
        r += 1
    return sorted(chosen, key=lambda i: groups[i])  # label order, each label's most similar first (stable)


def unit_rows(m):
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)


def numpy_picks(policy, train, train_groups, queries, k, count, n_groups):
    sims_all = unit_rows(queries) @ unit_rows(train).T
    return [[int(c) for c in picks(policy, sims_all[qi], train_groups, k, count, n_groups)] for qi in range(len(queries))]


def metrics(contexts, train, train_groups, queries, gold, n_groups):
    """The five metrics of given contexts (lists of train positions), as DemoEvaluation defines them."""
    unit = unit_rows(train)
    sims_all = unit_rows(queries) @ unit.T
    agree = demos = correct = paired = 0
    pair_sum = sim_sum = 0.0
    used = np.zeros(len(train), dtype=bool)
    for qi in range(len(queries)):
        sims = sims_all[qi]
        chosen = contexts[qi]
        demos += len(chosen)
        votes, weight = np.zeros(n_groups), np.zeros(n_groups)
        for c in chosen:
            used[c] = True
            agree += train_groups[c] == gold[qi]
            votes[train_groups[c]] += 1
            weight[train_groups[c]] += sims[c]
            sim_sum += sims[c]
        best = 0
        for g in range(1, n_groups):
            if votes[g] > votes[best] or (votes[g] == votes[best] and weight[g] > weight[best]):
                best = g
        correct += chosen != [] and best == gold[qi]
        if len(chosen) >= 2:
            s = unit[chosen] @ unit[chosen].T
            iu = np.triu_indices(len(chosen), 1)
            pair_sum += s[iu].mean()
            paired += 1
    return {"label_agreement": agree / demos, "knn_vote_accuracy": correct / len(queries), "diversity": pair_sum / paired,
            "coverage": used.mean(), "mean_similarity": sim_sum / demos}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--exemplar", required=True)
    p.add_argument("--data", default=str(ROOT.parent / "shared/data/original/SST-2"))
    p.add_argument("--task", default="SST-2")
    p.add_argument("--queries", default="dev")
    p.add_argument("--k", type=int, default=2)
    p.add_argument("--count", type=int, default=4)
    p.add_argument("--no-write", action="store_true")
    args = p.parse_args()
    labels = TASK_LABELS[args.task]
    policies = ["nearest", "in-context:order=nearest", "balanced"]
    demos_options = {"nearest": ["--policy", "nearest", "--k", str(args.k)],
                     "in-context:order=nearest": ["--policy", "in-context", "--order", "nearest", "--count", str(args.count)],
                     "balanced": ["--policy", "balanced", "--count", str(args.count)]}

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = tmp / "data"
        shutil.copytree(args.data, data, ignore=shutil.ignore_patterns("*.npy"))
        index = tmp / "index"
        run([args.exemplar, "build", "--data", str(data), "--task", args.task, "--out", str(index)])
        run([args.exemplar, "export-lmbff", "--data", str(data), "--task", args.task, "--name", "check"])
        train = np.load(data / "train_sbert-check.npy").astype(np.float32)
        queries = np.load(data / f"{args.queries}_sbert-check.npy").astype(np.float32)
        ext = ".tsv" if (data / "train.tsv").exists() else ".csv"
        train_groups = [labels.index(x) for x in read_labels(data / f"train{ext}", args.task)]
        gold = [labels.index(x) for x in read_labels(data / f"{args.queries}{ext}", args.task)]
        assert len(train_groups) == len(train) and len(gold) == len(queries)

        cmd = [args.exemplar, "evaluate-demos", str(index), "--queries", args.queries, "--policies", ",".join(policies),
               "--k", str(args.k), "--count", str(args.count), "--json"]
        start = time.perf_counter()
        ours = json.loads(run(cmd))
        exemplar_seconds = time.perf_counter() - start

        rows, worst, pick_notes, ties_only = [], 0.0, [], True
        numpy_seconds = 0.0
        sims_all = unit_rows(queries) @ unit_rows(train).T
        for policy, result in zip(policies, ours["policies"]):
            name = policy.split(":")[0]
            theirs = json.loads(run([args.exemplar, "demos", str(index), "--queries", args.queries, "--format", "ice-idx"] + demos_options[policy]))
            start = time.perf_counter()
            own = numpy_picks(name, train, train_groups, queries, args.k, args.count, len(labels))
            numpy_metrics = metrics(own, train, train_groups, queries, gold, len(labels))
            numpy_seconds += time.perf_counter() - start
            on_ours = metrics(theirs, train, train_groups, queries, gold, len(labels))
            diffs = {key: abs(result[key] - value) for key, value in on_ours.items()}
            worst = max(worst, max(diffs.values()))
            rows.append(f"| {policy} | " + " | ".join(f"{result[key]:.6f} / {on_ours[key]:.6f} / {numpy_metrics[key]:.6f}" for key in on_ours)
                        + f" | {max(diffs.values()):.1e} |")
            same = sum(a == b for a, b in zip(theirs, own))
            ties = sum(1 for qi, (a, b) in enumerate(zip(theirs, own)) if a != b
                       and np.allclose(np.sort(sims_all[qi][a]), np.sort(sims_all[qi][b]), atol=1e-6, rtol=0))
            ties_only &= same + ties == len(own)
            pick_notes.append(f"{policy}: {same} of {len(own)} contexts identical, {ties} differ only among near-ties")

    header = ("| policy | label agreement | kNN-vote accuracy | diversity | coverage | mean similarity | max abs diff |\n"
              "|---|---|---|---|---|---|---:|")
    ok = worst < 1e-6 and ties_only
    report = "\n".join([
        f"## evaluate-demos vs numpy: {bench_common.utc_now()}",
        "",
        f"- Command: `{os.environ.get('CHECK_COMMAND', 'scripts/check-evaluate-demos')}`",
        f"- Machine: {bench_common.machine()}; exemplar {bench_common.git_commit()}, numpy {np.__version__}",
        f"- Setting: {args.task} {args.queries} ({len(queries)} queries) against train ({len(train)}), k {args.k} per label, count {args.count}; the vectors of exemplar's index for both.",
        "",
        "Each cell: evaluate-demos / numpy on exemplar's picks (`demos --format ice-idx`) / numpy on its own picks. Picks: " + "; ".join(pick_notes) + ".",
        "",
        header, *rows, "",
        f"Time, {len(policies)} policies: `exemplar evaluate-demos` whole process **{exemplar_seconds:.2f} s**; numpy metrics alone "
        f"(vectors already loaded, one matrix product per policy) {numpy_seconds:.2f} s: exemplar {numpy_seconds / exemplar_seconds:.1f}x as fast. "
        f"Largest difference between evaluate-demos and numpy on the same picks {worst:.1e} ({'ok' if ok else 'WRONG'}).",
    ])
    print(report)
    if not args.no_write:
        print(f"appended to {bench_common.append_report(report)}", file=sys.stderr)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()

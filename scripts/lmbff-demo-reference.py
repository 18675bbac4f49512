#!/usr/bin/env python3
"""Reference fixture for ExemplarDemos: LM-BFF's demo_filter candidate sets.

Follows princeton-nlp/LM-BFF (commit c282f52) src/dataset.py FewShotDataset.__init__ (the
`args.demo_filter` branch) and tools/get_sbert_embedding.py (`get_sentence`), re-written here:

  * sentences as get_sbert_embedding.py forms them (sentence pairs joined by one space);
  * embeddings from all-MiniLM-L6-v2 (instead of roberta-large-nli-stsb-mean-tokens), stored as
    float16 .npy to keep the fixture small, and converted back to float32 before use, so the
    Swift test and this script start from the same float32 arrays;
  * candidates = every train example, minus the query itself when the query split is train;
  * score = sentence_transformers.util.pytorch_cos_sim(support_emb[i], query_emb[q]), as LM-BFF;
  * list.sort(key=score, reverse=True) (stable: ties keep candidate order);
  * limit_each_label = int(len(sim_score) // num_labels * demo_filter_rate), rate 0.5;
  * walk the sorted list keeping a candidate while its label's count is under the limit.

For every query it writes `kept` (LM-BFF's context_indices, rank order) and, per label, the
similarity gap at the cut (last kept minus first dropped; null when nothing was dropped).

Usage (the venv scripts/setup-python makes has sentence-transformers, torch and numpy):
  .venv/bin/python scripts/lmbff-demo-reference.py \
      --data ../shared/data/k-shot --model ~/.cache/exemplar/all-MiniLM-L6-v2 \
      --out Tests/Fixtures/demos
"""
import argparse
import csv
import json
import os

import numpy as np
from sentence_transformers import SentenceTransformer, util

TASKS = ["SST-2", "sst-5", "trec", "RTE", "MRPC"]
SEEDS = [13, 21, 42, 87, 100]
CSV_TASKS = ["mr", "sst-5", "subj", "trec", "cr", "mpqa"]
LABELS = {  # src/processors.py get_labels, as strings
    "SST-2": ["0", "1"], "MRPC": ["0", "1"], "RTE": ["entailment", "not_entailment"],
    "sst-5": ["0", "1", "2", "3", "4"], "trec": ["0", "1", "2", "3", "4", "5"],
}
TEST_QUERIES = 40
PANDAS_NA = {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
             "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}
RATE = 0.5


def read_split(folder, task, split):
    """(sentence, label) rows of one split, sentences as get_sbert_embedding.py forms them."""
    rows = []
    if task in CSV_TASKS:
        # pd.read_csv(header=None) without pandas: the csv module reads the same quoting, and a
        # cell pandas would read as NaN becomes '' as in get_sentence.
        with open(os.path.join(folder, f"{split}.csv"), newline="") as f:
            for line in csv.reader(f):
                if not line:
                    continue
                sentence = "" if line[1] in PANDAS_NA else line[1]
                rows.append((sentence, line[0]))
        return rows
    with open(os.path.join(folder, f"{split}.tsv")) as f:
        lines = f.readlines()[1:]  # SST-2, RTE, MRPC have a header
    for raw in lines:
        line = raw.strip().split("\t")
        if task == "SST-2":
            rows.append((line[0], line[1]))
        elif task == "RTE":
            rows.append((line[1] + " " + line[2], line[-1]))
        elif task == "MRPC":
            rows.append((line[-2] + " " + line[-1], line[0]))
    return rows


def demo_filter(support_emb, support_labels, query_emb, query_idx, mode, label_list):
    """LM-BFF's filtered context_indices for one query, and the similarity gap at each cut."""
    candidate = [i for i in range(len(support_emb)) if i != query_idx or mode != "train"]
    sim_score = []
    for support_idx in candidate:
        sim_score.append((support_idx, util.pytorch_cos_sim(support_emb[support_idx], query_emb[query_idx])))
    sim_score.sort(key=lambda x: x[1], reverse=True)
    limit_each_label = int(len(sim_score) // len(label_list) * RATE)
    count_each_label = {label: 0 for label in label_list}
    context_indices = []
    last_kept, first_dropped = {}, {}
    for support_idx, score in sim_score:
        label = support_labels[support_idx]
        if count_each_label[label] < limit_each_label:
            count_each_label[label] += 1
            context_indices.append(support_idx)
            last_kept[label] = float(score)
        elif label not in first_dropped:
            first_dropped[label] = float(score)
    gaps = [None if label not in first_dropped or label not in last_kept
            else float("%.4g" % (last_kept[label] - first_dropped[label])) for label in label_list]
    return context_indices, gaps


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    model = SentenceTransformer(os.path.expanduser(args.model), device="cpu")
    os.makedirs(args.out, exist_ok=True)
    summary = []
    for task in TASKS:
        for seed in SEEDS:
            folder = os.path.join(args.data, task, f"16-{seed}")
            name = f"{task}-{seed}"
            splits = {s: read_split(folder, task, s) for s in ["train", "dev", "test"]}
            splits["test"] = splits["test"][:TEST_QUERIES]
            emb = {}
            for split, rows in splits.items():
                vectors = model.encode([r[0] for r in rows], batch_size=32, convert_to_numpy=True)
                half = vectors.astype(np.float16)
                np.save(os.path.join(args.out, f"{name}-{split}.npy"), half)
                emb[split] = half.astype(np.float32)  # what both sides start from
            support_labels = [r[1] for r in splits["train"]]
            record = {"task": task, "seed": seed, "labels": LABELS[task], "rate": RATE,
                      "supportLabels": support_labels, "splits": {}}
            for split in ["train", "dev", "test"]:
                queries = []
                for q in range(len(splits[split])):
                    kept, gaps = demo_filter(emb["train"], support_labels, emb[split], q, split, LABELS[task])
                    queries.append({"kept": kept, "gaps": gaps})
                record["splits"][split] = queries
            with open(os.path.join(args.out, f"{name}.json"), "w") as f:
                json.dump(record, f, separators=(",", ":"))
                f.write("\n")
            summary.append((name, {s: len(v) for s, v in splits.items()}))
            print(name, summary[-1][1], flush=True)


if __name__ == "__main__":
    main()

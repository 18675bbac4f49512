"""The anchor side of scripts/check-demo-exports: loads `exemplar demos` exports with the
tools that consume them and compares ice-idx with OpenICL's TopK retrieval on the same vectors.

OpenICL's TopkRetriever (openicl/icl_retriever/icl_topk_retriever.py) embeds with its own
SentenceTransformer and then runs `knn_search`: a faiss IndexIDMap(IndexFlatIP) over the
index split's embeddings, `index.search(embed, ice_num)` per test example, the ids in faiss's
order (most similar first). Here that search runs on the vectors exemplar's index holds
(exported by `exemplar export-lmbff`), bypassing its encoder, and must give the lists
`exemplar demos --policy in-context --order nearest --context-order similar-first --format
ice-idx` writes.
"""
import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import faiss
import numpy as np
from datasets import load_dataset

ROOT = Path(__file__).resolve().parent.parent


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed ({r.returncode}):\n{r.stderr}")
    return r.stdout


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--exemplar", required=True)
    p.add_argument("--data", default=str(ROOT / "indexes/sst-2/16-42"))
    p.add_argument("--task", default="SST-2")
    p.add_argument("--k", type=int, default=4)
    args = p.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = tmp / "data"
        shutil.copytree(args.data, data, ignore=shutil.ignore_patterns("*.npy"))
        index = tmp / "index"
        run([args.exemplar, "build", "--data", str(data), "--task", args.task, "--out", str(index)])
        run([args.exemplar, "export-lmbff", "--data", str(data), "--task", args.task, "--name", "check"])
        train = np.load(data / "train_sbert-check.npy").astype(np.float32)
        splits = [s for s in ("test", "dev") if (data / f"{s}_sbert-check.npy").exists()]
        split = splits[0]
        queries = np.load(data / f"{split}_sbert-check.npy").astype(np.float32)

        # OpenICL's knn_search on the same vectors (all-MiniLM-L6-v2 normalises: inner product = cosine).
        faiss_index = faiss.IndexIDMap(faiss.IndexFlatIP(train.shape[1]))
        faiss_index.add_with_ids(train, np.arange(len(train)))
        openicl = [faiss_index.search(q[None, :], args.k)[1][0].tolist() for q in queries]

        ice = json.loads(run([args.exemplar, "demos", str(index), "--queries", split, "--policy", "in-context", "--order", "nearest",
                              "--count", str(args.k), "--context-order", "similar-first", "--format", "ice-idx"]))
        same = sum(a == b for a, b in zip(ice, openicl))
        same_sets = sum(set(a) == set(b) for a, b in zip(ice, openicl))
        # A list that differs only among (near-)ties: the similarities, position by position, agree to 1e-6
        # (exemplar sums dot products in index order and breaks exact ties by the lower id; faiss sums in BLAS order).
        ties = 0
        for i, (a, b) in enumerate(zip(ice, openicl)):
            if a != b:
                sa, sb = train[a] @ queries[i], train[b] @ queries[i]
                if np.allclose(sa, sb, atol=1e-6, rtol=0):
                    ties += 1
                else:
                    print(f"  query {i}: exemplar {a} (cos {sa}), faiss {b} (cos {sb})")
        print(f"ice-idx vs OpenICL knn_search (faiss IndexFlatIP), {args.task} {split}: {len(ice)} queries, k={args.k}: "
              f"{same} identical lists, {same_sets} identical sets; the {len(ice) - same} others differ only among ties (|cos difference| <= 1e-6): "
              f"{ties == len(ice) - same}")
        ok = len(ice) == len(openicl) == len(queries) and same + ties == len(ice)

        # Hugging Face datasets reads the hf-jsonl export as a table with a demonstrations column.
        hf = tmp / "demos.jsonl"
        run([args.exemplar, "demos", str(index), "--queries", split, "--policy", "balanced", "--count", str(args.k),
             "--context-order", "similar-last", "--template", "lmbff", "--format", "hf-jsonl", "--output", str(hf)])
        ds = load_dataset("json", data_files=str(hf), split="train")
        demo_fields = ds.features["demonstrations"]
        print(f"datasets {__import__('datasets').__version__} load_dataset('json'): {ds.num_rows} rows, columns {ds.column_names}, "
              f"demonstrations: {demo_fields}")
        rows_ok = ds.num_rows == len(queries) and {"text", "label", "demonstrations", "context", "id", "sample"} <= set(ds.column_names)
        first = ds[0]["demonstrations"]
        sims = [d["similarity"] for d in first]
        shape_ok = len(first) == args.k and sims == sorted(sims) and all(0 <= d["index"] < len(train) for d in first)
        # The same positions as ice-idx would list for this policy and order.
        ice_balanced = json.loads(run([args.exemplar, "demos", str(index), "--queries", split, "--policy", "balanced", "--count", str(args.k),
                                       "--context-order", "similar-last", "--format", "ice-idx"]))
        cross_ok = ice_balanced == [[d["index"] for d in row] for row in ds["demonstrations"]]
        print(f"hf-jsonl rows and columns: {'ok' if rows_ok else 'WRONG'}; demonstrations in similar-last order with support indices: "
              f"{'ok' if shape_ok else 'WRONG'}; hf-jsonl index column == ice-idx: {'ok' if cross_ok else 'WRONG'}")
        if not (ok and rows_ok and shape_ok and cross_ok):
            sys.exit(1)
        print("all checks passed")


if __name__ == "__main__":
    main()

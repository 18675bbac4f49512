"""`exemplar query --mode bm25` against rank_bm25's BM25Okapi as OpenICL's BM25Retriever
calls it (corpus = the index split's texts through nltk's word_tokenize, case kept; each
query's word_tokenize; get_scores; top-k = np.argsort(scores)[::-1][:k]).

Settings: SST-2, sst-5, trec, MRPC, RTE k-shot 16 (seeds 13, 21, 42, 87, 100; train as the
corpus, test as queries) and full-data SST-2 (6,920 train, 872 dev). Indexes are built with the
tiny test BERT (Tests/Fixtures/tiny-bert-cls): BM25 does not look at the vectors. Compared:
every score exemplar prints against rank_bm25's (relative 1e-5; absolute 1e-9 near 0); the top
k by (score, lower index) identical; and, for information, how often OpenICL's own argsort order
(its tie order is numpy's) equals it. With --write-fixture, writes Tests/Fixtures/bm25/bm25-rte-16-42.json
(RTE 16-42: corpus tokens and rank_bm25's scores of 40 test queries) for ExemplarLexicalTests.
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bm25_common import ROOT, SEEDS, SHARED, TASKS, nltk_data, read_split

TOP = 8


def exemplar_scores(binary, index, queries, k, model):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for q in queries:
            f.write(json.dumps({"text": q}, ensure_ascii=False) + "\n")
        path = f.name
    out = subprocess.run([binary, "query", str(index), "--queries", path, "--mode", "bm25", "--split", "train",
                          "--k", str(k), "--json", "--model", model], check=True, capture_output=True).stdout
    Path(path).unlink()
    return [json.loads(line)["results"][0]["hits"] for line in out.decode("utf-8").splitlines()]


def compare(name, corpus_texts, queries, hits_per_query, bm25, tokenize):
    from rank_bm25 import BM25Okapi  # noqa: F401
    n = len(corpus_texts)
    scores_ok = scores_total = top_ok = openicl_order = 0
    worst = 0.0
    for q, hits in zip(queries, hits_per_query):
        ref = bm25.get_scores(tokenize(q))
        ids = [h["id"] - FIRST_TRAIN_ID[0] for h in hits]
        for h, i in zip(hits, ids):
            assert 0 <= i < n and h["text"] == corpus_texts[i][: len(h["text"])], f"{name}: hit {h['id']} is not train row {i}"
            r = ref[i]
            err = abs(h["score"] - r) / max(abs(r), 1e-4)
            worst = max(worst, err)
            scores_total += 1
            scores_ok += err <= 1e-5 or abs(h["score"] - r) <= 1e-9
        ours = ids[:TOP]
        stable = sorted(range(n), key=lambda i: (-ref[i], i))[:TOP]
        top_ok += ours == stable
        openicl = [int(a) for a in np.argsort(ref)[::-1][:TOP]]
        openicl_order += ours == openicl
    return scores_ok, scores_total, top_ok, openicl_order, worst


FIRST_TRAIN_ID = [0]


def build(binary, folder, task, data, model, work):
    index = work / folder
    index.mkdir(parents=True, exist_ok=True)
    (index / "index.json").write_text(json.dumps({"task": task, "data": str(data), "model": model}) + "\n")
    subprocess.run([binary, "build", str(index), "--model", model], check=True, stdout=subprocess.DEVNULL)
    return index


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--exemplar", default=str(ROOT / ".build" / "debug" / "exemplar"))
    ap.add_argument("--tasks", default=",".join(TASKS))
    ap.add_argument("--seeds", default=",".join(map(str, SEEDS)))
    ap.add_argument("--no-full", action="store_true", help="skip full-data SST-2")
    ap.add_argument("--write-fixture", action="store_true")
    a = ap.parse_args()
    nltk_data()
    from nltk.tokenize import word_tokenize
    from rank_bm25 import BM25Okapi

    model = str(ROOT / "Tests" / "Fixtures" / "tiny-bert-cls")
    work = ROOT / ".build" / "check-bm25"
    settings = [(t, s, SHARED / "k-shot" / t / f"16-{s}", "test") for t in a.tasks.split(",") for s in a.seeds.split(",")]
    if not a.no_full:
        settings.append(("SST-2", "full", SHARED / "original" / "SST-2", "dev"))
    totals = [0, 0, 0, 0, 0]
    failed = False
    print(f"{'setting':<16} {'corpus':>6} {'queries':>7} {'scores within 1e-5':>20} {'top-8 identical':>16} {'= OpenICL argsort':>18}")
    for task, seed, data, query_split in settings:
        corpus = [t for _, t in read_split(data, task, "train")]
        queries = [t for _, t in read_split(data, task, query_split)]
        index = build(a.exemplar, f"{task}-{seed}", task, data, model, work)
        k = len(corpus) if seed != "full" else 100
        start = time.perf_counter()
        hits = exemplar_scores(a.exemplar, index, queries, k, model)
        took = time.perf_counter() - start
        bm25 = BM25Okapi([word_tokenize(t) for t in corpus])
        FIRST_TRAIN_ID[0] = min(h["id"] for hs in hits for h in hs) if seed != "full" else 0
        ok, total, top, openicl, worst = compare(f"{task}-{seed}", corpus, queries, hits, bm25, word_tokenize)
        failed |= ok != total or top != len(queries)
        for i, v in enumerate([ok, total, top, len(queries), openicl]):
            totals[i] += v
        print(f"{task + '-' + str(seed):<16} {len(corpus):>6} {len(queries):>7} {ok:>9} of {total:<8} {top:>6} of {len(queries):<6}"
              f" {openicl:>8} of {len(queries):<6}  (worst relative {worst:.1e}; exemplar query {took:.2f} s)")
        if a.write_fixture and task == "RTE" and seed == "42":
            out = ROOT / "Tests" / "Fixtures" / "bm25" / "bm25-rte-16-42.json"
            sample = queries[:40]
            fixture = {"corpus": [word_tokenize(t) for t in corpus], "queries": [word_tokenize(q) for q in sample],
                       "scores": [list(map(float, bm25.get_scores(word_tokenize(q)))) for q in sample],
                       "average_idf": bm25.average_idf, "avgdl": bm25.avgdl}
            out.write_text(json.dumps(fixture, ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"wrote {out}")
    print(f"{'all':<16} {'':>6} {totals[3]:>7} {totals[0]:>9} of {totals[1]:<8} {totals[2]:>6} of {totals[3]:<6} {totals[4]:>8} of {totals[3]}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

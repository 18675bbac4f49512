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

With --openicl SRC (a checkout of github.com/Shark-NLP/OpenICL), also OpenICL's own
BM25Retriever (its class, run on a DatasetReader over the same rows, input columns as the task
has them: OpenICL joins them with a space) against `exemplar demos --policy bm25 --all-labels
--k 4 --format ice-idx`: identical top-4 sets, order identical except among exact score ties
(counted), and, on full-data SST-2, the whole `exemplar demos` process timed against
BM25Retriever's __init__ + retrieve in the same run. With --fixtures, writes
Tests/Fixtures/openicl/*-16-42/bm25.json (OpenICL's ice_idx, rank_bm25's scores, train labels).
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


ICE_NUM = 4


def columns(folder, task, split):
    """(label, input columns) rows, the columns as a Hugging Face dataset of the task has them."""
    import csv
    folder = Path(folder)
    if task in ("SST-2", "MRPC", "RTE"):
        with open(folder / f"{split}.tsv", encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
        if task == "SST-2":
            return [(r[1], [r[0]]) for r in rows]
        if task == "MRPC":
            return [(r[0], [r[3], r[4]]) for r in rows]
        return [(r[3], [r[1], r[2]]) for r in rows]
    with open(folder / f"{split}.csv", encoding="utf-8", newline="") as f:
        return [(r[0], [r[1] if len(r) > 1 else ""]) for r in csv.reader(f)]


def openicl_bm25(openicl, train, test, ice_num):
    """OpenICL's BM25Retriever over DatasetReader(train as index split, test as test split):
    (ice_idx, the retriever's rank_bm25 object, seconds for __init__ + retrieve)."""
    if str(openicl) not in sys.path:
        sys.path.insert(0, str(openicl))
    from datasets import Dataset, DatasetDict
    from openicl import DatasetReader
    from openicl.icl_retriever.icl_bm25_retriever import BM25Retriever
    width = len(train[0][1])
    names = [f"sent{i}" for i in range(width)]

    def ds(rows):
        d = {n: [r[1][i] for r in rows] for i, n in enumerate(names)}
        d["label"] = [r[0] for r in rows]
        return Dataset.from_dict(d)
    reader = DatasetReader(DatasetDict({"train": ds(train), "test": ds(test)}), input_columns=names, output_column="label")
    start = time.perf_counter()
    retriever = BM25Retriever(reader, ice_num=ice_num, index_split="train", test_split="test")
    ice_idx = retriever.retrieve()
    return ice_idx, retriever.bm25, time.perf_counter() - start


def exemplar_ice_idx(binary, index, query_split, ice_num, model):
    start = time.perf_counter()
    out = subprocess.run([binary, "demos", str(index), "--queries", query_split, "--policy", "bm25", "--all-labels",
                          "--k", str(ice_num), "--format", "ice-idx", "--model", model], check=True, capture_output=True).stdout
    return json.loads(out), time.perf_counter() - start


def compare_ice_idx(ours, theirs, bm25, tokenized_queries):
    """(identical sets, identical order, order differing only within exact ties, queries with a tie at the cut)."""
    same_set = same_order = tie_order = tie_cut = 0
    for q, a, b in zip(tokenized_queries, ours, theirs):
        scores = bm25.get_scores(q)
        k = len(b)
        cut = sorted(scores, reverse=True)[k - 1]
        boundary_tie = sum(1 for s in scores if s == cut) > sum(1 for i in b if scores[i] == cut)
        tie_cut += boundary_tie
        if set(a) == set(b):
            same_set += 1
        elif boundary_tie and {i for i in a if scores[i] > cut} == {i for i in b if scores[i] > cut} and \
                all(scores[i] == cut for i in set(a) ^ set(b)):
            pass  # a different pick among exact ties at the cut: counted in tie_cut, not a mismatch
        else:
            continue
        if a == b:
            same_order += 1
        elif [scores[i] for i in a] == [scores[i] for i in b]:
            tie_order += 1
    return same_set, same_order, tie_order, tie_cut


def check_openicl(a, task, seed, data, query_split, index, model, report):
    from nltk.tokenize import word_tokenize
    train, test = columns(data, task, "train"), columns(data, task, query_split)
    theirs, bm25, openicl_s = openicl_bm25(a.openicl, train, test, ICE_NUM)
    ours, ours_s = exemplar_ice_idx(a.exemplar, index, query_split, ICE_NUM, model)
    queries = [word_tokenize(" ".join(r[1])) for r in test]
    same_set, same_order, tie_order, tie_cut = compare_ice_idx(ours, theirs, bm25, queries)
    n = len(test)
    ok = len(ours) == n and same_order + tie_order == n and (same_set == n or tie_cut > 0)
    report.append((f"{task}-{seed}", n, same_set, same_order, tie_order, tie_cut, ours_s, openicl_s, ok))
    if a.fixtures and seed == "42" and task in ("SST-2", "RTE", "trec"):
        out = ROOT / "Tests" / "Fixtures" / "openicl" / f"{task}-16-42" / "bm25.json"
        fixture_test = columns(out.parent, task, "test")
        fixture_train = columns(out.parent, task, "train")
        f_ice, f_bm25, _ = openicl_bm25(a.openicl, fixture_train, fixture_test, ICE_NUM)
        fixture = {"ice_num": ICE_NUM, "ice_idx": f_ice, "labels": [r[0] for r in fixture_train],
                   "scores": [list(map(float, f_bm25.get_scores(word_tokenize(" ".join(r[1]))))) for r in fixture_test]}
        out.write_text(json.dumps(fixture) + "\n", encoding="utf-8")
        print(f"wrote {out}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--exemplar", default=str(ROOT / ".build" / "debug" / "exemplar"))
    ap.add_argument("--tasks", default=",".join(TASKS))
    ap.add_argument("--seeds", default=",".join(map(str, SEEDS)))
    ap.add_argument("--no-full", action="store_true", help="skip full-data SST-2")
    ap.add_argument("--write-fixture", action="store_true")
    ap.add_argument("--openicl", help="an OpenICL checkout: also run its BM25Retriever against --policy bm25")
    ap.add_argument("--fixtures", action="store_true", help="with --openicl: write Tests/Fixtures/openicl/*/bm25.json")
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
    openicl_report = []
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
        if a.openicl:
            failed |= not check_openicl(a, task, seed, data, query_split, index, model, openicl_report)
    print(f"{'all':<16} {'':>6} {totals[3]:>7} {totals[0]:>9} of {totals[1]:<8} {totals[2]:>6} of {totals[3]:<6} {totals[4]:>8} of {totals[3]}")
    if openicl_report:
        print(f"\nOpenICL BM25Retriever (ice_num {ICE_NUM}) vs exemplar demos --policy bm25 --all-labels --k {ICE_NUM} --format ice-idx")
        print(f"{'setting':<16} {'queries':>7} {'same top-4 set':>15} {'same order':>11} {'order differs in ties':>22} {'tie at cut':>11} {'exemplar s':>11} {'OpenICL s':>10} {'ratio':>6}")
        sums = [0] * 5
        for name, n, ss, so, to, tc, es, os_, ok in openicl_report:
            for i, v in enumerate([n, ss, so, to, tc]):
                sums[i] += v
            print(f"{name:<16} {n:>7} {ss:>15} {so:>11} {to:>22} {tc:>11} {es:>11.2f} {os_:>10.2f} {os_ / es:>5.1f}x{'' if ok else '  MISMATCH'}")
        print(f"{'all':<16} {sums[0]:>7} {sums[1]:>15} {sums[2]:>11} {sums[3]:>22} {sums[4]:>11}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

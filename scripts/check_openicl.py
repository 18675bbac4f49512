"""exemplar's topk-dpp, TopK and annotate against OpenICL's own retrievers on the same embeddings.

For SST-2, sst-5, trec, MRPC and RTE (LM-BFF's k-shot 16 splits, seeds 13/21/42/87/100: train
as the pool, test as the queries) and full-data SST-2 (6,920 train, 872 dev):

- embeddings: `exemplar export-lmbff` writes SPLIT_sbert-check.npy; both sides read those files.
- TopK: OpenICL's TopkRetriever.knn_search (faiss IndexFlatIP) vs `exemplar demos --policy
  in-context --order nearest --count K`.
- TopK-DPP, greedy MAP: OpenICL's DPPRetriever.dpp_search (get_kernel + fast_map_dpp, and also
  CEIL's own src/utils/dpp_map.fast_map_dpp on the same kernels) vs `--policy topk-dpp`.
- k-DPP sampling: the dppy call OpenICL's first DPPRetriever made (FiniteDPP('likelihood',
  L=kernel).sample_exact_k_dpp(k, random_state=seed), ordered by relevance) on the same
  kernels vs `--policy topk-dpp --dpp-mode sample --seed S`.
- Vote-k: random.seed(S) then OpenICL's VotekRetriever.votek_select(embeddings, budget, k=3,
  overlap_threshold=1) vs `exemplar annotate --method votek`; random: np.random.seed(S);
  np.random.choice(n, budget, replace=False) (OpenICL's RandomRetriever draw) vs --method random.

OpenICL's retrievers are built with __new__ (their __init__ downloads a tokenizer and a
sentence-transformers model) and given the embeddings: their `forward` is replaced by one that
returns the test vectors, their faiss index is built from the train vectors as create_index does.
Everything else is OpenICL's code. Prints match counts; with --fixtures writes small fixtures
(Tests/Fixtures/openicl) that back the Swift tests. Exits 1 on any mismatch in a deterministic method.
"""
import argparse
import hashlib
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
SHARED = ROOT.parent / "shared" / "data"
TASKS = ["SST-2", "sst-5", "trec", "MRPC", "RTE"]
SEEDS = [13, 21, 42, 87, 100]


def log(msg):
    print(f"check-openicl: {msg}", file=sys.stderr, flush=True)


def run(cmd, env, stdout=subprocess.DEVNULL):
    r = subprocess.run([str(c) for c in cmd], env=env, stdout=stdout, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise SystemExit(f"check-openicl: {' '.join(map(str, cmd))} failed:\n{r.stderr}")
    return r.stdout


def jsonl(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class Reference:
    """OpenICL's retrievers over given embeddings."""

    def __init__(self, openicl, ceil):
        sys.path.insert(0, str(openicl))
        import faiss  # noqa: F401  (OpenICL's index)
        from openicl.icl_retriever.icl_dpp_retriever import DPPRetriever, fast_map_dpp
        from openicl.icl_retriever.icl_topk_retriever import TopkRetriever
        from openicl.icl_retriever.icl_votek_retriever import VotekRetriever
        self.DPPRetriever, self.TopkRetriever, self.VotekRetriever = DPPRetriever, TopkRetriever, VotekRetriever
        self.openicl_map = fast_map_dpp
        # OpenICL's dpp_search indexes fast_map_dpp's result (a list) with an argsort array, which
        # raises TypeError on every numpy: it cannot run as released. The one change made to its
        # code: fast_map_dpp's picks as an array, so `samples_ids[(-samples_scores).argsort()]` works.
        import numpy as np
        import openicl.icl_retriever.icl_dpp_retriever as dpp_module
        dpp_module.fast_map_dpp = lambda kernel, k: np.array(fast_map_dpp(kernel, k))
        self.ceil_map = None
        if ceil:
            import importlib.util
            spec = importlib.util.spec_from_file_location("ceil_dpp_map", Path(ceil) / "src" / "utils" / "dpp_map.py")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            self.ceil_map = module.fast_map_dpp

    def retriever(self, cls, train, test, **attributes):
        import faiss
        import numpy as np
        r = cls.__new__(cls)
        r.is_main_process = True
        r.dataloader = None
        # TopkRetriever.create_index, with our vectors for the model's.
        r.embed_list = train
        index = faiss.IndexIDMap(faiss.IndexFlatIP(train.shape[1]))
        index.add_with_ids(train, np.arange(len(train)))
        r.index = index
        r.forward = lambda *a, **k: [{"embed": v, "metadata": {"id": i}} for i, v in enumerate(test)]
        for key, value in attributes.items():
            setattr(r, key, value)
        return r

    def topk(self, train, test, k):
        return self.retriever(self.TopkRetriever, train, test).knn_search(k)

    def dpp_map(self, train, test, k, candidates, scale):
        r = self.retriever(self.DPPRetriever, train, test, ice_num=k, candidate_num=candidates, scale_factor=scale, seed=1)
        result = r.retrieve()
        ceil_same = None
        if self.ceil_map is not None:
            # CEIL's fast_map_dpp on the same kernels must pick what OpenICL's picks.
            import numpy as np
            ceil_same = 0
            for q, v in enumerate(test):
                embed = np.expand_dims(v, 0)
                ids = r.index.search(embed, candidates)[1][0].tolist()
                _, _, kernel = r.get_kernel(embed, ids)
                ceil_same += self.ceil_map(kernel, k) == self.openicl_map(kernel, k)
        return result, ceil_same

    def dpp_sample(self, train, test, k, candidates, scale, seed):
        """The dppy draw of OpenICL's first DPPRetriever (commit 357b283) on get_kernel's kernel."""
        import numpy as np
        from dppy.finite_dpps import FiniteDPP
        r = self.retriever(self.DPPRetriever, train, test, ice_num=k, candidate_num=candidates, scale_factor=scale, seed=seed)
        out = []
        for v in test:
            embed = np.expand_dims(v, 0)
            near_ids = np.array(r.index.search(embed, candidates)[1][0].tolist())
            _, rel, kernel = r.get_kernel(embed, near_ids.tolist())
            try:
                ids = np.array(FiniteDPP("likelihood", **{"L": kernel}).sample_exact_k_dpp(size=k, random_state=seed))
            except ValueError as e:
                out.append(f"error: {e}")
                continue
            scores = np.array([rel[i] for i in ids])
            out.append([int(near_ids[i]) for i in ids[(-scores).argsort()].tolist()])
        return out

    def votek(self, train, budget, seed, k=3, threshold=1):
        random.seed(seed)
        return self.VotekRetriever.votek_select(None, embeddings=train, select_num=budget, k=k, overlap_threshold=threshold)

    @staticmethod
    def random_pick(n, budget, seed):
        import numpy as np
        np.random.seed(seed)
        return np.random.choice(n, budget, replace=False).tolist()


FIXTURE_TASKS = ["SST-2", "trec", "RTE"]


def write_fixture(ref, task, folder, ext, train, test, queries=8, k=4, candidates=16, budget=8):
    """Tests/Fixtures/openicl/TASK-16-42: the split files (test cut to `queries` rows), their
    float32 embeddings as exemplar demos --embeddings sbert-check reads them, and OpenICL's answers."""
    import numpy as np
    out = ROOT / "Tests" / "Fixtures" / "openicl" / f"{task}-16-42"
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(folder / f"train{ext}", out / f"train{ext}")
    lines = (folder / f"test{ext}").read_text(encoding="utf-8").splitlines(keepends=True)
    header = 1 if ext == ".tsv" else 0
    (out / f"test{ext}").write_text("".join(lines[:header + queries]), encoding="utf-8")
    np.save(out / "train_sbert-check.npy", train)
    np.save(out / "test_sbert-check.npy", test[:queries])
    q = test[:queries]
    samples = ref.dpp_sample(train, q, k, candidates, 0.1, 42)
    expected = {
        "task": task, "k": k, "candidates": candidates, "scale_factor": 0.1, "seed": 42,
        "topk": ref.topk(train, q, k),
        "dpp_map": ref.dpp_map(train, q, k, candidates, 0.1)[0],
        "dpp_sample": [x if not isinstance(x, str) else None for x in samples],
        "votek": {"budget": budget, "k": 3, "overlap_threshold": 1, "seed": 42, "selected": ref.votek(train, budget, 42)},
        "random": {"budget": budget, "seed": 42, "selected": ref.random_pick(len(train), budget, 42)},
        # A budget that Vote-k's voted examples cannot fill: random.sample fills the rest.
        "votek_fill": {"budget": len(train) - 2, "k": 3, "overlap_threshold": 1, "seed": 7,
                       "selected": ref.votek(train, len(train) - 2, 7)},
    }
    (out / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    log(f"wrote {out.relative_to(ROOT)}")


def exemplar_demos(bin_, folder, task, env, *policy):
    out = run([bin_, "demos", "--data", folder, "--task", task, "--embeddings", "sbert-check", "--queries", "test", *policy], env,
              stdout=subprocess.PIPE)
    return [[d["id"] - 0 for d in row["demonstrations"]] for row in jsonl(out)]


def exemplar_annotate(bin_, folder, task, env, *options):
    out = run([bin_, "annotate", "--data", folder, "--task", task, "--split", "train", "--json", *options], env, stdout=subprocess.PIPE)
    return [s["position"] for s in json.loads(out)["selected"]]


REFERENCE = []  # the Reference, set before --jobs forks (it does not pickle)
QUERY_CAP = [None]  # --max-queries


def reference_answers(job):
    """Every reference answer for one setting, cached in .build/check-openicl/ref (keyed by the
    embeddings' hash and the options): OpenICL's DPP loop and dppy are the slow part."""
    name, folder, k, cands, budget, sample_seed, vote_seed, cache = job
    ref = REFERENCE[0]
    import numpy as np
    train = np.load(folder / "train_sbert-check.npy").astype(np.float32)
    test = np.load(folder / "test_sbert-check.npy").astype(np.float32)[:QUERY_CAP[0]]
    digest = hashlib.sha256(train.tobytes() + test.tobytes()).hexdigest()[:16]
    path = cache / f"{name.replace(' ', '_')}-k{k}-c{cands}-b{budget}-s{sample_seed}-v{vote_seed}-{digest}.json"
    if path.exists():
        return json.loads(path.read_text())
    t0 = time.perf_counter()
    topk = ref.topk(train, test, k)
    t_topk = time.perf_counter() - t0
    t0 = time.perf_counter()
    dpp_map, ceil_same = ref.dpp_map(train, test, k, cands, 0.1)
    t_dpp = time.perf_counter() - t0
    answers = {
        "topk": topk, "dpp_map": [list(map(int, x)) for x in dpp_map], "ceil_same": ceil_same,
        "dpp_sample": ref.dpp_sample(train, test, k, cands, 0.1, sample_seed),
        "votek": ref.votek(train, budget, vote_seed), "random": ref.random_pick(len(train), budget, vote_seed),
        "seconds": {"topk": t_topk, "dpp_map": t_dpp},
    }
    path.write_text(json.dumps(answers) + "\n")
    log(f"{name}: reference answers computed in {t_topk + t_dpp:.1f} s (+ dppy)")
    return answers


class Tally:
    """Per method: exact matches, and the mismatches by kind (openicl_diagnosis)."""

    def __init__(self):
        self.rows, self.examples, self.failures = {}, {}, []

    def add(self, method, setting, exact, n, kinds=(), gaps=()):
        row = self.rows.setdefault(method, {"exact": 0, "n": 0, "duplicate": 0, "near-tie": 0, "differs": 0, "max_gap": 0.0})
        row["exact"] += exact
        row["n"] += n
        for kind, gap in zip(kinds, gaps):
            row[kind] += 1
            if kind == "near-tie" and gap == gap:
                row["max_gap"] = max(row["max_gap"], gap)
        if any(kind == "differs" for kind in kinds):
            self.failures.append(f"{method} {setting}")

    def note(self, method, text):
        self.examples.setdefault(method, []).append(text)


def compare(tally, method, setting, ours, theirs, explain=None):
    """Counts exact matches; explains each mismatch with explain(q) -> (kind, gap, detail)."""
    if len(ours) != len(theirs):
        tally.add(method, setting, 0, len(theirs), ["differs"], [float("nan")])
        tally.note(method, f"{setting}: {len(ours)} rows vs {len(theirs)}")
        return 0
    mismatched = [q for q, (o, t) in enumerate(zip(ours, theirs)) if o != t]
    kinds, gaps = [], []
    for q in mismatched:
        kind, gap, detail = explain(q) if explain else ("differs", float("nan"), f"ours {ours[q]} theirs {theirs[q]}")
        kinds.append(kind)
        gaps.append(gap)
        tally.note(method, f"{setting} query {q}: {kind}, gap {gap:.2e} ({detail})")
    tally.add(method, setting, len(theirs) - len(mismatched), len(theirs), kinds, gaps)
    return len(theirs) - len(mismatched)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--exemplar", default=str(ROOT / ".build" / "release" / "exemplar"))
    ap.add_argument("--data", default=str(SHARED), help="holds k-shot/TASK/16-SEED and original/SST-2")
    ap.add_argument("--openicl", required=True, help="OpenICL source (the folder holding openicl/)")
    ap.add_argument("--ceil", help="CEIL (HKUNLP/icl-ceil) source, for its fast_map_dpp")
    ap.add_argument("--tasks", default=",".join(TASKS))
    ap.add_argument("--seeds", default=",".join(map(str, SEEDS)))
    ap.add_argument("--no-full", action="store_true", help="skip full-data SST-2")
    ap.add_argument("--only-full", action="store_true", help="only full-data SST-2")
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--candidates", type=int, default=100)
    ap.add_argument("--budget", type=int, default=16, help="Vote-k budget on the k-shot pools (full data: 100)")
    ap.add_argument("--jobs", type=int, default=1, help="settings whose reference answers are computed in parallel")
    ap.add_argument("--max-queries", type=int, default=872,
                    help="only the first N test queries of a k-shot split (sst-5 has 2,210, MRPC 1,725: OpenICL's DPP loop and dppy "
                         "take minutes on them); full-data SST-2 always uses all 872")
    ap.add_argument("--fixtures", action="store_true", help="write Tests/Fixtures/openicl")
    ap.add_argument("--details", action="store_true", help="print every mismatch with its gap")
    a = ap.parse_args()

    import numpy as np
    from openicl_diagnosis import Query, explain_dpp_map, explain_dpp_sample, explain_topk
    ref = Reference(a.openicl, a.ceil)
    work = ROOT / ".build" / "check-openicl"
    cache = work / "ref"
    cache.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, EXEMPLAR_CACHE=str(work / "cache"))
    settings = [] if a.only_full else [(t, s) for t in a.tasks.split(",") for s in map(int, a.seeds.split(","))]
    if not a.no_full:
        settings.append(("SST-2", "full"))

    # 1. The data and embeddings of every setting (exemplar export-lmbff; cached embeddings).
    prepared = []
    for task, seed in settings:
        full = seed == "full"
        source = Path(a.data) / ("original/SST-2" if full else f"k-shot/{task}/16-{seed}")
        folder = work / "data" / (f"{task}-full" if full else f"{task}-16-{seed}")
        folder.mkdir(parents=True, exist_ok=True)
        ext = ".tsv" if (source / "train.tsv").exists() else ".csv"
        query_split = "dev" if full else "test"
        shutil.copyfile(source / f"train{ext}", folder / f"train{ext}")
        # The queries are always called test here (full-data SST-2's dev file plays LM-BFF's test).
        shutil.copyfile(source / f"{query_split}{ext}", folder / f"test{ext}")
        run([a.exemplar, "export-lmbff", "--data", folder, "--task", task, "--name", "check"], env)
        n_train = len(np.load(folder / "train_sbert-check.npy", mmap_mode="r"))
        name = f"{task} {'full' if full else f'16-{seed}'}"
        prepared.append(dict(task=task, seed=seed, full=full, folder=folder, ext=ext, name=name,
                             budget=100 if full else a.budget, cands=min(a.candidates, n_train),
                             sample_seed=1 if full else seed, vote_seed=42 if full else seed))

    # 2. The reference answers, once per setting (cached), --jobs settings at a time.
    REFERENCE.append(ref)
    QUERY_CAP[0] = a.max_queries
    jobs = [(p["name"], p["folder"], a.k, p["cands"], p["budget"], p["sample_seed"], p["vote_seed"], cache) for p in prepared]
    if a.jobs > 1:
        import multiprocessing
        with multiprocessing.get_context("fork").Pool(a.jobs) as pool:
            answers = pool.map(reference_answers, jobs, chunksize=1)
    else:
        answers = [reference_answers(j) for j in jobs]

    # 3. exemplar's answers, compared; every mismatch explained.
    tally = Tally()
    timings = []
    for p, theirs in zip(prepared, answers):
        folder, task, name, k, c = p["folder"], p["task"], p["name"], a.k, p["cands"]
        train = np.load(folder / "train_sbert-check.npy").astype(np.float32)
        test = np.load(folder / "test_sbert-check.npy").astype(np.float32)[:a.max_queries]
        limit = ["--limit", a.max_queries]
        queries = {}

        def query(q):
            if q not in queries:
                near = ref.retriever(ref.DPPRetriever, train, test[q:q + 1], scale_factor=0.1)
                embed = np.expand_dims(test[q], 0)
                ids = near.index.search(embed, c)[1][0].tolist()
                _, _, kernel = near.get_kernel(embed, ids)
                queries[q] = (Query(train, test[q], ids), kernel)
            return queries[q]

        ours = exemplar_demos(a.exemplar, folder, task, env, *limit, "--policy", "in-context", "--order", "nearest", "--count", k)
        topk = compare(tally, "TopK", name, ours, theirs["topk"],
                       lambda q: explain_topk(Query(train, test[q]), ours[q], theirs["topk"][q]))

        t0 = time.perf_counter()
        ours_map = exemplar_demos(a.exemplar, folder, task, env, *limit, "--policy", "topk-dpp", "--k", k, "--candidate-num", c)
        t_ours = time.perf_counter() - t0
        if p["full"]:
            timings.append((name, len(test), len(train), t_ours, theirs["seconds"]["dpp_map"], "topk-dpp map", "dpp_search"))
        dpp = compare(tally, "TopK-DPP map", name, ours_map, theirs["dpp_map"],
                      lambda q: explain_dpp_map(query(q)[0], ours_map[q], theirs["dpp_map"][q], query(q)[1], c))
        if theirs["ceil_same"] is not None:
            tally.add("CEIL fast_map_dpp = OpenICL's", name, theirs["ceil_same"], len(test),
                      ["differs"] * (len(test) - theirs["ceil_same"]), [float("nan")] * (len(test) - theirs["ceil_same"]))

        ours = exemplar_demos(a.exemplar, folder, task, env, *limit, "--policy", "topk-dpp", "--k", k, "--candidate-num", c,
                              "--dpp-mode", "sample", "--seed", p["sample_seed"])
        sampled = [(q, o, t) for q, (o, t) in enumerate(zip(ours, theirs["dpp_sample"])) if not isinstance(t, str)]
        errors = len(test) - len(sampled)
        index_of = [q for q, _, _ in sampled]
        sample = compare(tally, "k-DPP sample (dppy succeeded)", name, [o for _, o, _ in sampled], [t for _, _, t in sampled],
                         lambda i: explain_dpp_sample(query(index_of[i])[0], sampled[i][1], sampled[i][2], query(index_of[i])[1],
                                                      c, k, p["sample_seed"]))
        tally.add("dppy raised (is_geq_0 / rank)", name, errors, len(test))

        ours = exemplar_annotate(a.exemplar, folder, task, env, "--method", "votek", "--budget", p["budget"], "--seed", p["vote_seed"])
        vk = compare(tally, "Vote-k selections", name, [ours], [theirs["votek"]])
        ours = exemplar_annotate(a.exemplar, folder, task, env, "--method", "random", "--budget", p["budget"], "--seed", p["vote_seed"])
        rnd = compare(tally, "random selections", name, [ours], [theirs["random"]])
        log(f"{name}: TopK {topk}/{len(test)}, DPP map {dpp}/{len(test)}"
            + (f" (CEIL = OpenICL {theirs['ceil_same']}/{len(test)})" if theirs["ceil_same"] is not None else "")
            + f", k-DPP sample {sample}/{len(sampled)} (dppy raised on {errors}), Vote-k {vk}/1, random {rnd}/1")

        if a.fixtures and not p["full"] and p["seed"] == 42 and task in FIXTURE_TASKS:
            write_fixture(ref, task, folder, p["ext"], train, test)

    print(f"\ncheck-openicl: {len(prepared)} settings, k {a.k}, candidate_num {a.candidates}, Vote-k budget {a.budget} (full data 100), "
          f"at most the first {a.max_queries} test queries of a k-shot split")
    print("| method | exact | near-tie (float32 rounding) | duplicate vectors (exact tie) | differs | exact or tie | largest near-tie gap |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for method, r in tally.rows.items():
        tied = r["exact"] + r["near-tie"] + r["duplicate"]
        print(f"| {method} | {r['exact']} / {r['n']} | {r['near-tie']} | {r['duplicate']} | {r['differs']} | {tied} / {r['n']} | "
              + (f"{r['max_gap']:.1e} |" if r["near-tie"] else "– |"))
    print("\nTolerances: cosines 1e-6 (TopK, the candidate_num boundary), greedy gain 1e-5 of the first gain (DPP map), "
          "a uniform draw within 1e-5 of its threshold (k-DPP sample).")
    for method, notes in tally.examples.items():
        shown = notes if a.details else notes[:5]
        print(f"\n{method}: {len(notes)} mismatches" + ("" if a.details or len(notes) <= 5 else " (first 5; --details for all)"))
        for n in shown:
            print(f"  {n}")
    for name, q, n, ours, theirs, what, ref_what in timings:
        print(f"\n  {name}: {what}, {q} queries x {n} examples: exemplar demos whole process {ours:.2f} s, "
              f"OpenICL's {ref_what} on the same vectors {theirs:.2f} s (ratio {theirs / ours:.1f}x)")
    if tally.failures:
        print("check-openicl: MISMATCHES (not explained by ties): " + "; ".join(tally.failures))
        sys.exit(1)


if __name__ == "__main__":
    main()

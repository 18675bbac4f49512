"""Synthetic index data for scripts/bench-scale that looks like real data: N rows of 384-d
vectors around real all-MiniLM-L6-v2 embeddings, with texts and labels, plus held-out queries.

    bench_scale_data.py base BASE_DIR DATA_ROOT      # BASE_DIR/base.txt: every distinct sentence
    bench_scale_data.py rows BASE_DIR OUT_DIR ROWS    # OUT_DIR/{train.npy,train.tsv,index.json,queries.npy,labels.txt}

`base` collects every distinct text field (two words or more) of the csv/tsv files under
DATA_ROOT/original (../shared/data: LM-BFF's 16-task layout); `exemplar embed` then embeds them
into BASE_DIR/base.npy (bench-scale does that). `rows` writes, for ROWS rows, the real vectors
first (row i < len(base) is base vector i and its sentence), then for every further row a real
vector chosen at random plus Gaussian noise, renormalised, with that sentence and its row
number as the text. The noise scale is measured, not picked: it makes the expected cosine
between a noisy row and its real vector equal to the median cosine between a real sentence and
its nearest other real sentence (over 2,000 sampled sentences), so a synthetic neighbourhood is
as tight as a real one (uniform random vectors would make recall meaningless). A row's label is
its real vector's number mod 2 (near-duplicates share a label, as in real data). The queries are
1,000 more noisy copies of random real vectors, none of them in the index. Prints one JSON
object describing what it wrote (noise scale, median nearest-neighbour cosine).
"""
import csv
import json
import sys
from pathlib import Path

import numpy as np

DIM = 384


def collect(base_dir, data_root):
    csv.field_size_limit(1 << 24)
    seen = {}
    for f in sorted((Path(data_root) / "original").glob("*/*")):
        if f.suffix not in (".tsv", ".csv"):
            continue
        tsv = f.suffix == ".tsv"
        with open(f, newline="", encoding="utf-8-sig") as h:
            rows = csv.reader(h, delimiter="\t" if tsv else ",", quoting=csv.QUOTE_NONE if tsv else csv.QUOTE_MINIMAL)
            for i, row in enumerate(rows):
                if tsv and i == 0:
                    continue
                for field in row:
                    text = " ".join(field.split())
                    if len(text.split()) >= 2 and text not in seen:
                        seen[text] = len(seen)
    Path(base_dir, "base.txt").write_text("".join(t + "\n" for t in seen), encoding="utf-8")
    print(json.dumps({"sentences": len(seen)}))


def noise_scale(base, rng, sample=2000):
    """sigma such that E cos(b, b + sigma * g) equals the median real nearest-neighbour cosine."""
    picks = rng.choice(len(base), size=min(sample, len(base)), replace=False)
    sims = base[picks] @ base.T
    sims[np.arange(len(picks)), picks] = -1
    sims[sims > 0.9999] = -1  # exact duplicates (same text in two tasks) are not neighbours
    nn = np.median(sims.max(axis=1))
    # |b + sigma g|^2 ~ 1 + sigma^2 d, and b . (b + sigma g) ~ 1: cos ~ 1 / sqrt(1 + sigma^2 d).
    return float(np.sqrt((1 / nn ** 2 - 1) / DIM)), float(nn)


def noisy(base, picks, sigma, rng):
    v = base[picks] + sigma * rng.standard_normal((len(picks), DIM), dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v


def rows(base_dir, out_dir, n):
    base = np.load(Path(base_dir, "base.npy")).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    texts = Path(base_dir, "base.txt").read_text(encoding="utf-8").splitlines()
    assert len(texts) == len(base), "base.txt and base.npy disagree"
    rng = np.random.default_rng(20261203)
    sigma, nn = noise_scale(base, rng)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    vectors = np.lib.format.open_memmap(out / "train.npy.tmp", mode="w+", dtype=np.float32, shape=(n, DIM))
    real = min(n, len(base))
    chunk = 200_000
    with open(out / "train.tsv.tmp", "w", encoding="utf-8") as tsv, open(out / "labels.txt.tmp", "w") as labels:
        tsv.write("sentence\tlabel\n")
        for s in range(0, n, chunk):
            e = min(n, s + chunk)
            picks = np.arange(s, e) if e <= real else np.concatenate(
                [np.arange(s, min(e, real)), rng.integers(0, len(base), e - max(s, real))])
            block = base[picks].copy()
            synthetic = np.arange(s, e) >= real
            if synthetic.any():
                block[synthetic] = noisy(base, picks[synthetic], sigma, rng)
            vectors[s:e] = block
            tsv.write("".join(f"{texts[p]}\t{p % 2}\n" if i < real else f"{texts[p]} ({i})\t{p % 2}\n"
                              for i, p in zip(range(s, e), picks)))
            labels.write("".join(f"{p % 2}\n" for p in picks))
            print(f"bench-scale: wrote {e:,} of {n:,} rows", file=sys.stderr, flush=True)
    vectors.flush()
    del vectors
    queries = noisy(base, rng.integers(0, len(base), 1000), sigma, rng)
    np.save(out / "queries.npy", queries)
    (out / "index.json").write_text('{"task": "SST-2", "data": "train.tsv"}\n')
    for name in ("train.npy", "train.tsv", "labels.txt"):
        (out / f"{name}.tmp").rename(out / name)
    print(json.dumps({"rows": n, "real_rows": real, "noise_sigma": sigma, "median_nn_cosine": nn,
                      "expected_cosine_to_real": 1 / float(np.sqrt(1 + sigma ** 2 * DIM))}))


if __name__ == "__main__":
    if sys.argv[1] == "base":
        collect(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "rows":
        rows(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(__doc__)

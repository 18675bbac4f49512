"""Parity check: `exemplar tokenize` and `exemplar embed` against sentence-transformers on any
sentences: token ids identical, cosine >= 0.99999, max abs difference <= 1e-4.

  .venv/bin/python scripts/check_parity.py [--exemplar BIN] [--model DIR] FILE...   (text, one per line;
      .tsv/.csv from LM-BFF's data: every text column)
  .venv/bin/python scripts/check_parity.py --random 2000       (random Unicode strings, seeded)
  .venv/bin/python scripts/check_parity.py --model ~/.cache/exemplar/all-mpnet-base-v2 \
      --sample 1000 --random 1000 ../shared/data/original/*/train.*
      (any sentence-transformers folder; --sample takes N seeded sentences per file that are
      not in Tests/Fixtures, so the check runs on text the fixtures never saw)

Exit status 1 when any sentence differs; the first differences are printed.
"""
import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MODEL = os.environ.get("EXEMPLAR_MODEL") or str(Path.home() / ".cache" / "exemplar" / "all-MiniLM-L6-v2")


def sentences_from(path):
    p = Path(path)
    if p.suffix == ".tsv":
        rows = [line.rstrip("\n").split("\t") for line in p.open(encoding="utf-8")]
        header = rows[0]
        cols = [i for i, h in enumerate(header) if h.lower() in ("sentence", "sentence1", "sentence2", "#1 string", "#2 string", "question", "question1", "question2")]
        return [r[i] for r in rows[1:] for i in cols if i < len(r)]
    if p.suffix == ".csv":
        return [row[1] for row in csv.reader(p.open(encoding="utf-8", newline="")) if len(row) > 1]
    return [line.rstrip("\n") for line in p.open(encoding="utf-8")]


def fixture_texts():
    """Every sentence the committed fixtures hold (reference.jsonl / sentences.jsonl files)."""
    seen = set()
    for f in list((ROOT / "Tests" / "Fixtures").rglob("*.jsonl")):
        for line in f.open(encoding="utf-8"):
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict) and isinstance(row.get("text"), str):
                seen.add(row["text"])
    return seen


def sample(texts, n, seed, exclude):
    """Up to n distinct texts not in exclude, seeded, in file order."""
    pool = sorted({t for t in texts if t.strip() and t not in exclude})
    picked = set(random.Random(seed).sample(pool, min(n, len(pool))))
    out, seen = [], set()
    for t in texts:
        if t in picked and t not in seen:
            seen.add(t)
            out.append(t)
    return out


def random_strings(n, seed=1):
    rng = random.Random(seed)
    pools = [range(0x20, 0x7F), range(0xA0, 0x250), range(0x300, 0x370), range(0x370, 0x400), range(0x400, 0x500),
             range(0x590, 0x700), range(0x900, 0x980), range(0xE00, 0xE80), range(0x1100, 0x1200), range(0x2000, 0x2070),
             range(0x3000, 0x3100), range(0x4E00, 0x4F00), range(0xAC00, 0xAD00), range(0xFF00, 0xFFF0),
             range(0x1F300, 0x1F700), range(0x1D400, 0x1D500), range(0x0, 0x20), range(0xFE00, 0xFE10), range(0xE000, 0xE010)]
    out = []
    for _ in range(n):
        words = []
        for _ in range(rng.randint(0, 30)):
            pool = rng.choice(pools)
            words.append("".join(chr(rng.choice(pool)) for _ in range(rng.randint(1, 12))))
        out.append(rng.choice([" ", "  ", "\t", " , "]).join(words))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--random", type=int, default=0, help="also this many random Unicode strings")
    ap.add_argument("--exemplar", default=str(ROOT / ".build" / "release" / "exemplar"))
    ap.add_argument("--model", default=MODEL, help="sentence-transformers folder (default: %(default)s)")
    ap.add_argument("--sample", type=int, default=0,
                    help="take N seeded sentences from each file, none of them in Tests/Fixtures (default: all)")
    ap.add_argument("--threads", type=int, default=0, help="exemplar embed --threads (default: all cores)")
    ap.add_argument("--seed", type=int, default=1, help="seed of --sample and --random (default 1)")
    a = ap.parse_args()
    exclude = fixture_texts() if a.sample else set()
    texts = []
    for i, f in enumerate(a.files):
        got = sentences_from(f)
        texts += sample(got, a.sample, a.seed + i, exclude) if a.sample else got
    texts += random_strings(a.random, a.seed)
    texts = [t for t in texts if "\n" not in t and "\r" not in t]
    print(f"check-parity: {len(texts)} sentences ({len(texts) - a.random} from {len(a.files)} files, "
          f"{a.random} random), model {a.model}", file=sys.stderr)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    model = SentenceTransformer(a.model, device="cpu")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        src.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
        tok = subprocess.run([a.exemplar, "tokenize", "--input", str(src), "--model", a.model], check=True, capture_output=True, text=True)
        ids = [json.loads(line)["ids"] for line in tok.stdout.splitlines()]
        embed = [a.exemplar, "embed", "--input", str(src), "--output", str(Path(tmp) / "out.npy"), "--model", a.model]
        subprocess.run(embed + (["--threads", str(a.threads)] if a.threads else []), check=True)
        got = np.load(Path(tmp) / "out.npy")
    bad_ids = [i for i, t in enumerate(texts) if ids[i] != model.tokenize([t])["input_ids"][0].tolist()]
    ref = model.encode(texts, batch_size=32)
    cos = (ref * got).sum(1) / np.maximum(np.linalg.norm(ref, axis=1) * np.linalg.norm(got, axis=1), 1e-30)
    diff = np.abs(ref - got).max(1)
    bad_vec = [i for i in range(len(texts)) if cos[i] < 0.99999 or diff[i] > 1e-4]
    print(f"token ids identical: {len(texts) - len(bad_ids)}/{len(texts)}; vectors within cosine 0.99999 and 1e-4: "
          f"{len(texts) - len(bad_vec)}/{len(texts)} (min cosine {cos.min():.7f}, max abs diff {diff.max():.2e})")
    for i in (bad_ids + bad_vec)[:10]:
        print(f"  differs: {texts[i]!r}")
    sys.exit(1 if bad_ids or bad_vec else 0)


if __name__ == "__main__":
    main()

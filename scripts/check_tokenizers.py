"""Compares `exemplar tokenize` with Hugging Face tokenizers (see scripts/check-tokenizers).

For each tokenizer.json, writes the inputs as JSON Lines, runs
`exemplar tokenize --tokenizer-json FILE --max-length N` once and compares the ids line by
line with `Tokenizer.from_file(FILE).encode(text).ids` truncated at N."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tokenizer_common as common  # noqa: E402

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
from tokenizers import Tokenizer  # noqa: E402

FIXTURES = common.ROOT / "Tests/Fixtures/tokenizers"
# The tiny model fixtures' tokenizers (scripts/make-model-fixtures.py), at their model_max_length.
MODEL_FIXTURES = ["tiny-roberta", "tiny-xlm-roberta", "tiny-mpnet"]


def max_length_of(folder: Path) -> int:
    if (folder / "max_length").exists():
        return int((folder / "max_length").read_text())
    return int(json.loads((folder / "tokenizer_config.json").read_text())["model_max_length"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exemplar", required=True)
    ap.add_argument("--minilm", required=True)
    ap.add_argument("--random", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--show", type=int, default=3)
    args = ap.parse_args()
    texts = common.random_strings(args.random, seed=args.seed) + common.MULTILINGUAL + common.data_sentences()
    folders = sorted(p for p in FIXTURES.iterdir() if (p / "max_length").exists() and p.name != "minilm")
    folders += [common.ROOT / "Tests/Fixtures" / name for name in MODEL_FIXTURES]
    total_bad = 0
    print(f"{len(texts)} inputs per tokenizer ({args.random} random, seed {args.seed})")
    with tempfile.TemporaryDirectory() as work:
        inputs = Path(work) / "inputs.jsonl"
        inputs.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts), encoding="utf-8")
        for folder in folders + [Path(args.minilm)]:
            name = folder.name if folder != Path(args.minilm) else "minilm"
            max_length = max_length_of(FIXTURES / name if name == "minilm" else folder)
            tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
            tok.no_padding()
            tok.enable_truncation(max_length)
            t0 = time.perf_counter()
            expected = [e.ids for e in tok.encode_batch(texts)]
            hf_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            out = subprocess.run([args.exemplar, "tokenize", "--tokenizer-json", str(folder / "tokenizer.json"),
                                  "--max-length", str(max_length), "--input", str(inputs)],
                                 capture_output=True, text=True)
            ours_s = time.perf_counter() - t0
            if out.returncode != 0:
                print(f"{name}: exemplar failed: {out.stderr.strip()}")
                total_bad += len(texts)
                continue
            ours = [json.loads(line)["ids"] for line in out.stdout.splitlines()]
            bad = [i for i, (a, b) in enumerate(zip(ours, expected)) if a != b] + list(range(len(ours), len(expected)))
            total_bad += len(bad)
            print(f"{name:18s} {len(bad):6d} mismatches of {len(texts)}   (HF encode_batch {hf_s:.2f} s, exemplar process {ours_s:.2f} s)")
            for i in bad[:args.show]:
                print(f"    {texts[i]!r}\n      ours {ours[i] if i < len(ours) else None}\n      HF   {expected[i]}")
    sys.exit(1 if total_bad else 0)


if __name__ == "__main__":
    main()

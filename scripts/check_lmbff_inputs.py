#!/usr/bin/env python3
"""Every context's token ids: LM-BFF's own run.py against `exemplar demos --sampling lmbff --ids`.

Runs scripts/make-lmbff-ids-fixtures.py's LM-BFF harness (run.py unmodified, monkeypatched from
outside) on the committed fixture data, keeping every (query, sample) feature instead of the
fixture's first and last queries, then `exemplar demos --data DIR --task TASK --embeddings
sbert-minilm --queries dev,test --lmbff-task TASK --tokenizer T --sampling lmbff --seed SEED --ids`
on the same files, and compares input_ids (up to the padding), mask_pos and the padded length of
every context. SST-2, sst-5, trec, MRPC, RTE x seeds 13, 42 x BERT (all-MiniLM-L6-v2) and the
byte-level BPE fixture tokenizer. About 5 minutes on 2 cores.

Usage (the Python 3.8 venv with LM-BFF's pins, see make-lmbff-ids-fixtures.py):
  /work/venv-lmbff/bin/python scripts/check_lmbff_inputs.py --lmbff /tmp/lmbff \
      --bert ~/.cache/exemplar/all-MiniLM-L6-v2 --exemplar .build/release/exemplar
"""
import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "Tests", "Fixtures")


def harness():
    spec = importlib.util.spec_from_file_location("lmbff_ids", os.path.join(HERE, "make-lmbff-ids-fixtures.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def every_context(dataset):
        n = len(dataset.query_examples)
        contexts = []
        for index, feature in enumerate(dataset.features):
            sample, query = divmod(index, n)
            length = sum(feature.attention_mask)
            contexts.append({"sample": sample, "query": query, "input_ids": feature.input_ids[:length],
                             "mask_pos": feature.mask_pos[0], "length": len(feature.input_ids)})
        return {"queries": n, "contexts": contexts}

    module.split_json = every_context
    return module


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lmbff", required=True)
    parser.add_argument("--bert", required=True)
    parser.add_argument("--exemplar", default=os.path.join(HERE, "..", ".build", "release", "exemplar"))
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="check-lmbff-inputs-")
    try:
        # LM-BFF's side: the fixture harness writing every context into a copy of the fixtures.
        copy = os.path.join(work, "Fixtures")
        os.makedirs(copy)
        for name in ["lmbff-ids", "demos"]:
            shutil.copytree(os.path.join(FIXTURES, name), os.path.join(copy, name))
        module = harness()
        sys.argv = ["make-lmbff-ids-fixtures.py", "--lmbff", args.lmbff, "--bert", args.bert, "--fixtures", copy]
        module.main()
        tokenizers = {"bert": os.path.expanduser(args.bert), "bpe": os.path.join(FIXTURES, "lmbff-ids", "bpe", "tokenizer.json")}
        total = differ = 0
        for task in module.TASKS:
            for seed in module.SEEDS:
                data = os.path.join(work, "data", f"{task}-{seed}")
                shutil.copytree(os.path.join(FIXTURES, "lmbff-ids", "data", task, f"16-{seed}"), data)
                for split in ["train", "dev", "test"]:
                    vectors = np.load(os.path.join(FIXTURES, "demos", f"{task}-{seed}-{split}.npy")).astype(np.float32)
                    np.save(os.path.join(data, f"{split}_sbert-minilm.npy"), vectors)
                for name, tokenizer in tokenizers.items():
                    with open(os.path.join(copy, "lmbff-ids", f"{task}-{seed}-{name}.json")) as f:
                        reference = json.load(f)
                    out = subprocess.run([args.exemplar, "demos", "--data", data, "--task", task, "--embeddings", "sbert-minilm",
                                          "--queries", "dev,test", "--lmbff-task", task, "--tokenizer", tokenizer,
                                          "--sampling", "lmbff", "--seed", str(seed), "--ids"],
                                         check=True, capture_output=True, text=True).stdout.splitlines()
                    rows = [json.loads(line) for line in out]
                    samples, offset, bad, count = reference["num_sample"], 0, 0, 0
                    for split in ["dev", "test"]:
                        expected = reference["splits"][split]
                        for c in expected["contexts"]:
                            row = rows[offset + c["query"] * samples + c["sample"]]
                            length = sum(row["attention_mask"])
                            count += 1
                            bad += (row["input_ids"][:length] != c["input_ids"] or row["mask_pos"] != [c["mask_pos"]]
                                    or len(row["input_ids"]) != c["length"])
                        offset += expected["queries"] * samples
                    assert offset == len(rows), (task, seed, name, offset, len(rows))
                    total += count
                    differ += bad
                    print(f"{task} {seed} {name}: {count} contexts, {bad} differ", flush=True)
        print(f"{total} contexts, {differ} differ")
        sys.exit(1 if differ else 0)
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Token-id fixtures from LM-BFF's own code: what run.py feeds the model for dev and test.

Runs princeton-nlp/LM-BFF (commit c282f52) run.py's `main()` unmodified, monkeypatched only
from outside, on Python 3.8 with LM-BFF's pins (torch 1.6, transformers 3.4.0, tokenizers 0.9.2,
sentence-transformers 0.4.0):

  * `run.set_seed`: the first call (before the datasets) is the real one; the second, which
    run.py makes right after building the train, dev and test datasets, stops main() before
    any model is loaded (no weights needed);
  * `run.FewShotDataset`: a subclass that only records each dataset it builds;
  * `FewShotDataset.select_context`: the original, recording which support examples it drew.

Everything else is LM-BFF's: argument parsing, the demonstration template (auto_demo), the
label-word ids, `--demo_filter` (cosine filter, rate 0.5), `np.random.permutation` draws
(sample-major, dev before test after `set_seed(seed)`), `tokenize_multipart_input` (sentence
limits, `--double_demo`, padding and tail truncation). Settings per task are run_experiment.sh's
(template, mapping and TASK_EXTRA), with `--demo_filter --demo_filter_model sbert-minilm`.

Inputs (committed): Tests/Fixtures/lmbff-ids/data/TASK/16-SEED (LM-BFF's k-shot train and dev,
the first 40 test rows); embeddings = Tests/Fixtures/demos/TASK-SEED-{split}.npy (float16
all-MiniLM-L6-v2 vectors, made by scripts/lmbff-demo-reference.py) written as the float32
`{split}_sbert-minilm.npy` LM-BFF loads; tokenizers: BERT = the all-MiniLM-L6-v2 folder's
vocab.txt (slow BertTokenizer, lower-cased), byte-level BPE = Tests/Fixtures/lmbff-ids/bpe
(vocab.json + merges.txt derived here from its tokenizer.json, slow RobertaTokenizer).

Output Tests/Fixtures/lmbff-ids/TASK-SEED-TOKENIZER.json: LM-BFF's extended template, max
length, label-word ids, num_sample, and per split (dev, test) `demos` (the support rows drawn
for every context, in feature order: sample-major, then query; each in label order, as
convert_fn concatenates them)
and `contexts` for the first and last queries (every sample): `input_ids` up to the first pad
(`attention_mask` is 1 exactly there), `mask_pos`, `length` (the padded length) and whether
token type ids were returned.

Usage (python 3.8 venv with LM-BFF's pins; LM-BFF's work tree from `git archive`):
  /work/venv-lmbff/bin/python scripts/make-lmbff-ids-fixtures.py --lmbff /tmp/lmbff \
      --bert ~/.cache/exemplar/all-MiniLM-L6-v2 --fixtures Tests/Fixtures
About 1 minute.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile

import numpy as np

TASKS = {  # run_experiment.sh: template, mapping, TASK_EXTRA
    "SST-2": ("*cls**sent_0*_It_was*mask*.*sep+*", "{'0':'terrible','1':'great'}", []),
    "sst-5": ("*cls**sent_0*_It_was*mask*.*sep+*", "{0:'terrible',1:'bad',2:'okay',3:'good',4:'great'}",
              ["--first_sent_limit", "110", "--other_sent_limit", "20", "--double_demo"]),
    "trec": ("*cls**mask*:*+sent_0**sep+*",
             "{0:'Description',1:'Entity',2:'Expression',3:'Human',4:'Location',5:'Number'}",
             ["--first_sent_limit", "110", "--double_demo"]),
    "MRPC": ("*cls**sent_0**mask*,*+sentl_1**sep+*", "{'0':'No','1':'Yes'}", []),
    "RTE": ("*cls**sent-_0*?*mask*,*+sentl_1**sep+*", "{'not_entailment':'No','entailment':'Yes'}",
            ["--max_seq_len", "256", "--first_sent_limit", "240"]),
}
SEEDS = [13, 42]
EMBEDDING = "sbert-minilm"


class Stop(Exception):
    pass


def bert_folder(root, minilm):
    folder = os.path.join(root, "bert")
    os.makedirs(folder)
    shutil.copy(os.path.join(minilm, "vocab.txt"), folder)
    with open(os.path.join(minilm, "config.json")) as f:
        config = json.load(f)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump({"model_type": "bert", "vocab_size": config["vocab_size"]}, f)
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump({"do_lower_case": True, "model_max_length": 512}, f)
    return folder


def bpe_folder(root, tokenizer_json):
    """vocab.json + merges.txt of tokenizer.json's BPE model, as roberta-base ships them."""
    folder = os.path.join(root, "bpe")
    os.makedirs(folder)
    with open(tokenizer_json, encoding="utf-8") as f:
        model = json.load(f)["model"]
    with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(model["vocab"], f, ensure_ascii=False)
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for merge in model["merges"]:
            f.write((merge if isinstance(merge, str) else " ".join(merge)) + "\n")
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump({"model_type": "roberta", "vocab_size": len(model["vocab"])}, f)
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump({"model_max_length": 512}, f)
    return folder


def data_folder(root, fixtures, task, seed):
    """LM-BFF's data dir: the committed splits and float32 embedding files."""
    folder = os.path.join(root, "data", task, f"16-{seed}")
    shutil.copytree(os.path.join(fixtures, "lmbff-ids", "data", task, f"16-{seed}"), folder)
    for split in ["train", "dev", "test"]:
        vectors = np.load(os.path.join(fixtures, "demos", f"{task}-{seed}-{split}.npy")).astype(np.float32)
        np.save(os.path.join(folder, f"{split}_{EMBEDDING}.npy"), vectors)
    return folder


def run_lmbff(run, dataset_module, task, seed, data_dir, tokenizer_dir, out_dir):
    """run.main() for one task and seed; the datasets it built, in build order."""
    template, mapping, extra = TASKS[task]
    built = []
    real_set_seed = run.set_seed
    calls = [0]

    def set_seed(value):
        calls[0] += 1
        if calls[0] > 1:
            raise Stop()
        real_set_seed(value)

    class Recording(dataset_module.FewShotDataset):
        def __init__(self, *args, **kwargs):
            self.drawn = []
            super().__init__(*args, **kwargs)
            built.append(self)

    sys.argv = ["run.py", "--task_name", task, "--data_dir", data_dir, "--overwrite_output_dir",
                "--do_train", "--do_eval", "--do_predict", "--model_name_or_path", tokenizer_dir,
                "--few_shot_type", "prompt-demo", "--num_k", "16", "--max_seq_length", "128",
                "--output_dir", out_dir, "--seed", str(seed), "--template", template, "--mapping", mapping,
                "--demo_filter", "--demo_filter_model", EMBEDDING, "--overwrite_cache"] + extra
    run.set_seed, run.FewShotDataset = set_seed, Recording
    try:
        run.main()
        raise RuntimeError("run.main() returned before its second set_seed")
    except Stop:
        pass
    finally:
        run.set_seed, run.FewShotDataset = real_set_seed, dataset_module.FewShotDataset
    return built


def split_json(dataset):
    features = dataset.features
    n = len(dataset.query_examples)
    assert len(features) == n * dataset.num_sample == len(dataset.drawn)
    keep = {0, n - 1}
    contexts = []
    for index, feature in enumerate(features):
        sample, query = divmod(index, n)
        if query not in keep:
            continue
        length = sum(feature.attention_mask)
        assert feature.attention_mask == [1] * length + [0] * (len(feature.input_ids) - length)
        contexts.append({"sample": sample, "query": query,
                         "input_ids": " ".join(str(i) for i in feature.input_ids[:length]),
                         "mask_pos": feature.mask_pos[0], "length": len(feature.input_ids),
                         "token_type_ids": feature.token_type_ids is not None})
    return {"queries": n, "demos": dataset.drawn, "contexts": contexts}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lmbff", required=True, help="LM-BFF work tree (commit c282f52)")
    parser.add_argument("--bert", required=True, help="all-MiniLM-L6-v2 folder (its vocab.txt)")
    parser.add_argument("--fixtures", default="Tests/Fixtures")
    args = parser.parse_args()
    fixtures = os.path.abspath(args.fixtures)
    root = tempfile.mkdtemp(prefix="lmbff-ids-")
    tokenizers = {"bert": bert_folder(root, os.path.expanduser(args.bert)),
                  "bpe": bpe_folder(root, os.path.join(fixtures, "lmbff-ids", "bpe", "tokenizer.json"))}
    sys.path.insert(0, os.path.abspath(args.lmbff))
    cwd = os.getcwd()
    os.chdir(root)  # run.py writes nothing before it stops, but keep its cwd out of the repo
    import run  # noqa: E402  (LM-BFF's run.py)
    import src.dataset as dataset_module  # noqa: E402

    def select_context(self, context_examples):
        chosen = original(self, context_examples)
        rows = {id(e): i for i, e in enumerate(self.support_examples)}
        # convert_fn concatenates them in label order, whatever order they were drawn in.
        in_label_order = sorted(chosen, key=lambda e: self.label_list.index(e.label))
        self.drawn.append([rows[id(e)] for e in in_label_order])
        return chosen

    original = dataset_module.FewShotDataset.select_context
    dataset_module.FewShotDataset.select_context = select_context
    try:
        for task in TASKS:
            for seed in SEEDS:
                data_dir = data_folder(root, fixtures, task, seed)
                for name, folder in tokenizers.items():
                    built = run_lmbff(run, dataset_module, task, seed, data_dir, folder, os.path.join(root, "out"))
                    train, dev, test = built
                    assert [d.mode for d in built] == ["train", "dev", "test"]
                    result = {"task": task, "seed": seed, "tokenizer": name, "template": dev.args.template,
                              "max_length": len(dev.features[0].input_ids),
                              "label_word_ids": dev.label_word_list, "num_sample": dev.num_sample,
                              "splits": {"dev": split_json(dev), "test": split_json(test)}}
                    path = os.path.join(fixtures, "lmbff-ids", f"{task}-{seed}-{name}.json")
                    with open(path, "w") as f:
                        json.dump(result, f, separators=(",", ":"))
                        f.write("\n")
                    print(path, "dev", result["splits"]["dev"]["queries"], "test", result["splits"]["test"]["queries"])
    finally:
        os.chdir(cwd)
        shutil.rmtree(root)


if __name__ == "__main__":
    main()

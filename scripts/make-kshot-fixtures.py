"""Make the k-shot fixtures in Tests/Fixtures/data/kshot (KShotSamplerTests, CLI tests).

1. Writes a small synthetic `original/` folder: MRPC (GLUE TSV: UTF-8 BOM header, label
   first, CRLF and lone-CR line breaks, a last line without a line break, stray spaces before
   the line break) and sst-5 (header-less CSV: BOM, quoted commas, doubled quotes, a quoted
   line break, text after a closing quote, pandas NA strings, an empty cell, a padded row,
   blank and whitespace-only lines, labels written " 3" and "+2", CRLF).
2. Runs LM-BFF's tools/generate_k_shot_data.py algorithm on it (mirrored below from
   princeton-nlp/LM-BFF @ c282f52, K=4 for MRPC and K=2 for sst-5, seeds 13 21 42 87 100) and
   writes `k-shot/TASK/K-SEED/{train,dev,test}.{tsv,csv}`.

LM-BFF pinned pandas 1.1.5; pandas 2 added "None" to the default NA strings, so the CSV is
read with pandas 1.1.5's list given explicitly. Needs numpy and pandas:
    python3 -m venv /tmp/v && /tmp/v/bin/pip install numpy pandas
    /tmp/v/bin/python scripts/make-kshot-fixtures.py
Made with numpy 2.4.6, pandas 3.1.1, Python 3.11.7.
"""
import os
import shutil

import numpy as np
import pandas as pd
from pandas import DataFrame

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "data", "kshot")
GLUE = ["MNLI", "MRPC", "QNLI", "QQP", "RTE", "SNLI", "SST-2", "STS-B", "WNLI", "CoLA"]
PANDAS_115_NA = ["-1.#IND", "1.#QNAN", "1.#IND", "-1.#QNAN", "#N/A N/A", "#N/A", "N/A", "n/a", "NA", "<NA>",
                 "#NA", "NULL", "null", "NaN", "-NaN", "nan", "-nan", ""]
SEEDS = [100, 13, 21, 42, 87]
K = {"MRPC": 4, "sst-5": 2}

WORDS = ["the", "film", "a", "plot", "actors", "quietly", "bright", "dull", "score", "ending", "warm", "café",
         "naïve", "story", "moves", "slow", "clever", "script", "and", "but"]


def sentence(i, n=6):
    return " ".join(WORDS[(i * 7 + j * 3) % len(WORDS)] for j in range(n))


def write_original():
    mrpc = os.path.join(ROOT, "original", "MRPC")
    sst5 = os.path.join(ROOT, "original", "sst-5")
    for d in (mrpc, sst5):
        os.makedirs(d, exist_ok=True)
    header = "\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String"
    rows = []
    for i in range(22):
        label = "1" if i % 3 else "0"
        rows.append(f"{label}\t{1000 + i}\t{2000 + i}\t{sentence(i)} .\t{sentence(i + 5, 5)} \"q\" .")
    train = header + "\r\n"
    for i, row in enumerate(rows):
        if i == len(rows) - 1:
            train += row  # no final line break
        elif i % 5 == 1:
            train += row + "\r\n"
        elif i == 7:
            train += row + "\r"  # a lone CR ends a line too
        elif i == 9:
            train += row + "  \n"  # spaces before the break: stripped for the label, kept in the file
        else:
            train += row + "\n"
    with open(os.path.join(mrpc, "train.tsv"), "w", encoding="utf-8", newline="") as f:
        f.write(train)
    dev = header + "\r\n" + "".join(f"{i % 2}\t{3000 + i}\t{4000 + i}\t{sentence(i + 1)} .\t{sentence(i + 2)} .\r\n"
                                     for i in range(5))
    with open(os.path.join(mrpc, "dev.tsv"), "w", encoding="utf-8", newline="") as f:
        f.write(dev)

    special = [
        '3,"a film, with commas"', '2,"she said ""wow"" twice"', '4,"two\nlines"', '1,"quoted"then more',
        "0,NA", '2,"null"', "4,None", "1,", "3,nan", "0", " 3 ,padded label", "+2,plus label",
        '1,"crlf\r\ninside"', "0,naïve café ☕", "4, leading space", "2,'single quotes'",
    ]
    lines = ["\ufeff4," + sentence(0)] + special
    for i in range(1, 16):
        lines.append(f"{i % 5},{sentence(i)}")
    text = ""
    for i, line in enumerate(lines):
        text += line + ("\r\n" if i % 4 == 3 else "\n")
        if i == 5:
            text += "\n"  # blank line
        if i == 11:
            text += "  \t \n"  # whitespace-only line
    with open(os.path.join(sst5, "train.csv"), "w", encoding="utf-8", newline="") as f:
        f.write(text)
    test = '2,"a test, row"\n0,NULL\n4,plain test row\n1,"x ""y"" z"\n'
    with open(os.path.join(sst5, "test.csv"), "w", encoding="utf-8", newline="") as f:
        f.write(test)


# ---- LM-BFF's tools/generate_k_shot_data.py, mirrored for these fixtures ----

def get_label(task, line):
    if task in GLUE:
        line = line.strip().split('\t')
        if task == 'CoLA':
            return line[1]
        elif task == 'MRPC':
            return line[0]
        elif task == 'STS-B':
            return 0 if float(line[-1]) < 2.5 else 1
        return line[-1]
    return line[0]


def load(task, data_dir):
    dirname = os.path.join(data_dir, task)
    dataset = {}
    if task in GLUE:
        for split in (["train", "dev_matched", "dev_mismatched"] if task == "MNLI" else ["train", "dev"]):
            with open(os.path.join(dirname, f"{split}.tsv"), "r", encoding="utf-8") as f:
                dataset[split] = f.readlines()
    else:
        for split in ["train", "test"]:
            dataset[split] = pd.read_csv(os.path.join(dirname, f"{split}.csv"), header=None,
                                         keep_default_na=False, na_values=PANDAS_115_NA)
    return dataset


def generate(task, dataset, k, seed, output_dir):
    np.random.seed(seed)
    if task in GLUE:
        train_header, train_lines = ([], dataset["train"]) if task == "CoLA" else (dataset["train"][0:1], dataset["train"][1:])
        np.random.shuffle(train_lines)
    else:
        train_lines = dataset['train'].values.tolist()
        np.random.shuffle(train_lines)
    setting_dir = os.path.join(output_dir, task, f"{k}-{seed}")
    os.makedirs(setting_dir, exist_ok=True)
    if task in GLUE:
        for split, lines in dataset.items():
            if split.startswith("train"):
                continue
            with open(os.path.join(setting_dir, f"{split.replace('dev', 'test')}.tsv"), "w", encoding="utf-8") as f:
                for line in lines:
                    f.write(line)
    else:
        dataset['test'].to_csv(os.path.join(setting_dir, 'test.csv'), header=False, index=False)
    label_list = {}
    for line in train_lines:
        label_list.setdefault(get_label(task, line), []).append(line)
    if task in GLUE:
        with open(os.path.join(setting_dir, "train.tsv"), "w", encoding="utf-8") as f:
            for line in train_header:
                f.write(line)
            for label in label_list:
                for line in label_list[label][:k]:
                    f.write(line)
        with open(os.path.join(setting_dir, "dev_matched.tsv" if task == "MNLI" else "dev.tsv"), "w", encoding="utf-8") as f:
            for line in train_header:
                f.write(line)
            for label in label_list:
                for line in label_list[label][k:k * 2]:
                    f.write(line)
    else:
        DataFrame([l for label in label_list for l in label_list[label][:k]]).to_csv(
            os.path.join(setting_dir, 'train.csv'), header=False, index=False)
        DataFrame([l for label in label_list for l in label_list[label][k:k * 2]]).to_csv(
            os.path.join(setting_dir, 'dev.csv'), header=False, index=False)


def main():
    shutil.rmtree(os.path.join(ROOT, "original"), ignore_errors=True)
    shutil.rmtree(os.path.join(ROOT, "k-shot"), ignore_errors=True)
    write_original()
    for task, k in K.items():
        for seed in SEEDS:
            # Reloaded per seed: LM-BFF shuffles the loaded GLUE lines in place, but the shuffle
            # of a list depends only on its length, so reloading gives the same files.
            generate(task, load(task, os.path.join(ROOT, "original")), k, seed, os.path.join(ROOT, "k-shot"))
    print("wrote", ROOT)


if __name__ == "__main__":
    main()

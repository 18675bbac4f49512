#!/usr/bin/env python3
"""A small RoBERTa-style byte-level BPE tokenizer for the LM-BFF token-id fixtures.

The committed byte-level BPE fixtures (tiny-roberta, tokenizers/bpe-roberta) lack most of
LM-BFF's label words as single space-prefixed tokens (` Description`, ` Yes`, ...), which
LM-BFF asserts. This trains one with Hugging Face tokenizers on the fixture data's sentences
(Tests/Fixtures/lmbff-ids/data, every split) plus each label word of the five tasks, with
RoBERTa's special tokens (<s>=0, <pad>=1, </s>=2, <unk>=3, <mask>=4, mask with lstrip as
roberta-base has it), RoBERTa's post-processor and the ByteLevel pre-tokenizer and decoder.

It writes OUT/tokenizer.json, what Exemplar reads; scripts/make-lmbff-ids-fixtures.py
derives from it the vocab.json + merges.txt that transformers 3.4.0's slow RobertaTokenizer
(the one LM-BFF runs) reads, so both read one tokenizer.

Usage: .venv/bin/python scripts/make-lmbff-bpe.py --data Tests/Fixtures/lmbff-ids/data \
           --out Tests/Fixtures/lmbff-ids/bpe
"""
import argparse
import csv
import glob
import json
import os

from tokenizers import AddedToken, ByteLevelBPETokenizer
from tokenizers.processors import RobertaProcessing

LABEL_WORDS = ["terrible", "great", "bad", "okay", "good", "Description", "Entity", "Expression",
               "Human", "Location", "Number", "No", "Yes", "Maybe"]
SPECIAL = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]


def sentences(data):
    """Every sentence cell of the fixture data files (TSV with a header, or header-less CSV)."""
    out = []
    for path in sorted(glob.glob(os.path.join(data, "*", "*", "*.*sv"))):
        with open(path, newline="", encoding="utf-8") as f:
            if path.endswith(".csv"):
                for row in csv.reader(f):
                    out += row[1:]
            else:
                for line in f.read().splitlines()[1:]:
                    out += line.split("\t")
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--vocab-size", type=int, default=3000)
    args = parser.parse_args()
    text = sentences(args.data)
    # Each label word often enough, after a space and alone, to become one token.
    text += [" ".join(["x " + w] * 40) for w in LABEL_WORDS]
    tok = ByteLevelBPETokenizer(add_prefix_space=False, trim_offsets=True)
    tok.train_from_iterator(text, vocab_size=args.vocab_size, min_frequency=2, special_tokens=SPECIAL)
    tok.add_special_tokens([AddedToken("<mask>", lstrip=True, special=True)])
    tok.post_processor = RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True, add_prefix_space=False)
    for w in LABEL_WORDS:
        ids = tok.encode(" " + w, add_special_tokens=False).ids
        assert len(ids) == 1, f"label word {w!r} is {ids}"
    os.makedirs(args.out, exist_ok=True)
    tok.save(os.path.join(args.out, "tokenizer.json"))
    print(f"{args.out}/tokenizer.json: {tok.get_vocab_size()} tokens")


if __name__ == "__main__":
    main()

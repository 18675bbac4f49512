"""`exemplar tokenize --words` against nltk's word_tokenize (what OpenICL's BM25Retriever
tokenizes with), on every text of the data sets in ../shared/data/original (pairs joined with a
space, as OpenICL joins input columns) and on seeded random strings built from the characters
the Treebank and Punkt rules look at. Prints the counts and the first differences; with
--write-fixture, writes Tests/Fixtures/bm25/word-tokenize.jsonl (a sample of both, with nltk's
tokens: 300 data set texts where word_tokenize differs from str.split, 100 where it does not, 300 random strings) for ExemplarLexicalTests.
"""
import argparse
import json
import random
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

from bm25_common import ROOT, SHARED, nltk_data, read_split

ALL_TASKS = ["SST-2", "sst-5", "trec", "MRPC", "RTE", "mr", "cr", "subj", "mpqa", "SST-2-GLUE"]

PIECES = ["can", "not", "cannot", "CanNot", "gonna", "wanna", "gimme", "lemme", "gotta", "d'ye", "more'n", "'tis", "'Twas",
          "n't", "'s", "'S", "'ll", "'re", "'ve", "'m", "'d", "don't", "I'm", "it's", "O'Neil", "rock'n'roll",
          "Mr.", "Dr.", "U.S.", "e.g.", "i.e.", "No.", "St.", "Inc.", "J.", "A.", "3.", "1.5", "$3.88", "3,000", "10:30",
          "...", "..", ". . .", "--", "---", "?", "!", "?!", ".", ",", ":", ";", "@", "#", "%", "&", "*", "(", ")", "[", "]",
          "{", "}", "<", ">", "\"", "''", "``", "`", "'", "«", "»", "“", "”", "‘", "’", "„", "\u2012", "\u2013", "\u2014",
          "\u2015", "word", "Word", "WORD", "the", "The", "He", "She", "But", "It", "café", "naïve", "İstanbul", "ſ", "K",
          "ı", "٣", "²", "½", "Ⅻ", "日本", "_", "x", "a1", "-", "/", "\\", "+", "="]
SPACES = [" ", " ", " ", " ", "  ", "\t", "\n", "\u00a0", "\u2009", "\u3000", "\x1c", "\x85", "\r\n", ""]


def random_text(rng):
    parts = []
    for _ in range(rng.randint(1, 14)):
        if rng.random() < 0.15:
            c = chr(rng.randint(0x20, 0x2FFF))
            if unicodedata.category(c) in ("Cn", "Cs", "Co"):
                c = "?"
            parts.append(c)
        else:
            parts.append(rng.choice(PIECES))
        parts.append(rng.choice(SPACES))
    return "".join(parts)


def real_texts():
    texts = []
    for task in ALL_TASKS:
        folder = SHARED / "original" / task
        if task == "SST-2-GLUE":
            continue
        for f in sorted(folder.iterdir()):
            texts += [t for _, t in read_split(folder, task, f.stem)]
    return texts


def exemplar_words(binary, texts):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
        path = f.name
    out = subprocess.run([binary, "tokenize", "--words", "--input", path], check=True, capture_output=True).stdout
    Path(path).unlink()
    return [json.loads(line)["tokens"] for line in out.decode("utf-8").splitlines()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--exemplar", default=str(ROOT / ".build" / "debug" / "exemplar"))
    ap.add_argument("--random", type=int, default=20000, help="random strings (default 20,000)")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--write-fixture", action="store_true")
    a = ap.parse_args()
    nltk_data()
    import nltk
    from nltk.tokenize import word_tokenize

    rng = random.Random(a.seed)
    real = real_texts()
    rand = [random_text(rng) for _ in range(a.random)]
    failed = False
    samples = {}
    for name, texts in [("data set texts", real), ("random strings", rand)]:
        # The JSON Lines reader refuses empty texts, as the index does.
        texts = [t for t in texts if t.strip()]
        ours = exemplar_words(a.exemplar, texts)
        theirs = [word_tokenize(t) for t in texts]
        bad = [(t, o, r) for t, o, r in zip(texts, ours, theirs) if o != r]
        print(f"{name}: {len(texts) - len(bad)} of {len(texts)} tokenized as nltk {nltk.__version__} does")
        for t, o, r in bad[:8]:
            print(f"  text  {t!r}\n  ours  {o}\n  nltk  {r}")
        failed |= bool(bad)
        samples[name] = (texts, theirs)
    if a.write_fixture:
        out = ROOT / "Tests" / "Fixtures" / "bm25" / "word-tokenize.jsonl"
        out.parent.mkdir(parents=True, exist_ok=True)
        texts, tokens = samples["data set texts"]
        # Texts where sentence splitting or a rule beyond whitespace matters, then plain ones.
        interesting = [i for i, t in enumerate(texts) if tokens[i] != t.split()]
        plain = [i for i, t in enumerate(texts) if tokens[i] == t.split()]
        picked = random.Random(1).sample(interesting, min(300, len(interesting))) + random.Random(2).sample(plain, 100)
        rows = [(texts[i], tokens[i]) for i in sorted(picked)]
        rtexts, rtokens = samples["random strings"]
        rows += list(zip(rtexts[:300], rtokens[:300]))
        with out.open("w", encoding="utf-8") as f:
            for t, toks in rows:
                f.write(json.dumps({"text": t, "tokens": toks}, ensure_ascii=False) + "\n")
        print(f"wrote {out} ({len(rows)} texts)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

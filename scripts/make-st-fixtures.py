#!/usr/bin/env python3
"""Writes the sentence-transformers module fixtures (Tests/Fixtures/st/): tiny random BERT
sentence-transformers folders with the modules and options beyond Transformer → Pooling →
Normalize, and what sentence-transformers itself gives for them.

    scripts/setup-python
    "${EXEMPLAR_VENV:-.venv}/bin/python" scripts/make-st-fixtures.py --out Tests/Fixtures/st

Folders (one random BERT each: hidden 32, 2 layers, 2 heads, the vocab.txt of
Tests/Fixtures/tiny-bert-max, uncased, max_seq_length 32):
- dense/: mean pooling → Dense 32→24 Tanh (with bias) → Dense 24→20 Identity (no bias) → Normalize
- prompts/: mean pooling → Normalize; config_sentence_transformers.json with prompts
  query/passage, default_prompt_name "query" and truncate_dim 16 (sentence-transformers reads
  truncate_dim only as SentenceTransformer(truncate_dim=), so the references pass it so)
- lasttoken/: last-token pooling, no Normalize
- weightedmean/: weighted-mean pooling → Normalize
- include-prompt/: pooling_mode [lasttoken, mean, cls, weightedmean, max] (list order is the
  concatenation order) with include_prompt false, prompts query/passage, no default

reference.json per folder: {"texts": [...], "cases": [{"name", "prompt_name", "prompt",
"dimensions", "ids": [[...]], "vectors": "FILE.npy"}]}; each case's vectors are
`model.encode(texts, prompt_name=, prompt=, truncate_dim=, normalize_embeddings=N)` with
N true when the folder has a Normalize module (truncate, then normalise), float32 [n, dim].
Deterministic (fixed seeds); it reloads each folder from disk for the references.
"""
import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
import torch
from sentence_transformers import SentenceTransformer, models

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "Tests/Fixtures/tiny-bert-max"

EXTRA = [
    "", "query: already prefixed", "passage: a passage that starts with its prompt",
    "a gripping thriller", "a dull , lifeless mess", "The movie was great!",
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty twenty-one twenty-two twenty-three twenty-four",
]


def texts():
    rows = [json.loads(l) for l in open(TINY / "reference.jsonl", encoding="utf-8") if l.strip()]
    picked = [r["text"] for r in rows][::3][:22]
    return list(dict.fromkeys(EXTRA + picked))


def make_bert(tmp: Path, seed: int):
    from transformers import BertConfig, BertModel, BertTokenizer
    vocab = (TINY / "vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]
    hf = tmp / f"hf-{seed}"
    hf.mkdir()
    tok = BertTokenizer(str(TINY / "vocab.txt"), do_lower_case=True, strip_accents=None, tokenize_chinese_chars=True)
    torch.manual_seed(seed)
    cfg = BertConfig(vocab_size=len(vocab), hidden_size=32, num_attention_heads=2, num_hidden_layers=2,
                     intermediate_size=64, max_position_embeddings=64, layer_norm_eps=1e-7,
                     type_vocab_size=2, hidden_act="gelu", initializer_range=0.2, pad_token_id=0)
    bert = BertModel(cfg).eval()
    with torch.no_grad():
        for name, p in bert.named_parameters():
            if "LayerNorm" in name:
                p.add_(torch.randn_like(p) * 0.2)
    bert.save_pretrained(hf, safe_serialization=True)
    tok.save_pretrained(hf)
    return models.Transformer(str(hf), max_seq_length=32), vocab


def save(out: Path, modules, vocab, prompts=None, default_prompt_name=None, truncate_dim=None):
    if out.exists():
        shutil.rmtree(out)
    kw = {}
    if prompts is not None:
        kw["prompts"] = prompts
        kw["default_prompt_name"] = default_prompt_name
    SentenceTransformer(modules=modules, device="cpu", **kw).save(str(out))
    (out / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    for junk in ["tokenizer.json", "README.md"]:
        (out / junk).unlink(missing_ok=True)
    cfg_path = out / "config_sentence_transformers.json"
    cfg = json.loads(cfg_path.read_text()) if cfg_path.exists() else {}
    cfg.pop("__version__", None)
    if prompts is None:
        cfg.pop("prompts", None)
        cfg.pop("default_prompt_name", None)
    if truncate_dim is not None:
        cfg["truncate_dim"] = truncate_dim
    if cfg:
        cfg_path.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    else:
        cfg_path.unlink(missing_ok=True)
    tc = json.loads((out / "tokenizer_config.json").read_text())
    tc.pop("is_local", None)
    tc.pop("local_files_only", None)
    (out / "tokenizer_config.json").write_text(json.dumps(tc, indent=2, sort_keys=True) + "\n")


def references(out: Path, sentences, cases, truncate_dim=None):
    model = SentenceTransformer(str(out), device="cpu", truncate_dim=truncate_dim)
    normalized = any(type(m).__name__ == "Normalize" for m in model)
    written = []
    for case in cases:
        kw = {k: case[k] for k in ["prompt_name", "prompt"] if case.get(k) is not None}
        if case.get("dimensions") is not None:
            kw["truncate_dim"] = case["dimensions"]
        emb = model.encode(sentences, batch_size=8, convert_to_numpy=True, normalize_embeddings=normalized, **kw)
        emb = np.ascontiguousarray(emb, dtype=np.float32)
        again = model.encode(sentences, batch_size=3, convert_to_numpy=True, normalize_embeddings=normalized, **kw)
        assert float(np.abs(again - emb).max()) < 1e-5, "references depend on the batch size"
        # The ids the model sees: the resolved prompt + text, as encode forms them.
        prompt = model._resolve_prompt(case.get("prompt"), case.get("prompt_name"))
        ids = [model.tokenize([(prompt or "") + t])["input_ids"][0].tolist() for t in sentences]
        name = f"reference-{case['name']}.npy"
        np.save(out / name, emb)
        written.append({**{k: case.get(k) for k in ["name", "prompt_name", "prompt", "dimensions"]},
                        "ids": ids, "vectors": name, "shape": list(emb.shape)})
    (out / "reference.json").write_text(json.dumps({"texts": sentences, "cases": written}, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
    return {c["name"]: c["shape"] for c in written}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "Tests/Fixtures/st"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sentences = texts()
    tmp = Path(tempfile.mkdtemp(prefix="exemplar-st-"))
    report = {}
    try:
        prompts = {"query": "query: ", "passage": "passage: "}
        # dense
        t, vocab = make_bert(tmp, 11)
        torch.manual_seed(111)
        d1 = models.Dense(32, 24, bias=True, activation_function=torch.nn.Tanh())
        d2 = models.Dense(24, 20, bias=False, activation_function=torch.nn.Identity())
        with torch.no_grad():
            for d in (d1, d2):
                d.linear.weight.normal_(0, 0.4)
                if d.linear.bias is not None:
                    d.linear.bias.normal_(0, 0.2)
        save(out / "dense", [t, models.Pooling(32, pooling_mode="mean"), d1, d2, models.Normalize()], vocab)
        report["dense"] = references(out / "dense", sentences, [{"name": "default"}, {"name": "dim8", "dimensions": 8}])
        # prompts + truncate_dim
        t, vocab = make_bert(tmp, 12)
        save(out / "prompts", [t, models.Pooling(32, pooling_mode="mean"), models.Normalize()], vocab,
             prompts=prompts, default_prompt_name="query", truncate_dim=16)
        report["prompts"] = references(out / "prompts", sentences, [
            {"name": "default"}, {"name": "passage", "prompt_name": "passage"},
            {"name": "passage-dim32", "prompt_name": "passage", "dimensions": 32},
            {"name": "text-dim8", "prompt": "Represent this sentence: ", "dimensions": 8},
            {"name": "no-prompt", "prompt": ""}], truncate_dim=16)
        # lasttoken
        t, vocab = make_bert(tmp, 13)
        save(out / "lasttoken", [t, models.Pooling(32, pooling_mode="lasttoken")], vocab)
        report["lasttoken"] = references(out / "lasttoken", sentences, [{"name": "default"}, {"name": "dim12", "dimensions": 12}])
        # weightedmean
        t, vocab = make_bert(tmp, 14)
        save(out / "weightedmean", [t, models.Pooling(32, pooling_mode="weightedmean"), models.Normalize()], vocab)
        report["weightedmean"] = references(out / "weightedmean", sentences, [{"name": "default"}])
        # include_prompt false, several modes in a non-legacy order
        t, vocab = make_bert(tmp, 15)
        pooling = models.Pooling(32, pooling_mode=("lasttoken", "mean", "cls", "weightedmean", "max"), include_prompt=False)
        save(out / "include-prompt", [t, pooling], vocab, prompts=prompts)
        report["include-prompt"] = references(out / "include-prompt", sentences, [
            {"name": "default"}, {"name": "query", "prompt_name": "query"},
            {"name": "long-prompt", "prompt": "represent the following sentence for searching relevant passages , please : "}])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()

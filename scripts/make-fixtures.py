#!/usr/bin/env python3
"""Writes the reference fixtures the Swift tests compare against.

    .venv/bin/python scripts/make-fixtures.py --model MODEL_DIR --data ../shared/data --out Tests/Fixtures

- minilm/sentences.jsonl + embeddings.npy: token ids and vectors from sentence-transformers
  for real sentences (sampled from the data folder) and hand-written hard cases.
- tiny-bert-cls/, tiny-bert-max/: tiny random BERT folders of other shapes (cased CLS
  pooling without Normalize; uncased max pooling with Normalize), vocab.txt tokenizers only,
  with reference.jsonl + reference.npy made from the folders as reloaded from disk.
- unicode/*.txt: how Hugging Face tokenizers' BertNormalizer and BertPreTokenizer treat
  every code point (see unicode/README.md).
Deterministic: fixed seeds throughout.
"""
import argparse, csv, json, os, random, shutil, sys, tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
import numpy as np
import torch
from sentence_transformers import SentenceTransformer, models
from tokenizers import normalizers, pre_tokenizers

HARD_CASES = [
    "", "   \t ", "\n", "café naïve résumé", "e\u0301te\u0301 cafe\u0301", "Tiếng Việt có dấu",
    "ΣΊΣΥΦΟΣ και Σίσυφος", "İstanbul ılık IŞIK", "Straße STRASSE ẞ", "Ångström Å K", "ﬁne ﬂour ½ ² ³ Ⅻ",
    "中文分词测试，你好世界。", "日本語のテキストとカタカナ", "한국어 문장입니다", "mixed 中文 and English",
    "emoji 😀 👍🏽 ❤️ 🇫🇷", "new emoji 🥺 🫠 🧑‍🤝‍🧑 🪿", "zwj 👩‍👩‍👧‍👦 family",
    "ctrl\x00nul\x07bell", "tab\there\x0bvt\x0cff", "esc\x1b[31mred\x1b[0m", "del\x7fchar next\x85line",
    "zero\u200bwidth\u200cnon\u200djoiner\ufeffbom\u2060wj", "soft\u00adhyphen", "nbsp\u00a0space ideographic\u3000space",
    "line\u2028separator\u2029para", "ＡＢＣ full-width ａｂｃ １２３", "𝐀𝐁𝐂 math bold 𝓧", "private \ue000 use",
    "unassigned \u0378 \U0001FAFF here", "!!!???...", "--==>>", "¿¡«»„“”‘’…—–", "[SEP] at start",
    "hello [SEP] world", "[CLS][MASK]x", "[cls] lowercase special", "[UNK] token", "a[PAD]b",
    "https://example.com/path?q=1&x=2 mail@example.org", "3.14159 1,000,000 -42 +7 1e-5", "don't won't it's o'clock",
    "&amp; &lt;tag&gt; &#39;", "العربية نص", "עברית טקסט", "हिन्दी पाठ", "ภาษาไทย", "Русский текст ЁЖ",
    "x" * 150, "supercalifragilisticexpialidocious antidisestablishmentarianism",
    " ".join(["word"] * 400), " ".join(f"token{i}" for i in range(300)),
    "Ｈｅｌｌｏ，　ｗｏｒｌｄ！", "a\u0300\u0301\u0302 combining stack", "Ǆ ǅ ǆ titlecase", "ﬀ ﬃ ligature",
    "\ufffdreplacement char", "\u00b4acute \u02c6circ", "ﾊﾝｶｸ half-width katakana", "CamelCaseWords and UPPER",
    "tabs\t\tand   spaces", "trailing spaces   ", "   leading spaces", "$5 + 3 = 8 < 9 > 1 ^ ~ | `",
]


def real_sentences(data: Path, n: int, rng: random.Random):
    sources = []
    def tsv(path, cols):
        with open(path, encoding="utf-8-sig") as f:
            rows = f.read().splitlines()[1:]
        return [" ".join(r.split("\t")[c] for c in cols) if len(cols) > 1 else r.split("\t")[cols[0]] for r in rows if r]
    def csvs(path):
        with open(path, encoding="utf-8", newline="") as f:
            return [row[1] for row in csv.reader(f) if len(row) > 1]
    o = data / "original"
    sources.append(tsv(o / "SST-2/train.tsv", [0]))
    sources.append(tsv(o / "SST-2-GLUE/train.tsv", [0]))
    sources.append([r.split("\t")[1] for r in open(o / "RTE/train.tsv", encoding="utf-8").read().splitlines()[1:]])
    sources.append([r.split("\t")[3] for r in open(o / "MRPC/train.tsv", encoding="utf-8-sig").read().splitlines()[1:]])
    for task in ["sst-5", "trec", "mr", "cr", "mpqa", "subj"]:
        sources.append(csvs(o / task / "train.csv"))
    per = n // len(sources) + 1
    out = []
    for s in sources:
        out += rng.sample(s, per)
    return out[:n]


def write_refs(model, texts, folder: Path, stem_jsonl: str, stem_npy: str):
    with open(folder / stem_jsonl, "w", encoding="utf-8") as f:
        for t in texts:
            ids = model.tokenize([t])["input_ids"][0].tolist()
            f.write(json.dumps({"text": t, "ids": ids}, ensure_ascii=False) + "\n")
    emb = model.encode(texts, batch_size=32, convert_to_numpy=True).astype(np.float32)
    np.save(folder / stem_npy, np.ascontiguousarray(emb))


def tiny_vocab(minilm: Path, cased: bool):
    words = [l.rstrip("\n") for l in open(minilm / "vocab.txt", encoding="utf-8")]
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chars = [w for w in words if len(w) == 1 and ord(w) < 0x250]
    if cased:
        chars += [c.upper() for c in chars if c.isalpha() and c.upper() != c and len(c.upper()) == 1]
    chars = list(dict.fromkeys(chars))
    cont = ["##" + c for c in chars]
    whole = [w for w in words[1996:] if w.isalpha() and not w.startswith("##")][:900]
    if cased:
        whole += [w.capitalize() for w in whole[:200]]
    suffixes = ["##s", "##ing", "##ed", "##ly", "##er", "##est", "##tion", "##ment", "##ness", "##able"]
    return list(dict.fromkeys(special + chars + cont + whole + suffixes))


def make_tiny(out: Path, minilm: Path, *, cased: bool, pooling: str, normalize: bool, max_len: int, seed: int, texts):
    from transformers import BertConfig, BertModel, BertTokenizer
    torch.manual_seed(seed)
    tmp = Path(tempfile.mkdtemp())
    vocab = tiny_vocab(minilm, cased)
    (tmp / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tok = BertTokenizer(str(tmp / "vocab.txt"), do_lower_case=not cased)
    cfg = BertConfig(vocab_size=len(vocab), hidden_size=48, num_attention_heads=3, num_hidden_layers=2,
                     intermediate_size=96, max_position_embeddings=128, layer_norm_eps=1e-7,
                     type_vocab_size=2, hidden_act="gelu", initializer_range=0.2, pad_token_id=0)
    bert = BertModel(cfg, add_pooling_layer=False).eval()
    bert.save_pretrained(tmp / "hf", safe_serialization=True)
    tok.save_pretrained(tmp / "hf")
    for f in ["tokenizer.json"]:
        (tmp / "hf" / f).unlink(missing_ok=True)
    transformer = models.Transformer(str(tmp / "hf"), max_seq_length=max_len)
    pool = models.Pooling(48, pooling_mode=pooling)
    mods = [transformer, pool] + ([models.Normalize()] if normalize else [])
    if out.exists():
        shutil.rmtree(out)
    SentenceTransformer(modules=mods, device="cpu").save(str(out))
    for junk in ["tokenizer.json", "README.md", "config_sentence_transformers.json"]:
        (out / junk).unlink(missing_ok=True)
    # Only vocab.txt + tokenizer_config.json: exercises the tokenizer.json-less path.
    shutil.copy(tmp / "vocab.txt", out / "vocab.txt")
    reloaded = SentenceTransformer(str(out), device="cpu")
    write_refs(reloaded, texts, out, "reference.jsonl", "reference.npy")
    shutil.rmtree(tmp)


def unicode_tables(out: Path):
    out.mkdir(parents=True, exist_ok=True)
    cps = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    def ranges(name, value_of):
        lines, run = [], None
        for c in cps:
            v = value_of(c)
            if run and v == run[2] and c == run[1] + 1:
                run[1] = c
                continue
            if run and run[2] is not None:
                lines.append(f"{run[0]:04X} {run[1]:04X} {run[2]}")
            run = [c, c, v]
        if run and run[2] is not None:
            lines.append(f"{run[0]:04X} {run[1]:04X} {run[2]}")
        (out / name).write_text("\n".join(lines) + "\n")
        return len(lines)
    def batch_normalize(norm):
        # Each char between two sentinels 'q' (unaffected by every option used here).
        res = {}
        chunk = 4096
        for i in range(0, len(cps), chunk):
            part = cps[i:i + chunk]
            s = "".join("\x01q" + chr(c) + "q" for c in part)
            # \x01 is removed by clean_text; use a split marker that survives instead.
            s = "".join("q|" + chr(c) + "|q" for c in part)
            n = norm.normalize_str(s)
            pieces = n.split("q|")[1:]
            if len(pieces) != len(part):
                for c in part:
                    res[c] = norm.normalize_str("q|" + chr(c) + "|q")[2:-2]
                continue
            for c, p in zip(part, pieces):
                res[c] = p[:-2] if p.endswith("|q") else p
        return res
    clean = batch_normalize(normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=False, lowercase=False))
    counts = {}
    counts["clean.txt"] = ranges("clean.txt", lambda c: "removed" if clean[c] == "" else ("space" if clean[c] == " " and c != 0x20 else None))
    chinese = batch_normalize(normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=True, strip_accents=False, lowercase=False))
    counts["chinese.txt"] = ranges("chinese.txt", lambda c: "chinese" if chinese[c] == f" {chr(c)} " else None)
    pre = pre_tokenizers.BertPreTokenizer()
    def punct(c):
        pieces = [p for p, _ in pre.pre_tokenize_str("x" + chr(c) + "x")]
        if pieces == ["x", chr(c), "x"]:
            return "punct"
        if pieces == ["x", "x"]:
            return "space"
        return None
    counts["punct.txt"] = ranges("punct.txt", punct)
    for name, norm in [("lower.txt", normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=False, lowercase=True)),
                       ("strip.txt", normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=True, lowercase=False))]:
        mapped = batch_normalize(norm)
        lines = []
        for c in cps:
            if mapped[c] != chr(c):
                lines.append(f"{c:04X}" + "".join(f" {ord(x):04X}" for x in mapped[c]))
        (out / name).write_text("\n".join(lines) + "\n")
        counts[name] = len(lines)
    return counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--real", type=int, default=200)
    args = ap.parse_args()
    out, model_dir = Path(args.out), Path(args.model)
    rng = random.Random(42)
    texts = real_sentences(Path(args.data), args.real, rng) + HARD_CASES
    (out / "minilm").mkdir(parents=True, exist_ok=True)
    st = SentenceTransformer(str(model_dir), device="cpu")
    write_refs(st, texts, out / "minilm", "sentences.jsonl", "embeddings.npy")
    tiny_texts = texts[:25] + HARD_CASES[:40] + ["The Quick Brown Fox", "UPPER lower MiXeD"]
    make_tiny(out / "tiny-bert-cls", model_dir, cased=True, pooling="cls", normalize=False, max_len=24, seed=1, texts=tiny_texts)
    make_tiny(out / "tiny-bert-max", model_dir, cased=False, pooling="max", normalize=True, max_len=64, seed=2, texts=tiny_texts)
    counts = unicode_tables(out / "unicode")
    import sentence_transformers, tokenizers, transformers
    print(json.dumps({"sentences": len(texts), "unicode_lines": counts,
                      "versions": {"sentence-transformers": sentence_transformers.__version__,
                                   "transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
                                   "torch": torch.__version__}}, indent=1))


if __name__ == "__main__":
    main()

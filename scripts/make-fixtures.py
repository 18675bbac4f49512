#!/usr/bin/env python3
"""Writes the reference fixtures the Swift tests compare against (Tests/Fixtures).

    scripts/setup-python
    .venv/bin/python scripts/make-fixtures.py --model "$(scripts/fetch-model)" \\
        --data ../shared/data --out Tests/Fixtures

What it writes (see Tests/Fixtures/README.md):
- minilm/sentences.jsonl + embeddings.npy: the token ids and vectors sentence-transformers
  gives all-MiniLM-L6-v2 for real sentences sampled from the data folder plus hand-written
  hard cases.
- tiny-bert-cls/, tiny-bert-max/: tiny random BERT sentence-transformers folders of other
  shapes (cased + CLS pooling without Normalize; uncased + max pooling with Normalize), with
  vocab.txt tokenizers only (no tokenizer.json), and reference.jsonl + reference.npy taken
  from the folders as reloaded from disk.
- unicode/*.txt: how Hugging Face tokenizers' BertNormalizer and BertPreTokenizer treat every
  code point (see unicode/README.md).

Deterministic: fixed seeds, sorted inputs; a re-run writes identical files. After writing, it
reloads everything from disk and checks the files against a fresh encode (--no-check skips).
"""
import argparse
import csv
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
import torch
from sentence_transformers import SentenceTransformer, models
from tokenizers import normalizers, pre_tokenizers

# Hand-written inputs that stress the tokenizer. Invisible characters are written as escapes.
HARD_CASES = [
    # empty and whitespace
    "", "   \t ", "\n\n", "tabs\t\tand   spaces", "trailing spaces   ", "   leading spaces",
    # accents, combining marks, case mapping oddities
    "café naïve résumé coöperate", "e\u0301te\u0301 cafe\u0301 with combining acute",
    "a\u0300\u0301\u0302\u0303 stacked marks", "\u00c5 composed vs A\u030a decomposed",
    "combining after space \u0301 and alone", "Tiếng Việt có dấu: Nguyễn Thị Minh Khai",
    "ΣΊΣΥΦΟΣ και ο Σίσυφος ΟΔΟΣ", "İstanbul ılık IŞIK ıi İI", "Straße STRASSE ẞ groß",
    "\u212bngstr\u00f6m sign and 300 \u212a kelvin sign", "Ω ohm \u2126 vs omega; µ micro vs μ mu",
    "Ǆ ǅ ǆ ǈ titlecase digraphs", "ﬁne ﬂour ﬀ ﬃ ligatures", "x² y³ ½ ¼ ⁴ ₂ super and subscripts",
    "Ⅻ Roman numeral ⅻ Ⅳ", "\u00b4acute \u02c6circ ¨ ¸ ˜ spacing modifiers",
    "Ⓐⓑ circled ① ⑩", "CamelCaseWords and UPPER and iPhone McDonald's",
    # CJK
    "中文分词测试，你好世界。", "日本語のテキストとカタカナ、ひらがな。", "한국어 문장입니다. 안녕하세요",
    "mixed 中文 and English 日本 text", "ﾊﾝｶｸ half-width katakana ｶﾞ",
    "CJK ext B 𠀀𠀁 and compatibility 豈 ㈱ ㍿", "Hangul syllable 각 and jamo ㄱㅏ",
    # emoji
    "emoji 😀 👍🏽 ❤️ ☺ ✨", "new emoji 🥺 🫠 🪿 🫶🏼",
    "zwj 🧑\u200d🤝\u200d🧑 👩\u200d👩\u200d👧\u200d👦 👨\u200d💻 🏳️\u200d🌈",
    "flags 🇫🇷 🇯🇵 🇺🇸 and a tag sequence 🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F",
    "keycap 1\ufe0f\u20e3 #\ufe0f\u20e3 ©️ ™", "I❤NY 👋hello👋",
    "variation selectors ☃\ufe0e ☃\ufe0f 葛\U000E0100",
    # control characters
    "ctrl\x00nul\x07bell\x01soh", "tab\there\x0bvt\x0cff\rcr", "esc\x1b[31mred\x1b[0m",
    "del\x7fchar next\x85line", "\x00\x07\x1b",
    # invisible and special spaces
    "zero\u200bwidth\u200cnon\u200djoiner\ufeffbom\u2060wj", "\ufeffBOM at start",
    "soft\u00adhyphen co\u00adop\u00aderate", "nbsp\u00a0space ideographic\u3000space thin\u2009space en\u2002quad",
    "line\u2028separator\u2029para", "tag chars \U000E0041\U000E0042 hidden",
    # full-width, math alphanumerics, private use, unassigned, noncharacters
    "ＡＢＣ full-width ａｂｃ １２３ ！？", "Ｈｅｌｌｏ，\u3000ｗｏｒｌｄ！", "𝐀𝐁𝐂 math bold 𝓧𝔜 𝟙𝟚",
    "private \ue000 use \U000F0000", "unassigned \u0378 and \U0001FAFF here \U000E0080",
    "noncharacters \ufffe \uffff \U0010FFFF", "\ufffdreplacement char",
    # punctuation and symbols
    "!!!???...", "--==>>", "¿¡«»„“”‘’…—–", "§¶†‡•·° ±×÷ ¬¦",
    "$5 + 3 = 8 < 9 > 1 ^ ~ | ` \\ @ # % &", "€100 £50 ¥1000 ₹20 ₿0.5 ¢",
    "arrows → ← ⇒ ∀x∈ℝ: x² ≥ 0 ∑∫√∞",
    "hyphen-ated words, co-operate; semi:colon (paren) {brace} [bracket]", "a.b.c U.S.A. e.g. i.e.",
    # literal special tokens
    "[SEP] at start", "hello [SEP] world", "[CLS][MASK]x", "[cls] lowercase special [Cls]", "[UNK]",
    "a[PAD]b", "[MASK]ed token[MASK]", "[ SEP ] spaced [SEP",
    # URLs, numbers, quotes, markup
    "https://example.com/path?q=1&x=2#frag mail@example.org", "3.14159 1,000,000 -42 +7 1e-5 0x1F 50%",
    "don't won't it's o'clock rock'n'roll", "“Smart quotes” and ‘single’ and \"straight\" 'ones'",
    "&amp; &lt;tag&gt; &#39; &nbsp; <b>bold</b>",
    # other scripts
    "العربية نص مع تشكيل: مَرْحَبًا", "עברית טקסט שָׁלוֹם", "हिन्दी पाठ नमस्ते",
    "Devanagari क्ष with ZWJ क्\u200dष and ZWNJ क्\u200cष", "ภาษาไทย สวัสดีครับ", "Русский текст ЁЖ ёж Й й",
    "ქართული Ελληνικά Հայերեն", "Mongolian ᠮᠣᠩᠭᠣᠯ and Ethiopic ሰላም", "Tamil தமிழ் Bengali বাংলা",
    "digits ١٢٣ ۴۵۶ ௧௨ ๑๒", 
    # long words (> 100 chars is [UNK]) and long inputs that truncate
    "x" * 150, "y" * 300, "é" * 100, "é" * 101, "e\u0301" * 51,
    "supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
    " ".join(["word"] * 400), " ".join(f"token{i}" for i in range(300)),
    "the quick brown fox jumps over the lazy dog . " * 40,
]

# Extra mixed-case inputs for the tiny models (the cased one keeps case).
TINY_EXTRAS = [
    "The Quick Brown Fox", "UPPER lower MiXeD", "Élan ÉCOLE Über Ärger", "THE END", "Hello World Again",
    "Paris, London and New York", "ÀÉÎÕÜ àéîõü",
]


def read_tsv(path: Path, column: str):
    with open(path, encoding="utf-8-sig") as f:
        lines = f.read().split("\n")
    header = lines[0].rstrip("\r").split("\t")
    i = header.index(column)
    out = []
    for line in lines[1:]:
        cells = line.rstrip("\r").split("\t")
        if len(cells) == len(header):
            out.append(cells[i])
    return out


def read_label_csv(path: Path):
    with open(path, encoding="utf-8", newline="") as f:
        return [row[1] for row in csv.reader(f) if len(row) >= 2]


def real_sentences(data: Path, n: int, rng: random.Random):
    """About n sentences from the LM-BFF `original` folder, a few from every file, spread over
    the length range of each (short, middle, long thirds)."""
    o = data / "original"
    sources = [
        ("SST-2", read_tsv(o / "SST-2/train.tsv", "sentence")),
        ("SST-2-GLUE", read_tsv(o / "SST-2-GLUE/train.tsv", "sentence")),
        ("RTE", read_tsv(o / "RTE/train.tsv", "sentence1")),
        ("MRPC", read_tsv(o / "MRPC/train.tsv", "#1 String")),
    ] + [(t, read_label_csv(o / t / "train.csv")) for t in ["sst-5", "trec", "mr", "cr", "mpqa", "subj"]]
    per = -(-n // len(sources))
    out, seen = [], set()
    for name, pool in sources:
        pool = sorted(set(s for s in pool if s.strip()), key=lambda s: (len(s), s))
        if len(pool) < per:
            sys.exit(f"make-fixtures: only {len(pool)} sentences in {name}")
        thirds = [pool[: len(pool) // 3], pool[len(pool) // 3: 2 * len(pool) // 3], pool[2 * len(pool) // 3:]]
        picked = []
        for k, third in enumerate(thirds):
            want = per // 3 + (1 if k < per % 3 else 0)
            picked += rng.sample(third, want)
        for s in picked:
            if s not in seen:
                seen.add(s)
                out.append(s)
    return out[:n]


def ids_of(model, text):
    return model.tokenize([text])["input_ids"][0].tolist()


def write_refs(model, texts, folder: Path, jsonl: str, npy: str):
    with open(folder / jsonl, "w", encoding="utf-8", newline="\n") as f:
        for t in texts:
            f.write(json.dumps({"text": t, "ids": ids_of(model, t)}, ensure_ascii=False) + "\n")
    emb = model.encode(texts, batch_size=32, convert_to_numpy=True)
    emb = np.ascontiguousarray(emb, dtype=np.float32)
    np.save(folder / npy, emb)
    return emb


def check_refs(model, folder: Path, jsonl: str, npy: str, dim: int):
    """Reads the files back and compares them with a fresh tokenize + encode (other batch size)."""
    rows = [json.loads(l) for l in open(folder / jsonl, encoding="utf-8").read().split("\n") if l]
    texts = [r["text"] for r in rows]
    bad_ids = [r["text"] for r in rows if ids_of(model, r["text"]) != r["ids"]]
    saved = np.load(folder / npy)
    assert saved.dtype == np.float32 and saved.flags.c_contiguous and saved.shape == (len(rows), dim), saved.shape
    again = model.encode(texts, batch_size=7, convert_to_numpy=True)
    diff = float(np.abs(again - saved).max())
    cos = float(np.min(np.sum(again * saved, 1) / (np.linalg.norm(again, axis=1) * np.linalg.norm(saved, axis=1) + 1e-30)))
    if bad_ids or diff > 1e-5:
        sys.exit(f"make-fixtures: {folder / jsonl} does not reproduce: {len(bad_ids)} id mismatches "
                 f"{bad_ids[:3]!r}, max abs diff {diff}")
    return {"rows": len(rows), "max_abs_diff_batch7": diff, "min_cosine": cos}


# ---------------------------------------------------------------- tiny models

def tiny_vocab(minilm_vocab: Path, cased: bool, size: int):
    words = open(minilm_vocab, encoding="utf-8").read().split("\n")
    words = [w for w in words if w]
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chars = [w for w in words if len(w) == 1 and ord(w) < 0x100]  # ASCII and Latin-1
    if cased:
        # A cased tokenizer keeps accents, and MiniLM's uncased vocab has almost no accented
        # letters: add every Latin-1 letter in both cases.
        chars += [chr(c) for c in range(0xC0, 0x100) if chr(c).isalpha()]
        for c in list(chars):
            u = c.upper()
            if len(u) == 1 and ord(u) < 0x100 and u != c:
                chars.append(u)
    # A few non-Latin characters, so CJK padding and other scripts meet known ids too.
    chars += [c for c in "中文日本語你好世界σςαβγжё한" if c in set(words)]
    chars = list(dict.fromkeys(chars))
    cont = ["##" + c for c in chars]
    suffixes = ["##s", "##es", "##ing", "##ed", "##ly", "##er", "##ers", "##est", "##tion", "##ment",
                "##ness", "##able", "##ful", "##less", "##ity", "##al", "##ic", "##ous", "##ize", "##y"]
    first_word = words.index("the")  # whole words start here, most frequent first
    whole = [w for w in words[first_word:] if w.isascii() and w.isalpha() and not w.startswith("##")]
    pieces = [w for w in words[first_word:] if w.startswith("##") and len(w) > 3 and w[2:].isascii() and w[2:].isalpha()]
    vocab = list(dict.fromkeys(special + chars + cont + suffixes))
    n_pieces = 120
    n_caps = 250 if cased else 0
    n_whole = size - len(vocab) - n_pieces - n_caps
    vocab += whole[:n_whole] + pieces[:n_pieces]
    if cased:
        vocab += [w.capitalize() for w in whole[:n_caps - 10]] + [w.upper() for w in ["the", "and", "end", "new", "york", "i", "a", "hello", "world", "paris"]]
    return list(dict.fromkeys(vocab))


def make_tiny(out: Path, minilm: Path, *, cased: bool, pooling: str, normalize: bool, max_len: int,
              seed: int, vocab_size: int, texts):
    from transformers import BertConfig, BertModel, BertTokenizer
    tmp = Path(tempfile.mkdtemp(prefix="exemplar-tiny-"))
    try:
        vocab = tiny_vocab(minilm / "vocab.txt", cased, vocab_size)
        assert vocab[:5] == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        hf = tmp / "hf"
        hf.mkdir()
        (tmp / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
        # strip_accents=None: BERT's rule, accents stripped only when lowercasing.
        tok = BertTokenizer(str(tmp / "vocab.txt"), do_lower_case=not cased, strip_accents=None,
                            tokenize_chinese_chars=True)
        torch.manual_seed(seed)
        cfg = BertConfig(vocab_size=len(vocab), hidden_size=48, num_attention_heads=3, num_hidden_layers=2,
                         intermediate_size=96, max_position_embeddings=128, layer_norm_eps=1e-7,
                         type_vocab_size=2, hidden_act="gelu", initializer_range=0.2, pad_token_id=0)
        bert = BertModel(cfg).eval()
        with torch.no_grad():  # LayerNorm weights start at 1/0: make them random too
            for name, p in bert.named_parameters():
                if "LayerNorm" in name:
                    p.add_(torch.randn_like(p) * 0.2)
        bert.save_pretrained(hf, safe_serialization=True)
        tok.save_pretrained(hf)
        transformer = models.Transformer(str(hf), max_seq_length=max_len)
        mods = [transformer, models.Pooling(48, pooling_mode=pooling)] + ([models.Normalize()] if normalize else [])
        if out.exists():
            shutil.rmtree(out)
        SentenceTransformer(modules=mods, device="cpu").save(str(out))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    # Only vocab.txt + tokenizer_config.json + special_tokens_map.json: no tokenizer.json, so
    # loaders must build the tokenizer from vocab.txt (transformers 5 saves tokenizer.json
    # instead of vocab.txt, so write vocab.txt ourselves). Drop what the Swift side never reads.
    (out / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    for junk in ["tokenizer.json", "README.md", "config_sentence_transformers.json"]:
        (out / junk).unlink(missing_ok=True)
    tc = json.loads((out / "tokenizer_config.json").read_text())
    tc.pop("is_local", None)
    tc.pop("local_files_only", None)
    (out / "tokenizer_config.json").write_text(json.dumps(tc, indent=2, sort_keys=True) + "\n")
    if not (out / "special_tokens_map.json").exists():
        (out / "special_tokens_map.json").write_text(json.dumps(
            {"cls_token": "[CLS]", "mask_token": "[MASK]", "pad_token": "[PAD]", "sep_token": "[SEP]",
             "unk_token": "[UNK]"}, indent=2) + "\n")
    assert (out / "vocab.txt").read_text(encoding="utf-8").split("\n")[:-1] == vocab
    reloaded = SentenceTransformer(str(out), device="cpu")
    assert reloaded.max_seq_length == max_len, reloaded.max_seq_length
    write_refs(reloaded, texts, out, "reference.jsonl", "reference.npy")
    return len(vocab)


# ---------------------------------------------------------------- Unicode tables

def unicode_tables(out: Path):
    out.mkdir(parents=True, exist_ok=True)
    cps = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    oddities = []

    def write_ranges(name, values):
        lines, run = [], None
        for c in cps:
            v = values.get(c)
            if run and v == run[2] and c == run[1] + 1:
                run[1] = c
                continue
            if run and run[2] is not None:
                lines.append(f"{run[0]:04X} {run[1]:04X} {run[2]}")
            run = [c, c, v]
        if run and run[2] is not None:
            lines.append(f"{run[0]:04X} {run[1]:04X} {run[2]}")
        (out / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        return len(lines)

    def bert_normalizer(**kw):
        opts = dict(clean_text=False, handle_chinese_chars=False, strip_accents=False, lowercase=False)
        opts.update(kw)
        return normalizers.BertNormalizer(**opts)

    counts, members = {}, {}
    n = bert_normalizer(clean_text=True)
    clean = {}
    for c in cps:
        ch = chr(c)
        r = n.normalize_str(ch)
        if r == ch:
            continue
        if r == "":
            clean[c] = "removed"
        elif r == " ":
            clean[c] = "space"
        else:
            oddities.append(("clean", f"{c:04X}", r))
    counts["clean.txt"] = write_ranges("clean.txt", clean)

    n = bert_normalizer(handle_chinese_chars=True)
    chinese = {}
    for c in cps:
        ch = chr(c)
        r = n.normalize_str(ch)
        if r == f" {ch} ":
            chinese[c] = "chinese"
        elif r != ch:
            oddities.append(("chinese", f"{c:04X}", r))
    counts["chinese.txt"] = write_ranges("chinese.txt", chinese)

    pre = pre_tokenizers.BertPreTokenizer()
    punct = {}
    for c in cps:
        ch = chr(c)
        pieces = [p for p, _ in pre.pre_tokenize_str("x" + ch + "x")]
        if pieces == ["x", ch, "x"]:
            punct[c] = "punct"
        elif pieces == ["x", "x"]:
            punct[c] = "space"
        elif pieces != ["x" + ch + "x"]:
            oddities.append(("punct", f"{c:04X}", pieces))
    counts["punct.txt"] = write_ranges("punct.txt", punct)

    maps = {}
    for name, norm in [("lower.txt", bert_normalizer(lowercase=True)), ("strip.txt", bert_normalizer(strip_accents=True))]:
        lines, m = [], {}
        for c in cps:
            ch = chr(c)
            r = norm.normalize_str(ch)
            if r != ch:
                m[c] = r
                lines.append(" ".join([f"{c:04X}"] + [f"{ord(x):04X}" for x in r]))
        (out / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        counts[name] = len(lines)
        maps[name] = m

    # Findings worth knowing when writing a tokenizer against newer Unicode tables.
    def cls(c):
        return {"clean": clean.get(c, "kept"), "punct": punct.get(c, "-"), "chinese": c in chinese}
    lower = bert_normalizer(lowercase=True)
    findings = {
        "U+1F97A (🥺, Unicode 11)": cls(0x1F97A), "U+1FAE0 (🫠, Unicode 14)": cls(0x1FAE0),
        "U+1FABF (🪿, Unicode 15)": cls(0x1FABF), "U+0378 (unassigned)": cls(0x0378), "U+1FAFF (unassigned)": cls(0x1FAFF),
        "U+E000 (private use)": cls(0xE000), "U+F0000 (plane 15 private use)": cls(0xF0000),
        "U+00AD (soft hyphen)": cls(0x00AD), "U+200B (ZWSP)": cls(0x200B), "U+FEFF (BOM)": cls(0xFEFF),
        "U+0085 (NEL)": cls(0x0085), "U+2028": cls(0x2028), "U+00A0 (NBSP)": cls(0x00A0), "U+3000": cls(0x3000),
        "U+000B (VT)": cls(0x0B), "U+000C (FF)": cls(0x0C), "U+001F": cls(0x1F), "U+0009 (tab)": cls(0x09),
        "U+FFFD": cls(0xFFFD), "U+E0041 (tag A)": cls(0xE0041), "U+FE0F (VS16)": cls(0xFE0F),
        "U+0024 $": cls(0x24), "U+005E ^": cls(0x5E), "U+0060 `": cls(0x60), "U+00A7 §": cls(0xA7),
        "final sigma 'ΟΔΟΣ' lowercased": lower.normalize_str("ΟΔΟΣ"),
        "'İ' (U+0130) lowercased": [f"{ord(x):04X}" for x in lower.normalize_str("İ")],
        "'ẞ' (U+1E9E) lowercased": lower.normalize_str("ẞ"),
        "strip 'U+212B Å'": maps["strip.txt"].get(0x212B), "strip 'U+212A K'": maps["strip.txt"].get(0x212A),
        "strip 'U+FB01 ﬁ'": maps["strip.txt"].get(0xFB01), "strip 'U+00B2 ²'": maps["strip.txt"].get(0xB2),
        "removed by clean_text": sum(1 for v in clean.values() if v == "removed"),
        "space by clean_text": sum(1 for v in clean.values() if v == "space"),
        "punct code points": sum(1 for v in punct.values() if v == "punct"),
        "chinese code points": len(chinese),
    }
    return counts, oddities, findings


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="all-MiniLM-L6-v2 sentence-transformers folder")
    ap.add_argument("--data", required=True, help="LM-BFF data folder (has original/)")
    ap.add_argument("--out", required=True, help="fixtures folder, e.g. Tests/Fixtures")
    ap.add_argument("--real", type=int, default=180, help="real sentences to sample")
    ap.add_argument("--no-check", action="store_true", help="skip re-reading and re-encoding the outputs")
    ap.add_argument("--skip-unicode", action="store_true", help="leave unicode/ alone")
    args = ap.parse_args()
    t0 = time.time()
    torch.set_num_threads(max(1, min(8, os.cpu_count() or 1)))
    out, model_dir = Path(args.out), Path(args.model)
    rng = random.Random(20240611)

    real = real_sentences(Path(args.data), args.real, rng)
    texts = real + HARD_CASES
    assert len(set(texts)) == len(texts), "duplicate fixture sentences"
    (out / "minilm").mkdir(parents=True, exist_ok=True)
    st = SentenceTransformer(str(model_dir), device="cpu")
    assert st.max_seq_length == 256
    write_refs(st, texts, out / "minilm", "sentences.jsonl", "embeddings.npy")
    t_minilm = time.time() - t0

    # Tiny references: short and long real sentences (the long ones truncate at 24 / 64 tokens),
    # most hard cases, and mixed-case text.
    by_len = sorted(real, key=len)
    tiny_real = by_len[::len(by_len) // 8][:8] + by_len[-6:]
    hard_pick = [h for i, h in enumerate(HARD_CASES) if i % 2 == 0 or len(h) > 200 or "[" in h]
    tiny_texts = list(dict.fromkeys(tiny_real + hard_pick + TINY_EXTRAS))
    vocab_sizes = {
        "tiny-bert-cls": make_tiny(out / "tiny-bert-cls", model_dir, cased=True, pooling="cls", normalize=False,
                                   max_len=24, seed=1, vocab_size=1700, texts=tiny_texts),
        "tiny-bert-max": make_tiny(out / "tiny-bert-max", model_dir, cased=False, pooling="max", normalize=True,
                                   max_len=64, seed=2, vocab_size=1500, texts=tiny_texts),
    }
    t_tiny = time.time() - t0 - t_minilm

    report = {"sentences": {"real": len(real), "hard": len(HARD_CASES), "tiny": len(tiny_texts)},
              "tiny_vocab_sizes": vocab_sizes}
    if not args.skip_unicode:
        counts, oddities, findings = unicode_tables(out / "unicode")
        report["unicode_lines"] = counts
        report["unicode_oddities"] = oddities[:50]
        report["unicode_oddity_count"] = len(oddities)
        report["unicode_findings"] = findings
    t_unicode = time.time() - t0 - t_minilm - t_tiny

    if not args.no_check:
        checks = {"minilm": check_refs(SentenceTransformer(str(model_dir), device="cpu"), out / "minilm",
                                       "sentences.jsonl", "embeddings.npy", 384)}
        for name in ["tiny-bert-cls", "tiny-bert-max"]:
            folder = out / name
            assert not (folder / "tokenizer.json").exists()
            checks[name] = check_refs(SentenceTransformer(str(folder), device="cpu"), folder,
                                      "reference.jsonl", "reference.npy", 48)
        norms = np.linalg.norm(np.load(out / "minilm/embeddings.npy"), axis=1)
        assert np.allclose(norms, 1, atol=1e-4), "minilm embeddings are not unit length"
        report["checks"] = checks

    sizes = {}
    for sub in ["minilm", "tiny-bert-cls", "tiny-bert-max", "unicode"]:
        sizes[sub] = sum(p.stat().st_size for p in (out / sub).rglob("*") if p.is_file())
    report["bytes"] = sizes
    report["bytes_total"] = sum(sizes.values())
    import sentence_transformers, tokenizers, transformers
    report["versions"] = {"sentence-transformers": sentence_transformers.__version__,
                          "transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
                          "torch": torch.__version__, "numpy": np.__version__, "python": sys.version.split()[0]}
    report["seconds"] = {"minilm": round(t_minilm, 1), "tiny": round(t_tiny, 1), "unicode": round(t_unicode, 1),
                         "total": round(time.time() - t0, 1)}
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()

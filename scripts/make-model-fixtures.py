#!/usr/bin/env python3
"""Writes tiny random encoders of the other architectures as sentence-transformers folders,
with reference token ids and vectors (Tests/Fixtures/tiny-roberta, tiny-xlm-roberta, tiny-mpnet).

    scripts/setup-python
    .venv/bin/python scripts/make-model-fixtures.py --data ../shared/data --out Tests/Fixtures

- tiny-roberta/: a RobertaModel with a byte-level BPE tokenizer trained by `tokenizers` on
  sentences of the data folder (RobertaProcessing, `<mask>` with lstrip).
- tiny-xlm-roberta/: an XLMRobertaModel whose tokenizer is a SentencePiece Unigram model
  trained by `sentencepiece` on the same sentences plus multilingual text, converted by
  transformers (so tokenizer.json carries the Precompiled normalizer and Metaspace).
- tiny-mpnet/: an MPNetModel (relative attention bias, 32 buckets) with a WordPiece
  tokenizer trained by `tokenizers`, specials and RobertaProcessing as all-mpnet-base-v2 has;
  `buckets.json` holds transformers' `relative_position_bucket` for key - query in -600..600.
Each has mean pooling + Normalize, hidden 48, 4 heads, 2 layers, and `reference.jsonl`
(`{"text", "ids"}`, ids from `model.tokenize`) + `reference.npy` (float32 `model.encode`,
batch 32) from the folder as reloaded from disk, for real, multilingual and hard sentences.

Deterministic (fixed seeds; trainers run single-threaded). After writing it reloads every
folder and checks the references against a fresh encode with another batch size.
"""
import argparse
import importlib.util
import json
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"  # deterministic BPE/WordPiece training
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import numpy as np
import torch
from sentence_transformers import SentenceTransformer, models

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("make_fixtures", ROOT / "scripts" / "make-fixtures.py")
base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(base)  # HARD_CASES, real_sentences, write_refs, check_refs

MULTILINGUAL = [
    "这是一个用于测试多语言编码器的中文句子。", "我们今天去北京看长城，天气很好！", "東京は日本の首都です。",
    "私は毎朝コーヒーを飲みます。", "서울은 한국의 수도입니다.", "오늘 날씨가 정말 좋네요!",
    "مرحبا بالعالم، هذه جملة عربية للاختبار.", "اللغة العربية جميلة جداً", "שלום עולם, זה משפט בעברית.",
    "यह हिंदी में एक परीक्षण वाक्य है।", "भारत एक विशाल देश है और यहाँ कई भाषाएँ बोली जाती हैं।",
    "นี่คือประโยคภาษาไทยสำหรับการทดสอบ", "ฉันชอบกินข้าวผัดมาก", "Это предложение на русском языке.",
    "Москва — столица России.", "Αυτή είναι μια ελληνική πρόταση.", "Ceci est une phrase en français, très jolie.",
    "Das ist ein deutscher Satz mit Umlauten: Äpfel, Öl, Übung, Straße.", "¿Dónde está la biblioteca? ¡Aquí!",
    "Türkçe bir cümle: İstanbul çok güzel.", "Tiếng Việt là ngôn ngữ có dấu.", "Polski: zażółć gęślą jaźń.",
    "Full-width ＡＢＣ ａｂｃ １２３ and half-width ｶﾀｶﾅ", "Combining: e\u0301 a\u0308 o\u0302 n\u0303 and precomposed é ä ô ñ",
    "Ligatures ﬁ ﬂ and compatibility ① ㈱ ㍿ ™", "Mixed 中文 English العربية हिन्दी ไทย 한국어 text",
]


def corpus(data: Path):
    """Training text for the tokenizers: sentences of the data folder plus multilingual lines."""
    o = data / "original"
    lines = base.read_tsv(o / "SST-2/train.tsv", "sentence")[:3000]
    for task in ["mr", "subj", "trec", "cr"]:
        lines += base.read_label_csv(o / task / "train.csv")[:1000]
    lines += base.read_tsv(o / "RTE/train.tsv", "sentence1")[:500]
    return lines + MULTILINGUAL * 20


def randomize(model, seed: int):
    """Every weight drawn afresh from `seed` (independent of transformers' own init): normal
    with std 0.2, LayerNorm weights 1 ± 0.2, and MPNet's relative attention bias with std 1 so
    that a wrong bucket shows in the vectors."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            r = torch.randn(p.shape, generator=g)
            if "LayerNorm.weight" in name:
                p.copy_(1 + 0.2 * r)
            elif "relative_attention_bias" in name:
                p.copy_(r)
            else:
                p.copy_(0.2 * r)


def save_random(hf: Path, out: Path, model, tok, seed: int, max_len: int):
    """Randomises `model`, saves it with `tok` as a transformers folder, then as the fixture."""
    randomize(model.eval(), seed)
    model.save_pretrained(hf, safe_serialization=True)
    tok.save_pretrained(hf)
    save_st(hf, out, max_len)


def save_st(hf_dir: Path, out: Path, max_len: int):
    transformer = models.Transformer(str(hf_dir), max_seq_length=max_len)
    mods = [transformer, models.Pooling(transformer.get_embedding_dimension(), pooling_mode="mean"),
            models.Normalize()]
    if out.exists():
        shutil.rmtree(out)
    SentenceTransformer(modules=mods, device="cpu").save(str(out))
    for junk in ["README.md"]:
        (out / junk).unlink(missing_ok=True)
    tc_path = out / "tokenizer_config.json"
    if tc_path.exists():
        tc = json.loads(tc_path.read_text())
        for k in ["is_local", "local_files_only", "name_or_path"]:
            tc.pop(k, None)
        tc_path.write_text(json.dumps(tc, indent=2, sort_keys=True) + "\n")


SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
def mask_token():
    """RoBERTa's and XLM-R's own <mask>: it strips the space before it."""
    from tokenizers import AddedToken
    return AddedToken("<mask>", lstrip=True, rstrip=False, normalized=False, special=True)


SIZE = dict(hidden_size=48, num_attention_heads=4, num_hidden_layers=2, intermediate_size=96,
            hidden_act="gelu", initializer_range=0.2)


def make_roberta(tmp: Path, out: Path, lines, seed: int):
    from tokenizers import ByteLevelBPETokenizer
    from tokenizers.processors import RobertaProcessing
    from transformers import PreTrainedTokenizerFast, RobertaConfig, RobertaModel
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(lines, vocab_size=900, min_frequency=2, special_tokens=SPECIALS, show_progress=False)
    bpe._tokenizer.post_processor = RobertaProcessing(("</s>", 2), ("<s>", 0))
    tok = PreTrainedTokenizerFast(tokenizer_object=bpe._tokenizer, bos_token="<s>", eos_token="</s>",
                                  sep_token="</s>", cls_token="<s>", unk_token="<unk>", pad_token="<pad>",
                                  mask_token=mask_token(), model_max_length=64)
    hf = tmp / "roberta"
    cfg = RobertaConfig(vocab_size=len(tok), max_position_embeddings=66, type_vocab_size=1, pad_token_id=1,
                        bos_token_id=0, eos_token_id=2, layer_norm_eps=1e-5, **SIZE)
    save_random(hf, out, RobertaModel(cfg, add_pooling_layer=False), tok, seed, 64)


def make_xlmr(tmp: Path, out: Path, lines, seed: int):
    import sentencepiece as spm
    from transformers import XLMRobertaConfig, XLMRobertaModel, XLMRobertaTokenizerFast
    from transformers.convert_slow_tokenizer import XLMRobertaConverter
    prefix = tmp / "spm"
    # SentencePiece's default ids (<unk> 0, <s> 1, </s> 2), as XLM-R's own model has them: the
    # converter maps them to fairseq's <s> <pad> </s> <unk> and appends <mask>.
    spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_prefix=str(prefix), vocab_size=800,
                                   model_type="unigram", character_coverage=0.9995, num_threads=1,
                                   shuffle_input_sentence=False, minloglevel=2)

    class SlowStandIn:  # what XLMRobertaConverter reads from a slow tokenizer
        vocab_file = str(prefix) + ".model"

        def convert_tokens_to_ids(self, token):
            return {"<s>": 0, "</s>": 2}[token]

    backend = XLMRobertaConverter(SlowStandIn()).converted()  # Precompiled + Metaspace + Unigram
    tok = XLMRobertaTokenizerFast(tokenizer_object=backend, bos_token="<s>", eos_token="</s>", sep_token="</s>",
                                  cls_token="<s>", unk_token="<unk>", pad_token="<pad>", mask_token=mask_token(),
                                  model_max_length=128)
    hf = tmp / "xlmr"
    cfg = XLMRobertaConfig(vocab_size=len(tok), max_position_embeddings=130, type_vocab_size=1, pad_token_id=1,
                           bos_token_id=0, eos_token_id=2, layer_norm_eps=1e-5, **SIZE)
    save_random(hf, out, XLMRobertaModel(cfg, add_pooling_layer=False), tok, seed, 128)


def make_mpnet(tmp: Path, out: Path, lines, seed: int):
    from tokenizers import BertWordPieceTokenizer
    from tokenizers.processors import RobertaProcessing
    from transformers import MPNetConfig, MPNetModel, PreTrainedTokenizerFast
    wp = BertWordPieceTokenizer(unk_token="[UNK]", sep_token="</s>", cls_token="<s>", pad_token="<pad>",
                                mask_token="<mask>", lowercase=True, strip_accents=None)
    wp.train_from_iterator(lines, vocab_size=1200, min_frequency=2, show_progress=False,
                           special_tokens=["<s>", "<pad>", "</s>", "<unk>", "[UNK]", "<mask>"])
    wp._tokenizer.post_processor = RobertaProcessing(("</s>", 2), ("<s>", 0))
    tok = PreTrainedTokenizerFast(tokenizer_object=wp._tokenizer, bos_token="<s>", eos_token="</s>",
                                  sep_token="</s>", cls_token="<s>", unk_token="[UNK]", pad_token="<pad>",
                                  mask_token="<mask>", model_max_length=256)
    hf = tmp / "mpnet"
    cfg = MPNetConfig(vocab_size=len(tok), max_position_embeddings=258, relative_attention_num_buckets=32,
                      pad_token_id=1, bos_token_id=0, eos_token_id=2, layer_norm_eps=1e-5, **SIZE)
    save_random(hf, out, MPNetModel(cfg, add_pooling_layer=False), tok, seed, 256)
    from transformers.models.mpnet.modeling_mpnet import MPNetEncoder
    rel = torch.arange(-600, 601)
    buckets = MPNetEncoder.relative_position_bucket(rel).tolist()
    (out / "buckets.json").write_text(json.dumps({"relative": rel.tolist(), "bucket": buckets}) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data"), help="LM-BFF data folder")
    ap.add_argument("--out", default=str(ROOT / "Tests" / "Fixtures"))
    a = ap.parse_args()
    data, out = Path(a.data), Path(a.out)
    lines = corpus(data)
    rng = random.Random(11)
    real = base.real_sentences(data, 40, rng)
    hard = [t for i, t in enumerate(base.HARD_CASES) if i % 2 == 0]
    texts = real + MULTILINGUAL + hard + ["the <mask> word", "a <pad> inside", "<s> and </s> literal", "<unk> UNK"]
    report = {}
    tmp = Path(tempfile.mkdtemp(prefix="exemplar-models-"))
    try:
        for name, make, seed in [("tiny-roberta", make_roberta, 101), ("tiny-xlm-roberta", make_xlmr, 102),
                                 ("tiny-mpnet", make_mpnet, 103)]:
            folder = out / name
            make(tmp, folder, lines, seed)
            reloaded = SentenceTransformer(str(folder), device="cpu")
            base.write_refs(reloaded, texts, folder, "reference.jsonl", "reference.npy")
            report[name] = base.check_refs(SentenceTransformer(str(folder), device="cpu"), folder,
                                           "reference.jsonl", "reference.npy", 48)
            report[name]["bytes"] = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

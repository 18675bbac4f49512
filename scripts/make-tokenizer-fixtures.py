#!/usr/bin/env python3
"""Writes the tokenizer fixtures (Tests/Fixtures/tokenizers): tokenizer.json files of every
model type and many component settings, and the ids Hugging Face tokenizers gives each of
the same inputs.

    venv=$(scripts/setup-python); "$venv/bin/pip" install sentencepiece
    "$venv/bin/python" scripts/make-tokenizer-fixtures.py [--mpnet DIR] [--minilm DIR] [--out Tests/Fixtures/tokenizers]

What it writes (see Tests/Fixtures/tokenizers/README.md):
- inputs.jsonl: one JSON string per line: 3,000 seeded random Unicode strings
  (tokenizer_common.random_strings), the multilingual text, data sentences and a few long
  inputs that truncate.
- NAME/tokenizer.json (+ NAME/max_length) and NAME/ids.txt: per input line, its ids
  (`Tokenizer.from_file(...).encode(text).ids` with truncation at max_length), space-separated.
  minilm has no tokenizer.json here (the tests read it from the fetched model folder).

Tokenizers:
- bpe-roberta: byte-level BPE trained by `tokenizers` on the data (RoBERTa: ByteLevel
  pre-tokenizer, RobertaProcessing, <s> <pad> </s> <unk> <mask>, <mask> lstrip).
- unigram-xlmr: SentencePiece Unigram trained by `sentencepiece` on the data plus multilingual
  text, converted by transformers' XLMRobertaTokenizerFast (Precompiled normalizer, Metaspace).
- unigram-variants: the same model with byte_fallback (pieces <0x00>..<0xFF>), Metaspace
  prepend_scheme first and split off, added tokens with single_word / rstrip / normalized.
- bpe-wordlevel: character BPE with continuing_subword_prefix ## and end_of_word_suffix </w>,
  Sequence[NFKC, Lowercase, Replace, Strip] normalizer, Sequence[WhitespaceSplit, Digits,
  Punctuation] pre-tokenizer, TemplateProcessing with pairs, added tokens with lstrip/rstrip/
  single_word/normalized false.
- bpe-llama: BPE with byte_fallback and no unk, Sequence[Prepend, Replace] normalizer, no
  pre-tokenizer (Llama 2 style), TemplateProcessing.
- bpe-split: byte-level BPE with a Split regex (GPT-4/Llama 3 style) and ByteLevel without its
  regex, ignore_merges, NFC.
- wordpiece-split: WordPiece with NFD + StripAccents + Lowercase, Split on \\s+ removed and
  Whitespace, BertProcessing.
- mpnet: all-mpnet-base-v2's tokenizer.json (--mpnet), max_length 384.
- minilm: all-MiniLM-L6-v2's (--minilm), ids only, max_length 256.
Deterministic for a given tokenizers/sentencepiece version.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tokenizer_common as common  # noqa: E402

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers  # noqa: E402

SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
SPLIT_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
               r"|\s*[\r\n]+|\s+(?!\S)|\s+")


def training_text():
    return common.data_sentences() + common.MULTILINGUAL * 3


def bpe_roberta():
    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=2000, special_tokens=SPECIALS[:4],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(training_text(), trainer)
    tok.add_special_tokens([AddedToken("<mask>", lstrip=True, rstrip=False, normalized=False, special=True)])
    tok.post_processor = processors.RobertaProcessing(("</s>", tok.token_to_id("</s>")), ("<s>", tok.token_to_id("<s>")))
    return tok


def sentencepiece_model(work, byte_fallback):
    import sentencepiece as spm
    text = Path(work) / "train.txt"
    lines = training_text() + common.random_strings(400, seed=5)  # random text puts CJK, Thai, ... in the vocab
    text.write_text("\n".join(" ".join(s.split()) for s in lines if s.strip()) + "\n", encoding="utf-8")
    prefix = Path(work) / ("spm-bf" if byte_fallback else "spm")
    spm.SentencePieceTrainer.train(
        input=str(text), model_prefix=str(prefix), vocab_size=2500, model_type="unigram", hard_vocab_limit=False,
        character_coverage=0.99, byte_fallback=byte_fallback, seed_sentencepiece_size=100000,
        num_threads=1, minloglevel=2, normalization_rule_name="nmt_nfkc", shuffle_input_sentence=False)
    return str(prefix) + ".model"


def xlmr_from_spm(model_file):
    """transformers' XLMRobertaConverter on a trained .model, as XLMRobertaTokenizerFast
    converts XLM-R's sentencepiece.bpe.model (fairseq ids: <s> <pad> </s> <unk>, pieces, <mask>)."""
    from transformers.convert_slow_tokenizer import XLMRobertaConverter

    class Slow:
        vocab_file = model_file

        def convert_tokens_to_ids(self, token):
            return {"<s>": 0, "</s>": 2}[token]

        def __getattr__(self, name):
            raise AttributeError(name)

    tok = XLMRobertaConverter(Slow()).converted()
    tok.add_special_tokens([AddedToken("<pad>", normalized=False, special=True), AddedToken("<unk>", normalized=False, special=True),
                            AddedToken("<mask>", lstrip=True, normalized=False, special=True)])
    return tok


def unigram_xlmr(work):
    return xlmr_from_spm(sentencepiece_model(work, False))


def unigram_variants(work):
    spec = json.loads(xlmr_from_spm(sentencepiece_model(work, True)).to_str())
    spec["model"]["byte_fallback"] = True
    spec["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
        {"type": "WhitespaceSplit"},
        {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": False}]}
    tok = Tokenizer.from_str(json.dumps(spec))
    tok.add_tokens([AddedToken("hello", single_word=True, normalized=True),
                    AddedToken("[X]", rstrip=True, normalized=False),
                    AddedToken("ｗｏｒｌｄ", normalized=True)])
    return tok


def bpe_wordlevel():
    tok = Tokenizer(models.BPE(unk_token="[UNK]", continuing_subword_prefix="##", end_of_word_suffix="</w>"))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase(),
                                           normalizers.Replace("``", '"'), normalizers.Strip()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Digits(individual_digits=True),
                                                 pre_tokenizers.Punctuation("isolated")])
    tok.decoder = decoders.BPEDecoder(suffix="</w>")
    trainer = trainers.BpeTrainer(vocab_size=1500, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]"],
                                  continuing_subword_prefix="##", end_of_word_suffix="</w>", show_progress=False)
    tok.train_from_iterator(training_text(), trainer)
    tok.add_special_tokens([AddedToken("[MASK]", lstrip=True, rstrip=True, normalized=False, special=True)])
    tok.add_tokens([AddedToken("<br>", single_word=True, normalized=False), AddedToken("new york", normalized=True)])
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    return tok


def bpe_llama():
    tok = Tokenizer(models.BPE(unk_token=None, byte_fallback=True, fuse_unk=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("\u2581"), normalizers.Replace(" ", "\u2581")])
    tok.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)])
    trainer = trainers.BpeTrainer(vocab_size=1200, special_tokens=["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)],
                                  show_progress=False, limit_alphabet=300)
    tok.train_from_iterator([s.replace(" ", "\u2581") for s in training_text()], trainer)
    bos = tok.token_to_id("<s>")
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B:1", special_tokens=[("<s>", bos)])
    return tok


def bpe_split():
    tok = Tokenizer(models.BPE(unk_token=None, ignore_merges=True))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(SPLIT_REGEX), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=1500, special_tokens=["<|begin|>", "<|end|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(training_text(), trainer)
    tok.post_processor = processors.Sequence([processors.ByteLevel(trim_offsets=False), processors.TemplateProcessing(
        single="<|begin|> $A", pair="<|begin|> $A <|end|> $B:1", special_tokens=[("<|begin|>", 0), ("<|end|>", 1)])])
    return tok


def wordpiece_split():
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=20))
    tok.normalizer = normalizers.Sequence([normalizers.NFD(), normalizers.StripAccents(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(r"\s+"), behavior="removed"),
                                                 pre_tokenizers.Whitespace()])
    tok.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(vocab_size=1500, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"],
                                        show_progress=False)
    tok.train_from_iterator(training_text(), trainer)
    tok.post_processor = processors.BertProcessing(("[SEP]", tok.token_to_id("[SEP]")), ("[CLS]", tok.token_to_id("[CLS]")))
    return tok


def inputs():
    long = " ".join(common.data_sentences()[:60])
    return (common.random_strings(3000, seed=11) + common.MULTILINGUAL + common.data_sentences(120)
            + [long, long.upper(), "".join(common.MULTILINGUAL) * 3])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mpnet", default="/tmp/mpnet/model/all-mpnet-base-v2")
    ap.add_argument("--minilm", default=os.path.expanduser("~/.cache/exemplar/all-MiniLM-L6-v2"))
    ap.add_argument("--out", default=str(common.ROOT / "Tests/Fixtures/tokenizers"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    texts = inputs()
    with (out / "inputs.jsonl").open("w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps(t, ensure_ascii=False) + "\n")
    with tempfile.TemporaryDirectory() as work:
        made = {
            "bpe-roberta": (bpe_roberta(), 512),
            "unigram-xlmr": (unigram_xlmr(work), 512),
            "unigram-variants": (unigram_variants(work), 512),
            "bpe-wordlevel": (bpe_wordlevel(), 128),
            "bpe-llama": (bpe_llama(), 512),
            "bpe-split": (bpe_split(), 512),
            "wordpiece-split": (wordpiece_split(), 64),
            "mpnet": (Tokenizer.from_file(args.mpnet + "/tokenizer.json"), 384),
            "minilm": (Tokenizer.from_file(args.minilm + "/tokenizer.json"), 256),
        }
        for name, (tok, max_length) in made.items():
            folder = out / name
            folder.mkdir(exist_ok=True)
            if name != "minilm":
                tok.save(str(folder / "tokenizer.json"))
                tok = Tokenizer.from_file(str(folder / "tokenizer.json"))  # the ids of the file as written
            (folder / "max_length").write_text(f"{max_length}\n")
            tok.no_padding()
            tok.enable_truncation(max_length)
            with (folder / "ids.txt").open("w") as f:
                for t in texts:
                    f.write(" ".join(map(str, tok.encode(t).ids)) + "\n")
            print(f"{name}: vocab {tok.get_vocab_size()}, {len(texts)} inputs", file=sys.stderr)


if __name__ == "__main__":
    main()

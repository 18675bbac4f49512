"""Inputs for the tokenizer fixtures and checks (scripts/make-tokenizer-fixtures.py,
scripts/check_tokenizers.py): seeded random Unicode strings, hand-written multilingual text,
and the training sentences from Tests/Fixtures/data. Standard library only."""
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Hand-written multilingual text: scripts, combining marks, full-width forms, spacing oddities.
MULTILINGUAL = [
    "中文分词测试，你好世界。我们今天去公园散步。", "日本語のテキストとカタカナ、ひらがな。東京タワーへ行きます。",
    "한국어 문장입니다. 안녕하세요, 반갑습니다.", "مرحبا بالعالم، هذه جملة عربية للاختبار.", "اللُّغَةُ العَرَبِيَّةُ مع التشكيل",
    "नमस्ते दुनिया, यह एक हिंदी वाक्य है।", "क्षत्रिय ज्ञान श्री हिन्दी", "สวัสดีครับ นี่คือประโยคภาษาไทย",
    "ภาษาไทยไม่มีช่องว่างระหว่างคำ", "Привет, мир! Это русское предложение.", "Γειά σου Κόσμε, ΣΊΣΥΦΟΣ και ο Σίσυφος",
    "שלום עולם, זה משפט בעברית", "Tiếng Việt có dấu: Nguyễn Thị Minh Khai", "Straße STRASSE ẞ groß Ärger Öl Übung",
    "İstanbul ılık IŞIK ıi İI", "café naïve résumé coöperate", "e\u0301te\u0301 cafe\u0301 with combining acute",
    "a\u0300\u0301\u0302\u0303 stacked marks", "\u00c5 composed vs A\u030a decomposed", "ＡＢＣ full-width ａｂｃ １２３ ！？",
    "Ｈｅｌｌｏ，\u3000ｗｏｒｌｄ！", "ﾊﾝｶｸ half-width katakana ｶﾞ", "ﬁne ﬂour ﬀ ﬃ ligatures x² ½ ①", "𝐀𝐁𝐂 math bold 𝓧𝔜 𝟙𝟚",
    "emoji 😀 👍🏽 ❤️ 🧑\u200d🤝\u200d🧑 🇫🇷", "``quoted'' text and ''double'' quotes", "tabs\t\tand   spaces  ",
    "   leading spaces", "ctrl\x00nul\x07bell\x1b[31m", "zero\u200bwidth\u200cnon\u200djoiner\ufeffbom", "soft\u00adhyphen",
    "ქართული ენა", "Հայերեն լեզու", "བོད་ཡིག", "ᠮᠣᠩᠭᠣᠯ", "ⴰⵎⴰⵣⵉⵖ", "தமிழ் மொழி", "বাংলা ভাষা", "ગુજરાતી",
    "<s> literal </s> and <mask> tokens <pad><unk>", "I don't think they'll've done it; it's John's.",
    "Numbers 1234567 3.14159 ١٢٣ ४५६ ๑๒๓ and 12,345.67", "URL https://example.com/a?b=c&d=e#f email a.b@c.de",
]

# Code point ranges the random strings draw from, with weights.
RANGES = [
    ((0x20, 0x7E), 30), ((0x00, 0x1F), 3), ((0xA0, 0xFF), 6), ((0x100, 0x24F), 4), ((0x300, 0x36F), 5),
    ((0x370, 0x3FF), 2), ((0x400, 0x4FF), 3), ((0x590, 0x5FF), 2), ((0x600, 0x6FF), 5), ((0x900, 0x97F), 5),
    ((0xE00, 0xE7F), 5), ((0x1100, 0x11FF), 1), ((0x1E00, 0x1EFF), 2), ((0x2000, 0x206F), 3), ((0x2070, 0x22FF), 2),
    ((0x3000, 0x30FF), 4), ((0x4E00, 0x9FFF), 8), ((0xAC00, 0xD7A3), 3), ((0xF900, 0xFAFF), 1), ((0xFE00, 0xFE0F), 1),
    ((0xFF00, 0xFFEF), 5), ((0x1D400, 0x1D7FF), 1), ((0x1F300, 0x1FAFF), 4), ((0x20000, 0x2A6DF), 1),
    ((0xE0000, 0xE007F), 1), ((0xE000, 0xF8FF), 1),
]
WHITESPACE = [" ", "  ", "   ", "\t", "\n", "\r\n", "\u3000", "\u00a0", "\u2009", " \u0301"]


def random_strings(n, seed):
    """`n` seeded random strings: weighted code point ranges, whitespace runs, words from
    MULTILINGUAL, and random bytes decoded as UTF-8 with replacement. No surrogates."""
    rng = random.Random(seed)
    ranges, weights = zip(*RANGES)
    out = []
    for _ in range(n):
        kind = rng.random()
        if kind < 0.1:
            raw = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
            out.append(raw.decode("utf-8", errors="replace"))
            continue
        parts = []
        for _ in range(rng.randrange(0, 30)):
            r = rng.random()
            if r < 0.15:
                parts.append(rng.choice(WHITESPACE))
            elif r < 0.25:
                words = rng.choice(MULTILINGUAL).split()
                parts.append(rng.choice(words) if words else "")
            else:
                lo, hi = rng.choices(ranges, weights)[0]
                parts.append(chr(rng.randint(lo, hi)))
        out.append("".join(parts))
    return out


def data_sentences(limit=None):
    """Text fields of the committed data fixtures (Tests/Fixtures/data), in file order."""
    out = []
    for path in sorted((ROOT / "Tests/Fixtures/data").rglob("*")):
        if path.suffix not in (".tsv", ".csv", ".jsonl", ".txt") or not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            for field in line.replace(",", "\t").split("\t"):
                field = field.strip().strip('"')
                if len(field) > 20 and " " in field:
                    out.append(field)
    seen, unique = set(), []
    for s in out:
        if s not in seen:
            seen.add(s)
            unique.append(s)
    return unique[:limit] if limit else unique

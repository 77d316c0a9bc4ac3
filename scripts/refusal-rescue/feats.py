"""Featurisation for the learned refusal component (must stay trivially reimplementable in Rust)."""
import re

HASH_BITS = 18
MASK = (1 << HASH_BITS) - 1
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
M64 = (1 << 64) - 1

# Code-point ranges whose characters are each their own token (CJK ideographs, kana, hangul).
CJK_RANGES = [
    (0x1100, 0x11FF),   # hangul jamo
    (0x3040, 0x30FF),   # hiragana + katakana
    (0x3130, 0x318F),   # hangul compatibility jamo
    (0x31F0, 0x31FF),   # katakana phonetic extensions
    (0x3400, 0x4DBF),   # CJK ext A
    (0x4E00, 0x9FFF),   # CJK unified ideographs
    (0xAC00, 0xD7AF),   # hangul syllables
    (0xF900, 0xFAFF),   # CJK compatibility ideographs
    (0xFF66, 0xFF9F),   # half-width katakana
    (0x20000, 0x2FFFF), # CJK ext B..F, compat supplement
]


def is_cjk(ch):
    o = ord(ch)
    for lo, hi in CJK_RANGES:
        if lo <= o <= hi:
            return True
    return False


def fnv1a64(s):
    h = FNV_OFFSET
    for b in s.encode("utf-8"):
        h ^= b
        h = (h * FNV_PRIME) & M64
    return h


def bucket(s):
    return fnv1a64(s) & MASK


def normalise(text):
    i = text.rfind("</think>")
    if i >= 0:
        text = text[i + len("</think>"):]
    return text.lower().replace("\u2019", "'")


def tokenize(text):
    """Tokens of an already-normalised text."""
    toks = []
    cur = []
    for ch in text:
        if is_cjk(ch):
            if cur:
                toks.append("".join(cur))
                cur = []
            toks.append(ch)
        elif ch.isalnum() or ch == "'":
            cur.append(ch)
        else:
            if cur:
                toks.append("".join(cur))
                cur = []
    if cur:
        toks.append("".join(cur))
    return toks


def len_bucket(n):
    if n <= 5:
        return "len:0-5"
    if n <= 20:
        return "len:6-20"
    if n <= 60:
        return "len:21-60"
    if n <= 150:
        return "len:61-150"
    return "len:151+"


def text_features(response, drop_tokens=None):
    """Distinct feature strings for one response (binary presence)."""
    toks = tokenize(normalise(response))
    feats = {len_bucket(len(toks))}
    for i, t in enumerate(toks):
        if drop_tokens is None or t not in drop_tokens:
            feats.add("u:" + t)
        if i + 1 < len(toks):
            n = toks[i + 1]
            if drop_tokens is None or (t not in drop_tokens and n not in drop_tokens):
                feats.add("b:" + t + " " + n)
    return feats


def rule_features(predicted, cues):
    feats = {"r:" + predicted}
    for c in set(cues):
        feats.add("c:" + c)
    return feats

"""Vietnamese text helpers shared by the plan, the CLI and the reply parser."""

from __future__ import annotations

import re
import unicodedata

# đ/Đ are separate letters, not a d with a combining mark, so NFD leaves them alone. One table
# does both jobs: it maps đ to d and drops every combining mark (all of them lie below U+20000).
_FOLD_TABLE: dict[str, str] = {
    chr(c): "" for c in range(0x20000) if unicodedata.combining(chr(c))
} | {"đ": "d", "Đ": "D"}
_FOLDED_AWAY = frozenset(_FOLD_TABLE)


def fold(text: str) -> str:
    """Lower-case, strip diacritics and collapse spaces: how users type without a Vietnamese
    keyboard. "Công an Tỉnh" and "cong an tinh" fold to the same string."""
    if text.isascii():
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFD", text)
    # The parser folds each part of a report several times. A Vietnamese text has a handful of
    # distinct marks (five tones, the hat, the breve, the horn) and đ: replacing each of those
    # present (str.replace runs in C) is twice as fast as str.translate with the table, which
    # looks every character up in it one at a time. Same result: the table's values hold none
    # of its keys, so the order of the replacements does not matter.
    for ch in _FOLDED_AWAY.intersection(decomposed):
        decomposed = decomposed.replace(ch, _FOLD_TABLE[ch])
    return " ".join(decomposed.casefold().split())


def slugify(text: str) -> str:
    """ASCII id from a Vietnamese name: "Công an tỉnh" → "cong-an-tinh"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")

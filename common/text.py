"""Vietnamese text helpers shared by the plan, the CLI and the reply parser."""

from __future__ import annotations

import re
import unicodedata

# đ/Đ are separate letters, not a d with a combining mark, so NFD leaves them alone. One table
# does both jobs: it maps đ to d and drops every combining mark (all of them lie below U+20000),
# which str.translate does in C — the parser folds each part of a report several times.
_FOLD_TABLE: dict[int, str | None] = {
    c: None for c in range(0x20000) if unicodedata.combining(chr(c))
} | {ord("đ"): "d", ord("Đ"): "D"}


def fold(text: str) -> str:
    """Lower-case, strip diacritics and collapse spaces: how users type without a Vietnamese
    keyboard. "Công an Tỉnh" and "cong an tinh" fold to the same string."""
    if text.isascii():
        return " ".join(text.lower().split())
    return " ".join(unicodedata.normalize("NFD", text).translate(_FOLD_TABLE).casefold().split())


def slugify(text: str) -> str:
    """ASCII id from a Vietnamese name: "Công an tỉnh" → "cong-an-tinh"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")

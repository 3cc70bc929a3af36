"""Vietnamese text helpers shared by the plan, the CLI and the reply parser."""

from __future__ import annotations

import re
import unicodedata

# đ/Đ are separate letters, not a d with a combining mark, so NFD leaves them alone.
_D_TABLE = str.maketrans({"đ": "d", "Đ": "D"})


def fold(text: str) -> str:
    """Lower-case, strip diacritics and collapse spaces: how users type without a Vietnamese
    keyboard. "Công an Tỉnh" and "cong an tinh" fold to the same string."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_TABLE))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def slugify(text: str) -> str:
    """ASCII id from a Vietnamese name: "Công an tỉnh" → "cong-an-tinh"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")

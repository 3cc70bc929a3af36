"""common.text.fold: how a reply typed without diacritics meets the plan's words."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from common.text import fold, slugify


def _reference_fold(text: str) -> str:
    # The definition, character by character: what the table-driven fold must equal.
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def test_vietnamese_folds_to_what_a_phone_without_diacritics_types():
    assert fold("  Công an  Tỉnh\nĐẠI đoàn kết ") == "cong an tinh dai doan ket"
    assert fold("NV4: đang thực hiện 70%, vướng kinh phí") == "nv4: dang thuc hien 70%, vuong kinh phi"
    assert fold("Ninh Thuận") == fold("ninh thuan") == fold("NINH THUẬN")


@given(st.text(max_size=200))
def test_fold_equals_its_definition_on_any_text(text):
    assert fold(text) == _reference_fold(text)


@given(st.text(alphabet=st.characters(min_codepoint=0x300, max_codepoint=0x1FFFF), max_size=50))
def test_fold_equals_its_definition_among_combining_marks(text):
    assert fold(text) == _reference_fold(text)


def test_slugify():
    assert slugify("Công an tỉnh") == "cong-an-tinh"
    assert slugify("Sở Tư pháp (Ninh Thuận)") == "so-tu-phap-ninh-thuan"

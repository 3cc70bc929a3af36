"""The two forms a consolidated report can take, as data: every rule of presentation the Word
draft follows, in one place, so that a renderer only applies them and a test checks each of
them on a generated file.

- **Party form** (Hướng dẫn 36-HD/VPTW ngày 03/4/2018 của Văn phòng Trung ương Đảng về thể
  thức và kỹ thuật trình bày văn bản của Đảng): for a plan issued by a ban cán sự đảng, a
  đảng ủy. "ĐẢNG CỘNG SẢN VIỆT NAM" top right, underlined; the superior Party body and the
  issuing body top left, an asterisk under them; "Số      -BC/BCSĐ" (no colon); T/M, K/T, T/L.
- **Administrative form** (Nghị định 30/2020/NĐ-CP, Phụ lục I): for a UBND or a Sở. Quốc hiệu
  and tiêu ngữ top right, a rule under the tiêu ngữ; the parent body and the issuing body top
  left, a short rule under it; "Số:      /BC-UBND"; TM., KT., TL.

Which form a plan's report takes is :func:`form_of` (``plan.report_form``, or the issuer's
kind). Sizes are in points, margins in millimetres. Where the decree or the guidance gives a
range, the value chosen is the one most provinces print (14 pt body, margins 20/20/30/20 mm)
and the range is in the comment; HD 36's table gives 14 pt for the header lines, which wraps a
long issuer name onto two lines, as printed Party documents do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from common.text import fold
from scheduler.plan import Plan, ReportForm


@dataclass(frozen=True)
class Text:
    """How one line or element is printed."""

    size: float
    bold: bool = False
    italic: bool = False
    underline: bool = False
    caps: bool = False


@dataclass(frozen=True)
class Form:
    key: str  # party | administrative
    basis: str  # the text that sets the rules
    # Header, right: the national line(s) and their rules; the place and date under them.
    national: tuple[tuple[str, Text], ...]
    national_rule: bool  # a rule (paragraph border) under the last national line
    # Header, left: the parent body, the issuing body, the mark under it, the number.
    parent: Text
    issuer: Text
    issuer_mark: str  # "*" (Party) or "rule" (a short line, 1/3 of the name)
    number: Text
    number_pattern: str  # {blank} the clerk's space, {code} the issuer's part
    place_date: Text
    # The title block.
    doc_type: Text  # "BÁO CÁO"
    summary: Text  # trích yếu
    summary_mark: str  # "-----" (Party) or "rule"
    # The body.
    body: Text
    heading1: Text  # I., II.: caps, bold
    heading2: Text  # 1., 2.: bold
    heading3: Text  # a), b): bold italic
    first_line_indent_cm: float  # 1–1.27 cm
    space_after_pt: float  # ≥ 6 pt between paragraphs
    line_spacing: float  # single to 1.5 lines (NĐ 30); ≥ 15 pt exactly (HD 36): 1.15 at 14 pt ≈ 19 pt
    # The page: A4 portrait; top, bottom, left, right margins (mm); page number from page 2.
    page_mm: tuple[float, float]
    margins_mm: tuple[float, float, float, float]
    page_number: Text
    page_number_from: int
    # The signature block.
    collective: str  # thay mặt tập thể: T/M or TM.
    deputy: str  # ký thay người đứng đầu: K/T or KT.
    by_order: str  # thừa lệnh: T/L or TL.
    authority: Text  # "T/M BAN CÁN SỰ ĐẢNG", "KT. CHỦ TỊCH"
    position: Text  # "BÍ THƯ", "PHÓ CHỦ TỊCH"
    signer: Text  # the name
    # Nơi nhận.
    recipients_label: str
    recipients_label_text: Text
    recipients: Text
    archive_pattern: str  # the last line: "- Lưu: VT, {unit}."

    def number_line(self, code: str) -> str:
        """``"Số      -BC/BCSĐ"`` or ``"Số:      /BC-STP"``: the number itself left blank."""
        return self.number_pattern.format(blank=" " * 6, code=code).rstrip("/-")


PARTY = Form(
    key=ReportForm.PARTY.value,
    basis="Hướng dẫn số 36-HD/VPTW ngày 03/4/2018 của Văn phòng Trung ương Đảng",
    national=(("ĐẢNG CỘNG SẢN VIỆT NAM", Text(15, bold=True, underline=True, caps=True)),),
    national_rule=False,  # the title's own underline is the rule, as long as the line
    parent=Text(14, caps=True),
    issuer=Text(14, bold=True, caps=True),
    issuer_mark="*",
    number=Text(14),
    number_pattern="Số{blank}-BC/{code}",
    place_date=Text(14, italic=True),
    doc_type=Text(16, bold=True, caps=True),
    summary=Text(14, bold=True),
    summary_mark="-----",
    body=Text(14),
    heading1=Text(14, bold=True, caps=True),
    heading2=Text(14, bold=True),
    heading3=Text(14, bold=True, italic=True),
    first_line_indent_cm=1.27,
    space_after_pt=6,
    line_spacing=1.15,
    page_mm=(210, 297),
    margins_mm=(20, 20, 30, 20),  # top and bottom 20–25, left 30–35, right 15–20
    page_number=Text(14),
    page_number_from=2,
    collective="T/M",
    deputy="K/T",
    by_order="T/L",
    authority=Text(14, bold=True, caps=True),
    position=Text(14, bold=True, caps=True),
    signer=Text(14, bold=True),
    recipients_label="Nơi nhận:",
    recipients_label_text=Text(14, underline=True),
    recipients=Text(12),
    archive_pattern="- Lưu: VT, {unit}.",
)

ADMINISTRATIVE = Form(
    key=ReportForm.ADMINISTRATIVE.value,
    basis="Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ, Phụ lục I",
    national=(
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", Text(12, bold=True, caps=True)),  # 12–13 pt
        ("Độc lập - Tự do - Hạnh phúc", Text(13, bold=True)),  # 13–14 pt
    ),
    national_rule=True,
    parent=Text(12, caps=True),  # 12–13 pt
    issuer=Text(12, bold=True, caps=True),
    issuer_mark="rule",
    number=Text(13),
    number_pattern="Số:{blank}/BC-{code}",
    place_date=Text(14, italic=True),  # 13–14 pt
    doc_type=Text(14, bold=True, caps=True),  # 13–14 pt
    summary=Text(14, bold=True),
    summary_mark="rule",
    body=Text(14),  # 13–14 pt
    heading1=Text(14, bold=True, caps=True),
    heading2=Text(14, bold=True),
    heading3=Text(14, bold=True, italic=True),
    first_line_indent_cm=1.27,
    space_after_pt=6,
    line_spacing=1.15,
    page_mm=(210, 297),
    margins_mm=(20, 20, 30, 20),
    page_number=Text(13),  # 13–14 pt
    page_number_from=2,
    collective="TM.",
    deputy="KT.",
    by_order="TL.",
    authority=Text(14, bold=True, caps=True),
    position=Text(14, bold=True, caps=True),
    signer=Text(14, bold=True),
    recipients_label="Nơi nhận:",
    recipients_label_text=Text(12, bold=True, italic=True),
    recipients=Text(11),
    archive_pattern="- Lưu: VT, {unit}.",
)

FORMS: dict[str, Form] = {PARTY.key: PARTY, ADMINISTRATIVE.key: ADMINISTRATIVE}


def form_of(plan: Plan) -> Form:
    """The form of ``plan``'s consolidated report (``plan.report_form`` or its issuer's kind)."""
    return FORMS[plan.plan.form.value]


# --- numbers and dates ---------------------------------------------------------------------


def admin_date(day: date) -> str:
    """"ngày 05 tháng 02 năm 2024", "ngày 20 tháng 3 năm 2024": days below 10 and months
    below 3 with a leading zero, as official documents write the date of issue."""
    d = f"{day.day:02d}" if day.day < 10 else str(day.day)
    m = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {d} tháng {m} năm {day.year}"


def number_code(plan_number: str) -> str:
    """The issuer's part of a document number: ``124-KH/BCSĐ`` → ``BCSĐ``, ``45/KH-UBND`` →
    ``UBND``."""
    if "/" not in plan_number:
        return ""
    tail = plan_number.split("/", 1)[1].strip()
    if fold(tail).startswith("kh-"):
        tail = tail[3:]
    return tail



# --- who signs, and how ----------------------------------------------------------------------

# Bodies run collectively: their documents are signed "on behalf of" the body (T/M, TM.).
_COLLECTIVE = ("ban can su dang", "dang uy", "dang doan", "ban thuong vu", "tinh uy", "uy ban nhan dan", "ubnd")
# The head's title of a body run by its head, when the plan names no signer.
_HEADS = (("so ", "Giám đốc"), ("ban ", "Trưởng ban"), ("thanh tra", "Chánh Thanh tra"), ("van phong", "Chánh Văn phòng"))
_TITLES = (
    "Bí thư", "Chủ tịch", "Giám đốc", "Trưởng ban", "Chánh Văn phòng", "Chánh Thanh tra", "Viện trưởng",
    "Chánh án", "Cục trưởng", "Trưởng đoàn", "Chủ nhiệm",
)


def collective_name(issuer: str) -> str | None:
    """The body a collective issuer signs for: ``"BAN CÁN SỰ ĐẢNG"`` (a ban cán sự đảng signs
    as the ban, HD 36), ``"ỦY BAN NHÂN DÂN"`` (NĐ 30); ``None`` for a body run by its head."""
    folded = fold(issuer)
    for prefix in _COLLECTIVE:
        if folded.startswith(prefix):
            if prefix == "ban can su dang":
                return " ".join(issuer.split()[:4]).upper()
            if prefix in ("uy ban nhan dan", "ubnd"):
                return "ỦY BAN NHÂN DÂN"
            if prefix == "dang uy":
                return "ĐẢNG ỦY"
            if prefix == "ban thuong vu":
                return "BAN THƯỜNG VỤ"
            return " ".join(issuer.split()[:2]).upper()
    return None


@dataclass(frozen=True)
class Signature:
    lines: tuple[str, ...]  # authority line(s) and position, in caps
    name: str | None  # None: left for the clerk


def signature(form: Form, issuer: str, signer: str | None) -> Signature:
    """The signature block of ``issuer`` signed by ``signer`` ("Name, Position[, Position]").

    A collective body (a ban cán sự đảng, a UBND) signs "T/M <BODY>" / "TM. <BODY>", then the
    position; a deputy of a UBND signs "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" under it (NĐ 30), a deputy
    secretary of a Party body only "PHÓ BÍ THƯ" (HD 36: the T/M covers him). A body run by its
    head (a Sở) signs with the position, a deputy "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC"."""
    name, position = None, None
    if signer:
        parts = [part.strip() for part in signer.split(",") if part.strip()]
        name = parts[0] if parts else None
        folded_issuer = fold(issuer)
        chosen = next((p for p in reversed(parts[1:]) if folded_issuer and folded_issuer in fold(p)), None)
        chosen = chosen or (parts[-1] if len(parts) > 1 else None)
        if chosen is not None:
            position = _title(chosen)
    collective = collective_name(issuer)
    if position is None:
        folded = fold(issuer)
        if collective is not None:
            position = "Bí thư" if form.key == ReportForm.PARTY.value else "Chủ tịch"
        else:
            position = next((head for prefix, head in _HEADS if folded.startswith(prefix)), "Thủ trưởng")
    deputy = fold(position).startswith("pho ")
    lines: list[str] = []
    if collective is not None:
        lines.append(f"{form.collective} {collective}")
    if deputy and not (collective is not None and form.key == ReportForm.PARTY.value):
        lines.append(f"{form.deputy} {position.split(' ', 1)[1].upper()}")
    lines.append(position.upper())
    return Signature(tuple(lines), name)


def _title(position: str) -> str | None:
    """"Phó Chủ tịch UBND tỉnh" → "Phó Chủ tịch"; "Bí thư Ban Cán sự Đảng UBND tỉnh" → "Bí thư"."""
    words = position.split()
    deputy = bool(words) and fold(words[0]) == "pho"
    rest = " ".join(words[1:] if deputy else words)
    for title in _TITLES:
        if fold(rest).startswith(fold(title)):
            return ("Phó " if deputy else "") + title
    return None


def unit_code(name: str, aliases: tuple[str, ...] | list[str] = ()) -> str:
    """The drafting unit's abbreviation for "Lưu: VT, <unit>.": an all-caps alias ("STP"), else
    the initials of its name ("Sở Tư pháp" → "STP")."""
    for alias in aliases:
        compact = alias.replace(" ", "")
        if 2 <= len(compact) <= 8 and compact.isalpha() and compact.upper() == compact:
            return compact
    return "".join(word[0] for word in name.split() if word[:1].isalpha()).upper()


__all__ = [
    "ADMINISTRATIVE",
    "admin_date",
    "number_code",
    "FORMS",
    "PARTY",
    "Form",
    "Signature",
    "Text",
    "collective_name",
    "form_of",
    "signature",
    "unit_code",
]

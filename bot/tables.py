"""A tracking table pasted from Excel or Word into chat, read by its columns.

Focal points keep the plan's tasks in a table and paste its rows:

    STT | Nhiệm vụ | Kết quả | Tiến độ (%) | Khó khăn
    1 | NV1b - Tuyên truyền CCTP | Tổ chức 06 hội nghị | 60 | Không
    2 | NV10 - Phối hợp THADS | Phối hợp cưỡng chế 02 vụ | | Thiếu lực lượng hỗ trợ

(cells split by "|" or by tabs). A bare "60" in the progress column is the task's percent, which
no sentence says; "Không" in the difficulty column denies one and "Thiếu lực lượng" states one,
though neither has the word "khó khăn"; a remark in "Ghi chú" ("Đề nghị Sở cập nhật đầu mối") is
read as any text is. The parser reads each row's task and results as it reads any line; this
module finds the table and what its columns add (bot/parser.py ``_from_table``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from common.text import fold

__all__ = ["Row", "Table", "find_table", "percent_of", "states_difficulty"]

# The header words of a column, by what the column holds
_ROLES = (
    ("percent", re.compile(r"^(?:tien do|muc do hoan thanh|ty le hoan thanh|ty le|%)")),
    ("status", re.compile(r"^(?:tinh trang|trang thai|tinh hinh thuc hien|danh gia)")),
    ("difficulty", re.compile(r"^(?:kho khan|vuong mac|ton tai|han che|kien nghi|de xuat)")),
    ("note", re.compile(r"^(?:ghi chu|luu y)")),
    ("result", re.compile(r"^(?:ket qua|san pham|noi dung thuc hien|cong viec da lam)")),
    ("task", re.compile(r"^(?:nhiem vu|noi dung|nv\b|ten nhiem vu)")),
    ("number", re.compile(r"^(?:stt|tt|so tt)$")),
)
# A cell that states no difficulty: "Không", "không có", "-", "x", "0"
_DENIAL = re.compile(r"^(?:khong|ko|k|chua|khong co|khong co gi|khong phat sinh|chua co|-+|x|0|/)?\s*\.?$"
                     # "Chưa có vụ án hành chính mới để phối hợp": nothing arose, no obstacle (not "Chưa có giám định viên")
                     r"|^(?:chua|khong|ko) (?:co|phat sinh) (?:vu|viec|yeu cau|de nghi|don|truong hop|noi dung)\b")


@dataclass(frozen=True, slots=True)
class Row:
    start: int  # offsets of the row's line in the message
    end: int
    cells: dict[str, str]  # role -> cell text, for the roles the header names


@dataclass(frozen=True, slots=True)
class Table:
    rows: tuple[Row, ...]

    def row_of(self, segment: str, text: str) -> Row | None:
        """The row an entry's segment was read from (its text lies within one row's line)."""
        piece = segment.strip()
        for row in self.rows:
            if piece and piece in text[row.start:row.end]:
                return row
        return None


def _cells(line: str, sep: str) -> list[str]:
    parts = line.split(sep)
    if sep == "|":
        # "| a | b |": the outer bars of a Markdown-like table
        if parts and not parts[0].strip():
            parts = parts[1:]
        if parts and not parts[-1].strip():
            parts = parts[:-1]
    return [p.strip() for p in parts]


def _roles(header: list[str]) -> dict[int, str]:
    out: dict[int, str] = {}
    for k, cell in enumerate(header):
        folded = fold(cell).strip(" ():")
        for role, pattern in _ROLES:
            if pattern.match(folded) and role not in out.values():
                out[k] = role
                break
        if "%" in cell and k not in out and "percent" not in out.values():
            out[k] = "percent"
    return out


# "NV4 – Đang thực hiện – 70% – Thiếu kinh phí": a row of the same columns copied without its
# header, task, status, progress and difficulty parted by dashes (a cell may be empty: "– –")
_DASH_ROW = re.compile(
    r"^\s*(?P<task>(?:nv|nhi[eệ]m\s*v[uụ])\s*(?:s[oố]\s*)?\d{1,2}[ab]?)\s+[–—-]\s*(?P<status>[^–—]*?)\s*[–—-]\s*"
    r"(?P<percent>\d{0,3}\s*%?)\s*[–—-]\s*(?P<difficulty>[^–—]*?)\s*$",
    re.IGNORECASE,
)


def _lines(text: str) -> list[tuple[int, int, str]]:
    """Each line of ``text`` with its offsets."""
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line), line))
        pos += len(line) + 1
    return out


def _dash_rows(text: str) -> Table | None:
    rows = [Row(start, end, {role: m.group(role).strip() for role in ("task", "status", "percent", "difficulty")})
            for start, end, line in _lines(text) if (m := _DASH_ROW.match(line))]
    return Table(tuple(rows)) if rows else None


def find_table(text: str) -> Table | None:
    """The table in ``text``: a header line naming at least a task (or result) column and a
    progress, status or difficulty column, then its rows; or rows parted by dashes, "NV4 – Đang
    thực hiện – 70% – Thiếu kinh phí"; None when there is none."""
    if "|" not in text and "\t" not in text:
        return _dash_rows(text) if "–" in text or " - " in text or "—" in text else None
    lines = _lines(text)
    for n, (_start, _end, line) in enumerate(lines):
        sep = "\t" if line.count("\t") >= 2 else "|" if line.count("|") >= 2 else None
        if sep is None:
            continue
        header = _cells(line, sep)
        roles = _roles(header)
        kinds = set(roles.values())
        if not ({"task", "result"} & kinds and {"percent", "status", "difficulty"} & kinds):
            continue
        rows = []
        for start, end, row_line in lines[n + 1:]:
            if row_line.count(sep) < 1:
                break
            cells = _cells(row_line, sep)  # empty cells keep their place
            got = {role: cells[k] for k, role in roles.items() if k < len(cells)}
            rows.append(Row(start, end, got))
        if rows:
            return Table(tuple(rows))
    return None


def percent_of(cell: str) -> int | None:
    """ "60", "60%", "60 %", "65,5": the percent a progress cell gives alone; None otherwise."""
    m = re.fullmatch(r"\s*(\d{1,3})(?:[.,]\d+)?\s*%?\s*", cell)
    if not m or int(m.group(1)) > 100:
        return None
    return int(m.group(1))


def states_difficulty(cell: str) -> bool | None:
    """What a difficulty column's cell says: True (an obstacle or a request), False (denied or
    empty)."""
    folded = fold(cell)
    if _DENIAL.match(folded):
        return False
    return bool(re.search(r"[a-z]{2,}", folded))

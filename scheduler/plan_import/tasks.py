"""Tasks of a plan, as written: from the numbered tree of its task section, or from the rows
of a Phụ lục table (STT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian | Sản phẩm).

What is a task: a node carrying an assignment (its fields, or a "Giao X chủ trì…" sentence);
lettered sub-items without their own assignment are its items; a heading whose children carry
assignments is a group, not a task; in a section per agency ("1. Sở Tư pháp:") each duty below
is a task led by that agency; a leaf with no assignment anywhere is a task without a lead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from common.text import fold
from scheduler.plan_import.agencies import HEADS, Directory
from scheduler.plan_import.outline import Node, fields_of
from scheduler.plan_import.reading import Table

VERBS = (
    "trien khai", "to chuc", "thuc hien", "xay dung", "tham muu", "ra soat", "huong dan", "kiem tra",
    "theo doi", "tuyen truyen", "bao cao", "de xuat", "nghien cuu", "ban hanh", "dam bao", "tang cuong",
    "day manh", "hoan thanh", "trinh ", "cap nhat", "quan ly", "giai quyet", "tiep nhan", "hoan thien",
    "danh gia", "tong hop", "bo tri", "tap huan", "chi dao", "duy tri", "nang cao", "ho tro", "cung cap",
    "kien toan", "xu ly", "giam sat", "pho bien", "quan triet", "boi duong", "lam dau moi", "de ", "nham ",
)


@dataclass
class TaskText:
    written: str  # the number as written: "4", "1.2", "II.3", "STT 5"
    own_label: str | None  # the last part of it when it is a plain number ("4"), else None
    text: str
    lead_text: str | None = None
    coordinators_text: str | None = None
    time_text: str | None = None
    product: str | None = None
    lead_is_request: bool = False
    items: list[tuple[str, str]] = field(default_factory=list)  # (letter, text)
    found: str = "fields"  # fields, sentence, section, table, none
    fields_moved_up: bool = False


def _strip_colon(text: str) -> str:
    return text.strip().rstrip(":").strip()


def _looks_like_agencies(text: str, directory: Directory) -> bool:
    """A heading that names agencies ("1. Sở Tư pháp:", "3. Đề nghị Tòa án nhân dân tỉnh:")."""
    name = re.sub(r"(?i)^đề nghị\s+", "", _strip_colon(text))
    folded = fold(name)
    if not name or len(name.split()) > 16 or not folded.startswith(HEADS + ("ubnd",)):
        return False
    if directory.find(name) is not None:
        return True
    return text.strip().endswith(":") and not any(f" {verb}" in f" {folded}" for verb in VERBS)


# "Giao Sở X chủ trì, phối hợp với Y …", "Đề nghị X chủ trì …", "X chủ trì, phối hợp với Y …".
_GIVEN = re.compile(
    r"(?:^|[.;]\s+|,\s+)(?P<how>Giao|Đề nghị|giao|đề nghị)?\s*(?P<lead>(?:(?!\b(?:Giao|giao)\b)[^.;:])+?)\s+"
    r"(?:là cơ quan |là đơn vị )?(?:chủ trì|làm đầu mối|chịu trách nhiệm chính)\b"
    r"(?:\s*,?\s*(?:phối hợp|phối hợp chặt chẽ)\s+(?:với|cùng)\s+(?P<coord>[^.;:]+))?"
)


def _until_verb(text: str) -> str:
    words = text.split()
    for index in range(1, len(words)):
        rest = fold(" ".join(words[index:]))
        before = fold(words[index - 1])
        if rest.startswith(VERBS) and before not in ("cac", "va", "nhung"):
            return " ".join(words[:index]).strip(" ,")
    return text.strip(" ,")


def sentence_assignment(text: str, directory: Directory) -> tuple[str, str | None, bool] | None:
    """``(lead, coordinators, is_request)`` named by a sentence of the task's text."""
    for match in _GIVEN.finditer(text):
        lead = match["lead"].strip(" ,")
        if not match["how"] and not re.match(r"^[A-ZĐƯỦ]", lead):
            continue
        lead = re.sub(r"(?i)^(?:giao|đề nghị)\s+", "", lead)
        if not fold(lead).startswith(HEADS) and directory.find(lead) is None:
            continue
        coord = _until_verb(match["coord"]) if match["coord"] else None
        return lead, coord, (match["how"] or "").lower() == "đề nghị"
    return None


_TIME_IN_TEXT = re.compile(r"(?i)(?:thời gian|thời hạn)(?: thực hiện| hoàn thành)?\s*:?\s*(?P<time>[^.;]+)")


def _time_in(text: str) -> str | None:
    match = _TIME_IN_TEXT.search(text)
    if match and re.search(r"\d|thường xuyên|hằng|hàng", match["time"]):
        return match["time"].strip()
    return None


def _number(path: list[Node]) -> tuple[str, str | None]:
    parts = [n.label.value for n in path if n.label is not None and n.label.kind not in ("dash", "plus")]
    written = ""
    for part in parts:
        if "." in part:
            written = part  # "1.2" already says it is under "1"
        elif part.isalpha() and part.islower() and written:
            written += part  # "1a", as the plan model writes sub-items
        else:
            written = f"{written}.{part}" if written else part
    last = path[-1].label if path else None
    own = last.value if last is not None and last.kind == "arabic" and len(parts) == 1 else None
    return written or "-", own


def from_tree(root: Node, directory: Directory) -> list[TaskText]:
    _move_fields_up(root)
    out: list[TaskText] = []
    for child in root.children:
        _collect(child, [child], directory, out, section_lead=None)
    return out


def _move_fields_up(node: Node) -> None:
    """Fields written after the last sub-item, when no other sub-item has any, belong to the
    whole task (seed task 1: a), b), then "- Cơ quan chủ trì: …")."""
    for child in node.children:
        _move_fields_up(child)
    kids = node.children
    if node.label is not None and len(kids) > 1 and not node.has_fields() and kids[-1].has_fields():
        if not any(k.any_fields() for k in kids[:-1]) and not kids[-1].children:
            if kids[-1].field_kinds and all(kind != kids[-1].label.kind for kind in kids[-1].field_kinds if kids[-1].label):
                node.fields, kids[-1].fields = kids[-1].fields, {}
                node.field_kinds, kids[-1].field_kinds = kids[-1].field_kinds, []
                node.fields["_moved"] = "1"


def _collect(node: Node, path: list[Node], directory: Directory, out: list[TaskText], section_lead: tuple[str, bool] | None) -> None:
    written, own = _number(path)
    if section_lead is None and node.children and not node.has_fields() and _looks_like_agencies(node.text, directory):
        request = fold(node.text).startswith("de nghi")
        lead = re.sub(r"(?i)^đề nghị\s+", "", _strip_colon(node.text))
        for child in node.children:
            _collect(child, [*path, child], directory, out, section_lead=(lead, request))
        if node.more and not node.children:
            out.append(TaskText(written, own, node.full_text, lead, found="section", lead_is_request=request))
        return
    if node.has_fields() or not node.any_fields():
        item_kids = [k for k in node.children if k.label is not None and k.label.kind == "letter" and not k.any_fields()]
        numbered_kids = [k for k in node.children if k.label is not None and k.label.kind in ("arabic", "dotted", "roman")]
        if not node.has_fields() and numbered_kids:
            for child in node.children:
                _collect(child, [*path, child], directory, out, section_lead)
            return
        task = TaskText(written, own, node.full_text)
        task.fields_moved_up = node.fields.pop("_moved", None) is not None
        for kid in node.children:
            if kid in item_kids and (node.has_fields() or len(item_kids) > 1) and not _own_sentence(kid, directory, section_lead):
                task.items.append((kid.label.value, kid.full_text))  # type: ignore[union-attr]
            elif kid.label is not None and kid.label.kind == "letter" and (section_lead or _own_sentence(kid, directory, None)):
                _collect(kid, [*path, kid], directory, out, section_lead)
            else:
                task.text = f"{task.text} {kid.full_text}".strip()  # bullets are part of the text
        if not task.text and task.items:
            task.text = task.items[0][1]
        _assign(task, node, directory, section_lead)
        out.append(task)
        return
    for child in node.children:
        _collect(child, [*path, child], directory, out, section_lead)


def _own_sentence(node: Node, directory: Directory, section_lead: tuple[str, bool] | None) -> bool:
    return section_lead is not None or sentence_assignment(node.full_text, directory) is not None


def _assign(task: TaskText, node: Node, directory: Directory, section_lead: tuple[str, bool] | None) -> None:
    fields = node.fields
    if "lead" in fields:
        lead = fields["lead"]
        task.lead_is_request = fold(lead).startswith("de nghi")
        task.lead_text = re.sub(r"(?i)^đề nghị\s+", "", lead).strip()
        task.found = "fields"
    sentence = sentence_assignment(task.text, directory)
    if task.lead_text is None and section_lead is not None:
        task.lead_text, task.lead_is_request = section_lead
        task.found = "section"
        if sentence and sentence[1] and "coordinators" not in fields:
            task.coordinators_text = sentence[1]
        elif "coordinators" not in fields:
            coord = re.search(r"(?i)\bphối hợp (?:với|cùng)\s+(?P<c>[^.;:]+)", task.text)
            if coord:
                task.coordinators_text = _until_verb(coord["c"])
    elif task.lead_text is None and sentence is not None:
        task.lead_text, task.coordinators_text, task.lead_is_request = sentence
        task.found = "sentence"
    elif task.lead_text is None:
        task.found = "none"
    if "coordinators" in fields:
        task.coordinators_text = fields["coordinators"]
    task.time_text = fields.get("time") or _time_in(task.text)
    task.product = fields.get("product")


# --- Phụ lục tables -------------------------------------------------------------------------

_COLUMNS = {
    "no": ("stt", "tt", "so tt", "so thu tu"),
    "text": ("noi dung", "nhiem vu", "ten nhiem vu", "noi dung cong viec", "noi dung nhiem vu", "cong viec"),
    "lead": ("chu tri", "co quan chu tri", "don vi chu tri", "co quan thuc hien", "don vi thuc hien", "co quan, don vi chu tri"),
    "coordinators": ("phoi hop", "co quan phoi hop", "don vi phoi hop"),
    "time": ("thoi gian", "thoi han", "tien do", "thoi gian hoan thanh", "thoi gian thuc hien"),
    "product": ("san pham", "ket qua", "san pham dau ra"),
}


def _column_of(header: str) -> str | None:
    folded = fold(header)
    for column, words in _COLUMNS.items():
        if any(folded == w or folded.startswith(w + " ") or f" {w}" in f" {folded}" for w in words):
            if column == "text" and ("chu tri" in folded or "phoi hop" in folded):
                continue
            return column
    return None


def assignment_table(table: Table) -> dict[str, int] | None:
    """Column indexes of a table of tasks, or ``None`` when the table is something else."""
    for row in table.rows[:3]:
        columns: dict[str, int] = {}
        for index, cell in enumerate(row):
            column = _column_of(cell)
            if column and column not in columns:
                columns[column] = index
        if "text" in columns and "lead" in columns:
            columns["_header"] = table.rows.index(row)
            return columns
    return None


def from_table(table: Table, columns: dict[str, int]) -> list[TaskText]:
    out: list[TaskText] = []
    group = ""

    def cell(row: list[str], column: str) -> str:
        index = columns.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    for row in table.rows[columns["_header"] + 1 :]:
        no, text = cell(row, "no").rstrip("."), cell(row, "text")
        if all(re.fullmatch(r"\(?\d+\)?", c.strip()) for c in row if c.strip()):
            continue  # the row "(1) (2) (3) …" under the header
        if not text:
            continue
        lead = cell(row, "lead")
        if re.fullmatch(r"[IVXLC]+|[A-Z]", no) and not lead:
            group = no  # a heading row: "I | Nhóm nhiệm vụ về …"
            continue
        written = f"{group}.{no}" if group and no else (no or "-")
        task = TaskText(written, no if re.fullmatch(r"\d+", no) else None, text, found="table")
        if lead:
            task.lead_is_request = fold(lead).startswith("de nghi")
            task.lead_text = re.sub(r"(?i)^đề nghị\s+", "", lead)
        else:
            task.found = "none"
        task.coordinators_text = cell(row, "coordinators") or None
        task.time_text = cell(row, "time") or None
        task.product = cell(row, "product") or None
        if group:
            task.own_label = None if any(t.written.endswith(f".{no}") for t in out) else task.own_label
        out.append(task)
    return out


def title_of(text: str) -> str:
    """A short title: the text's first clause, at most about 15 words."""
    first = re.split(r"(?<=[^\d])[.;:](?:\s|$)", text.strip(), maxsplit=1)[0].strip()
    words = first.split()
    if len(words) > 16:
        first = " ".join(words[:15]) + " …"
    return first or text[:80]


__all__ = ["TaskText", "assignment_table", "fields_of", "from_table", "from_tree", "sentence_assignment", "title_of"]

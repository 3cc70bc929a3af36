"""The draft plan file: everything read put in the plan model's shape, with the review list of
what the importer was unsure of (also kept in the file's ``notes``), validated by the model
itself before anything is written, and written atomically."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common.text import fold
from scheduler.plan import PlanError, describe_matches, parse_plan
from scheduler.plan_import.agencies import Directory, Resolver
from scheduler.plan_import.header import read_header
from scheduler.plan_import.outline import Section, sections, split_label, tree
from scheduler.plan_import.reading import ReadError, Table, read_document
from scheduler.plan_import.tasks import VERBS, TaskText, assignment_table, from_table, from_tree, title_of
from scheduler.plan_import.wording import reporting_clause, time_frame

REVIEW = "Cần xem lại"  # the ``about`` of every note the importer asks the admin to confirm
PLACEHOLDER_LEAD = "chua-xac-dinh-co-quan-chu-tri"

# The seed's reminder ladder and consolidation delay: the defaults of every new plan.
REMINDERS: dict[str, Any] = {
    "time": "08:30",
    "timezone": "Asia/Ho_Chi_Minh",
    "steps": [
        {"step": "D-7", "working_days": -7},
        {"step": "D-3", "working_days": -3},
        {"step": "D-1", "working_days": -1},
        {"step": "D", "working_days": 0},
        {"step": "D+1", "working_days": 1},
        {"step": "D+3", "working_days": 3, "escalate": True},
    ],
}


class PlanImportError(Exception):
    """The document cannot be drafted into a plan; the message is one line for the admin."""


@dataclass
class Review:
    about: str
    choice: str
    reason: str

    def line(self) -> str:
        return f"{self.about}: {self.choice} — {self.reason}"


@dataclass
class Draft:
    data: dict[str, Any]
    review: list[Review] = field(default_factory=list)
    new_agencies: int = 0

    def json(self) -> str:
        return json.dumps(self.data, ensure_ascii=False, indent=2) + "\n"


def _is_task_section(section: Section) -> bool:
    folded = section.folded
    if re.search(r"muc dich|to chuc thuc hien|kinh phi|che do bao cao", folded):
        return False
    return bool(re.search(r"nhiem vu|noi dung|giai phap|phan cong", folded))


def import_plan(path: Path, directory: Directory, *, today: dt.date | None = None) -> Draft:
    try:
        blocks = read_document(path)
    except ReadError as exc:
        raise PlanImportError(str(exc)) from exc
    paragraphs = [b for b in blocks if isinstance(b, str)]
    tables = [b for b in blocks if isinstance(b, Table)]
    # Header tables (issuer | quốc hiệu) read as paragraphs, in reading order.
    header_text: list[str] = []
    head_paragraphs, parts = sections(paragraphs)
    for block in blocks:
        if isinstance(block, Table) and assignment_table(block) is None and blocks.index(block) < 6:
            for row in block.rows:
                header_text.extend(c for c in row if c)
    header = read_header(header_text + head_paragraphs, directory.province)
    review: list[Review] = []
    resolver = Resolver(directory)

    texts: list[TaskText] = []
    task_sections = [s for s in parts if _is_task_section(s)]
    for section in task_sections[:1]:
        texts.extend(from_tree(tree(section.paragraphs), directory))
    for table in tables:
        columns = assignment_table(table)
        if columns is not None:
            texts.extend(from_table(table, columns))
    if not texts:
        raise PlanImportError(
            f"không tìm thấy phần nhiệm vụ trong {path.name} (mục \"Nhiệm vụ …\" đánh số La Mã, "
            "hoặc bảng Phụ lục có cột Nội dung và Cơ quan chủ trì)"
        )

    date = header.date
    if date is None:
        date = today or dt.date.today()
        review.append(Review(f"{REVIEW} — plan.date", f"Tạm ghi ngày {date:%d/%m/%Y}", "Không tìm thấy ngày ban hành trong văn bản"))
    title = header.title or path.stem
    if header.title is None:
        review.append(Review(f"{REVIEW} — plan.title", f"Tạm lấy tên tệp \"{title}\"", "Không tìm thấy trích yếu (tên) kế hoạch"))
    number = header.number or path.stem
    if header.number is None:
        review.append(Review(f"{REVIEW} — plan.number", f"Tạm lấy tên tệp \"{number}\"", "Không tìm thấy số kế hoạch (Số: …/KH-…)"))
    issuer = header.issuer or "(chưa rõ cơ quan ban hành)"
    if header.issuer is None:
        review.append(Review(f"{REVIEW} — plan.issuer", "Chưa rõ cơ quan ban hành", "Không tìm thấy tên cơ quan ban hành"))
    years = [int(y) for y in re.findall(r"\b(20\d\d)\b", title)]
    year = years[0] if years else date.year
    end_year = max(years) if years else date.year
    in_force_to = dt.date(max(end_year, date.year), 12, 31)
    review.append(Review(
        f"{REVIEW} — plan.in_force",
        f"Hiệu lực từ ngày ban hành {date:%d/%m/%Y} đến {in_force_to:%d/%m/%Y}",
        ("Suy ra từ năm ghi trong tên kế hoạch" if years else "Tên kế hoạch không ghi năm: lấy năm ban hành")
        + "; gia hạn plan.in_force.to nếu kế hoạch còn được theo dõi các năm sau",
    ))

    tasks, numbering_note = _number_tasks(texts)
    if numbering_note:
        review.append(Review(f"{REVIEW} — tasks (số thứ tự)", *numbering_note))
    placeholder = False
    task_dicts: list[dict[str, Any]] = []
    for index, (no, text) in enumerate(tasks):
        where = f"{REVIEW} — tasks[{index}] (NV{no}, số {text.written} trong văn bản)"
        lead = resolver.resolve(text.lead_text)
        coordinators = resolver.resolve(text.coordinators_text)
        for found in (lead, coordinators):
            for name in found.vague:
                review.append(Review(where, f"\"{name}\" không đưa vào danh sách cơ quan", "Cụm từ không chỉ rõ cơ quan nào; giữ nguyên trong văn bản"))
        lead_ids = lead.ids
        if not lead_ids:
            lead_ids = [PLACEHOLDER_LEAD]
            placeholder = True
            review.append(Review(where, "Chưa xác định cơ quan chủ trì: tạm ghi \"Chưa xác định\"", "Văn bản không ghi cơ quan chủ trì cho nhiệm vụ này; hãy chọn cơ quan chủ trì"))
        elif text.found == "sentence":
            review.append(Review(where, f"Cơ quan chủ trì đọc từ câu văn: {text.lead_text}" + (f"; phối hợp: {text.coordinators_text}" if text.coordinators_text else ""), "Không có dòng \"Cơ quan chủ trì\"; đọc từ câu \"… chủ trì, phối hợp với …\""))
        if text.fields_moved_up:
            review.append(Review(where, "Cơ quan chủ trì, phối hợp và thời gian ghi sau tiểu mục cuối được áp dụng cho cả nhiệm vụ", "Các tiểu mục trước không có phân công riêng"))
        coordinator_ids = [c for c in coordinators.ids if c not in lead_ids]
        frame = time_frame(text.time_text, year)
        if frame.kind == "unstated":
            review.append(Review(where, f"Không ghi thời gian thực hiện: coi là năm {year}" + (f" (văn bản: \"{frame.text}\")" if frame.text else ""), "plan check sẽ cảnh báo; sửa time_frame nếu cần"))
        elif not frame.exact:
            review.append(Review(where, f"Thời gian \"{frame.text}\" được theo dõi theo năm ({frame.kind}, {frame.year})", "Mô hình kế hoạch theo dõi nhiệm vụ theo năm, không theo ngày hoặc quý"))
        task: dict[str, Any] = {
            "no": no,
            "title": title_of(_without_assignment(text.text) if text.found in ("sentence", "section") else text.text),
            "text": text.text,
        }
        if text.items:
            task["items"] = [{"no": f"{no}{letter}", "title": title_of(body), "text": body} for letter, body in text.items]
        task["lead"] = lead_ids
        if text.lead_text:
            task["lead_text"] = text.lead_text
        if text.lead_is_request:
            task["lead_is_request"] = True
        task["coordinators"] = coordinator_ids
        if text.coordinators_text:
            task["coordinators_text"] = text.coordinators_text
        task["time_frame"] = {"kind": frame.kind, "year": frame.year, "text": frame.text} if frame.year else {"kind": frame.kind, "text": frame.text}
        notes = []
        if text.written != no:
            notes.append(f"Số trong văn bản: {text.written}.")
        if text.product:
            notes.append(f"Sản phẩm: {text.product}.")
        if notes:
            task["note"] = " ".join(notes)
        task_dicts.append(task)

    # The reporting clause: "Tổ chức thực hiện" first, then anywhere outside the task section.
    organization = [s for s in parts if "to chuc thuc hien" in s.folded or "bao cao" in s.folded]
    others = [s for s in parts if s not in organization and s not in task_sections[:1]]
    reporting = reporting_clause([p for s in organization for p in [s.paragraphs]] + [p for s in others for p in [s.paragraphs]] + [head_paragraphs] + [p for s in task_sections for p in [s.paragraphs]])
    for choice, reason in reporting.doubts:
        review.append(Review(f"{REVIEW} — reporting.periods", choice, reason))
    recipient = _recipient(reporting.recipient_text, resolver)
    if recipient is None:
        recipient = _recipient("Sở Tư pháp", resolver) or "so-tu-phap"
        review.append(Review(f"{REVIEW} — reporting.recipient", "Gửi báo cáo về Sở Tư pháp", "Văn bản không nêu rõ cơ quan nhận báo cáo"))

    for new in resolver.new.values():
        near = describe_matches(new.closest)
        review.append(Review(
            f"{REVIEW} — agencies ({new.id})",
            f"Cơ quan mới \"{new.name}\"" + (f"; gần giống: {near}" if near else "; không có tên gần giống trong danh mục"),
            "Tên không có trong danh mục: nếu là cơ quan đã có, thay mã trong các nhiệm vụ; nếu là nhóm nhiều cơ quan, chuyển sang groups"
            if new.maybe_group else "Tên không có trong danh mục: xác nhận, hoặc thay bằng mã cơ quan đã có",
        ))
    agencies, groups = _catalogue(directory, resolver, task_dicts, recipient, placeholder)
    info: dict[str, Any] = {
        "id": number,
        "number": number,
        "date": date.isoformat(),
        "issuer": issuer,
    }
    if header.signer:
        info["signer"] = header.signer
    info.update({
        "title": title,
        "year": year,
        "province": header.province,
        "in_force": {"from": date.isoformat(), "to": in_force_to.isoformat()},
        "source": f"Nhập từ tệp {path.name} bằng baocao plan import; danh mục cơ quan: {directory.source or 'data/plan.json'}",
    })
    if info["province"] is None:
        del info["province"]
    data: dict[str, Any] = {
        "schema_version": 1,
        "plan": info,
        "notes": [{"about": r.about, "choice": r.choice, "reason": r.reason} for r in review],
        "purposes": _numbered([s for s in parts if "muc dich" in s.folded]),
        **({"directory": directory.ref} if directory.ref is not None else {}),
        "agencies": agencies,
        "groups": groups,
        "tasks": task_dicts,
        "organization": _numbered([s for s in parts if "to chuc thuc hien" in s.folded]),
        "reporting": {
            "recipient": recipient,
            "recipient_text": reporting.recipient_text,
            "onward": [],
            "text": reporting.text,
            "periods": reporting.periods,
            "due_on_non_working_day": "next_working_day",
            "consolidation_working_days": 5,
            "reminders": REMINDERS,
        },
    }
    draft = Draft(data, review, len(resolver.new))
    try:
        parse_plan(draft.json())  # the draft must pass plan check, whatever the document said
    except PlanError as exc:
        raise PlanImportError(f"bản nháp từ {path.name} không hợp lệ ({exc}); văn bản có bố cục chưa hỗ trợ") from exc
    return draft


def _without_assignment(text: str) -> str:
    """"Giao Sở Tư pháp chủ trì, phối hợp với Sở Nội vụ tổ chức hội nghị …" → "Tổ chức hội
    nghị …": the title says what is to be done; who does it is in lead and coordinators."""
    match = re.match(
        r"(?i)^(?:(?:giao|đề nghị)\s+[^.;:]+?\s+)?chủ trì\s*,?\s*(?:phối hợp (?:với|cùng)\s+)?", text
    )
    if not match:
        return text
    rest = text[match.end() :]
    words = rest.split()
    for index in range(len(words)):
        if fold(" ".join(words[index:])).startswith(VERBS):
            rest = " ".join(words[index:])
            break
    return rest[:1].upper() + rest[1:] if rest else text


def _number_tasks(texts: list[TaskText]) -> tuple[list[tuple[str, TaskText]], tuple[str, str] | None]:
    """The plan model numbers tasks 1, 2, 3…: the document's own numbers when they are plain
    and unique, else 1…N in the document's order (the written number kept in the task's note)."""
    own = [t.own_label for t in texts]
    if all(own) and len(set(own)) == len(own):
        return [(str(int(o)), t) for o, t in zip(own, texts)], None  # type: ignore[arg-type]
    numbered = [(str(i), t) for i, t in enumerate(texts, start=1)]
    shown = ", ".join(f"{t.written}→{no}" for no, t in numbered[:8]) + (" …" if len(numbered) > 8 else "")
    return numbered, (
        f"Nhiệm vụ được đánh số lại 1–{len(numbered)} ({shown})",
        "Văn bản đánh số nhiều cấp hoặc trùng số; baocao cần số nguyên duy nhất. Số gốc ghi trong note của từng nhiệm vụ",
    )


def _recipient(text: str | None, resolver: Resolver) -> str | None:
    if not text:
        return None
    through = re.search(r"(?i)\((?:thông qua|qua)\s+([^)]+)\)", text)
    for name in ([through.group(1)] if through else []) + [text]:
        match = resolver.directory.find(name.strip())
        if match is not None and match.kind == "agency":
            return match.id
    return None


def _catalogue(directory: Directory, resolver: Resolver, tasks: list[dict[str, Any]], recipient: str, placeholder: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Only the agencies and groups the plan uses (with the groups' members and the agencies'
    parents), in the directory's order, then the new ones. A draft that refers to a province
    directory lists only the new ones: the rest comes from the directory."""
    agencies = {a.id: a for a in directory.agencies}
    groups = {g.id: g for g in directory.groups}
    used: set[str] = {recipient}
    if directory.ref is not None:
        tasks = []  # nothing to copy
    pending = [ref for task in tasks for ref in [*task["lead"], *task["coordinators"]]]
    while pending:
        ref = pending.pop()
        if ref in used:
            continue
        used.add(ref)
        if ref in groups:
            pending.extend(groups[ref].members)
        elif ref in agencies and agencies[ref].parent:
            pending.append(agencies[ref].parent)  # type: ignore[arg-type]
    out_agencies = [a.model_dump(mode="json", exclude_defaults=True) for a in directory.agencies if a.id in used]
    out_groups = [g.model_dump(mode="json", exclude_defaults=True) for g in directory.groups if g.id in used]
    if directory.ref is not None:
        out_agencies, out_groups = [], []
    for new in resolver.new.values():
        entry: dict[str, Any] = {"id": new.id, "name": new.name}
        if new.kind:
            entry["kind"] = new.kind
        entry["note"] = "Cơ quan mới từ văn bản kế hoạch, chưa có trong danh mục: cần xác nhận."
        out_agencies.append(entry)
    if recipient not in agencies and not any(a["id"] == recipient for a in out_agencies):
        out_agencies.append({"id": recipient, "name": "Sở Tư pháp", "kind": "co-quan-chuyen-mon"})
    if placeholder:
        out_agencies.append({
            "id": PLACEHOLDER_LEAD,
            "name": "Chưa xác định cơ quan chủ trì",
            "note": "Văn bản không ghi cơ quan chủ trì; thay mã này bằng cơ quan chủ trì thật.",
        })
    return out_agencies, out_groups


def _numbered(found: list[Section]) -> list[dict[str, str]]:
    out = []
    for section in found[:1]:
        for index, paragraph in enumerate(section.paragraphs, start=1):
            label, rest = split_label(paragraph)
            out.append({"no": label.value if label else str(index), "text": rest or paragraph})
    return out


def write_draft(draft: Draft, out: Path) -> None:
    """Write the draft whole or not at all: a temporary file beside the target, then a rename."""
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(draft.json())
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, out)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


__all__ = ["Draft", "PlanImportError", "REVIEW", "Review", "import_plan", "write_draft"]

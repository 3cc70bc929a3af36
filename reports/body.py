"""The body of the consolidated report, written from the stored entries: a list of blocks
(headings, paragraphs, list items with bold and italic runs) that the Word draft and the
Markdown text both render, so they say the same thing.

How it reads, and why:

- **Each result once.** A focal point's one-line message on five tasks is one segment stored
  on each of them; pasted five times it made the old draft 32 pages. Here every result is
  keyed by its words (:func:`reports.prose.key`) across the whole draft and written once,
  under the first task (in the plan's order) it is about, crediting each agency that said it
  with the tasks its segment covers ("Sở Xây dựng, Tòa án nhân dân tỉnh (nhiệm vụ 1–5)").
  The other tasks' status lines say how many of their answers were stated at which point.
  Agencies that wrote the same words are one line.
- **Per task**: the status line (how many agencies reported, done / in progress / not
  started / nothing arose, the mean progress over the agencies that gave a percent — an
  agency that reported done counts as 100 % — and how many said so), then the lead
  agencies' results (with their status and percent), then the coordinators' contributions.
  A lead that has not reported is named; other silent agencies are named once, in part I.
- **Khó khăn, vướng mắc** and **kiến nghị, đề xuất** are the clauses :mod:`reports.prose`
  told apart, each written once with the agencies that raised it; requests for more time are
  in part I.2 with Sở Tư pháp's decisions, never among the recommendations.
- **Administrative style**: counts under ten with a leading zero ("05 cơ quan"), dates
  "ngày 15 tháng 3 năm 2024", periods "quý I năm 2024", "06 tháng đầu năm 2024".

No paragraph is written twice: every sentence that could repeat names its task.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from common import tasks as taskrefs
from common.text import fold
from common.vndate import format_date_vi
from reports import prose
from reports import status as st
from reports.data import Contribution, ExtensionRow, ReportData, TaskReport, names

Run = tuple[str, str]  # (style: "", "b", "i", "bi"; text)


@dataclass(frozen=True)
class Block:
    kind: str  # h1 | h2 | h3 | p | item
    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return "".join(text for _, text in self.runs)


def _p(*runs: Run | str) -> Block:
    return Block("p", tuple(("", r) if isinstance(r, str) else r for r in runs))


def _item(*runs: Run | str) -> Block:
    return Block("item", (("", "- "), *(("", r) if isinstance(r, str) else r for r in runs)))


def _h(level: int, text: str) -> Block:
    return Block(f"h{level}", (("", text),))


# --- words ---------------------------------------------------------------------------------------


def num(n: int) -> str:
    """``5`` → ``"05"``: counts under ten take a leading zero, as official documents write them."""
    return f"{n:02d}" if 0 < n < 10 else str(n)


def count(n: int, noun: str = "cơ quan, đơn vị") -> str:
    """``5`` → ``"05 cơ quan, đơn vị"``."""
    return f"{num(n)} {noun}"


PERIOD_TITLES = {"H1": "06 tháng đầu năm", "9M": "09 tháng đầu năm"}


def period_title(data: ReportData) -> str:
    """"quý I năm 2024", "06 tháng đầu năm 2024", "09 tháng đầu năm 2024", "năm 2024"."""
    head = PERIOD_TITLES.get(data.status.period_code)
    return f"{head} {data.status.year}" if head else data.period_name


def date_words(day) -> str:  # type: ignore[no-untyped-def]
    return format_date_vi(day, weekday=False)


def task_span(numbers: Sequence[str]) -> str:
    """``["1", "2", "3", "4", "5"]`` → ``"1–5"``; ``["1", "4", "6"]`` → ``"1, 4 và 6"``."""
    numbers = list(dict.fromkeys(numbers))
    if len(numbers) >= 3 and all(n.isdigit() for n in numbers):
        values = [int(n) for n in numbers]
        if values == list(range(values[0], values[0] + len(values))):
            return f"{values[0]}–{values[-1]}"
    return names(numbers)


def _status_words(contribution: Contribution) -> str:
    entry = contribution.entry
    label = contribution.status_label
    if entry.percent is not None and not (entry.status == "done" and entry.percent == 100):
        label += f" {prose_percent(entry.percent)}"
    return label


def prose_percent(value: float | int) -> str:
    return f"{value:g}".replace(".", ",") + "%"


def agencies(items: Iterable[str]) -> str:
    """Agency names as a list: "A, B và C"; with "; " between them when a name has a comma of
    its own ("Sở Văn hóa, Thể thao và Du lịch")."""
    items = list(items)
    if any("," in name for name in items):
        return "; ".join(items)
    return names(items)


# --- results: each said once -----------------------------------------------------------------------


@dataclass
class _Said:
    """One result, with the agencies that said it and the tasks each said it on."""

    text: str
    home: str  # the task it is written under
    agencies: dict[str, list[str]] = field(default_factory=dict)  # agency → tasks (refs)
    leads: dict[str, str] = field(default_factory=dict)  # lead agency → its status words


def _results(data: ReportData) -> tuple[dict[str, list[_Said]], dict[str, dict[str, int]], set[tuple[str, str]]]:
    """Every result of the period keyed by its words, written under the first task it is
    about; per task, how many of its answers were written under another task (task → home
    task → agencies); and the (agency, task) pairs some result covers."""
    said: dict[str, _Said] = {}
    cache: dict[str, prose.Said] = {}
    for task in data.tasks:
        for contribution in (*task.leads, *task.coordinators):
            text = contribution.entry.text
            if text not in cache:
                cache[text] = prose.read(text)
            result = cache[text].result
            if not result:
                continue
            key = prose.key(result)
            entry = said.get(key)
            if entry is None:
                entry = said[key] = _Said(result, task.no)
            entry.agencies.setdefault(contribution.agency, [])
            if contribution.entry.task not in entry.agencies[contribution.agency]:
                entry.agencies[contribution.agency].append(contribution.entry.task)
            if contribution.role == "lead" and not entry.leads and entry.home != task.no and list(entry.agencies) == [contribution.agency]:
                # An agency's one line on tasks it coordinates and a task it leads: under the
                # task it leads, where its result is looked for.
                entry.home = task.no
            if contribution.role == "lead" and task.no == entry.home:
                entry.leads[contribution.agency] = _status_words(contribution)
    homes: dict[str, list[_Said]] = {}
    elsewhere: dict[str, dict[str, int]] = {}
    covered: set[tuple[str, str]] = set()
    for entry in said.values():
        homes.setdefault(entry.home, []).append(entry)
        for agency, refs in entry.agencies.items():
            for no in {_parent(data, ref) for ref in refs}:
                covered.add((agency, no))
                if no != entry.home:
                    by_home = elsewhere.setdefault(no, {})
                    by_home[entry.home] = by_home.get(entry.home, 0) + 1
    return homes, elsewhere, covered


def _parent(data: ReportData, ref: str) -> str:
    if ref in data.plan.task_by_no:
        return ref
    return taskrefs.parent(ref) or ref


def _credit(data: ReportData, home: str, entry: _Said) -> list[Run]:
    """"**Công an tỉnh** (chủ trì, đang thực hiện 45%)" or "**Sở A, Sở B** (nhiệm vụ 1–5);
    **Sở C** (nhiệm vụ 1, 4 và 6)": agencies with the same tasks together."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for agency, refs in entry.agencies.items():
        groups.setdefault(tuple(refs), []).append(agency)
    runs: list[Run] = []
    for index, (refs, members) in enumerate(groups.items()):
        if index:
            runs.append(("", "; "))
        runs.append(("b", agencies(members)))
        notes: list[str] = []
        if len(members) == 1 and members[0] in entry.leads:
            notes.append("chủ trì, " + entry.leads[members[0]])
        parents = [_parent(data, r) for r in refs]
        if parents != [home] or any(r != home for r in refs):
            subs = [r for r in refs if r != _parent(data, r)]
            if set(parents) == {home} and subs:
                notes.append("nội dung " + names(subs))
            else:
                notes.append("nhiệm vụ " + task_span(refs))
        if notes:
            runs.append(("", f" ({'; '.join(notes)})"))
    return runs


def _task_blocks(
    data: ReportData, task: TaskReport, homes: dict[str, list[_Said]], elsewhere: dict[str, dict[str, int]], covered: set[tuple[str, str]]
) -> list[Block]:
    blocks = [_h(2, f"{task.no}. {task.title}")]
    blocks.append(_p(_status_line(data, task, elsewhere.get(task.no, {}))))
    here = homes.get(task.no, [])
    lead_names = set(task.summary.lead)
    # The leads' own results first (a lead also in a shared line of coordinators comes after).
    here.sort(key=lambda e: (not e.leads, not (set(e.agencies) & lead_names), -len(e.agencies)))
    stated: set[str] = set()
    for contribution in task.leads:
        # A lead that reported only a status ("NV2: hoàn thành") still reports on its task.
        if (contribution.agency, task.no) not in covered and contribution.agency not in stated:
            blocks.append(_item(("b", contribution.agency), f" (chủ trì): nhiệm vụ {task.no} {_lead_status(contribution)}."))
            stated.add(contribution.agency)
    for entry in here:
        blocks.append(_item(*_credit(data, task.no, entry), ": " + prose.sentence(entry.text)))
    for name in task.silent_leads:
        blocks.append(_item(("b", name), f" (chủ trì) chưa báo cáo kết quả thực hiện nhiệm vụ {task.no}."))
    return blocks


def _lead_status(contribution: Contribution) -> str:
    """"hoàn thành", "đang thực hiện, đạt 40%", "chưa triển khai"."""
    entry = contribution.entry
    words = contribution.status_label
    if entry.percent and entry.status != "done":
        words += f", đạt {prose_percent(entry.percent)}"
    return words


def _status_line(data: ReportData, task: TaskReport, elsewhere: dict[str, int]) -> str:
    s = task.summary
    lead = names(task.lead_names) or (task.lead_text or "")
    if task.lead_is_request:
        lead += " (theo đề nghị của Kế hoạch)"
    head = f"Cơ quan chủ trì: {lead}" + (f"; thời gian thực hiện: {task.time_frame}" if task.time_frame else "") + ". "
    if not task.reported:
        return head + f"Chưa có cơ quan, đơn vị nào báo cáo kết quả thực hiện nhiệm vụ {task.no} trong kỳ ({s.assigned_to} cơ quan, đơn vị phải báo cáo)."
    parts = []
    for key, label in (("done", "hoàn thành"), ("in_progress", "đang thực hiện"), ("not_started", "chưa triển khai"),
                       ("not_arisen", "không phát sinh"), (st.UNSPECIFIED, "chưa nêu tiến độ")):
        if s.statuses.get(key, 0):
            parts.append(count(s.statuses[key], label))
    text = head + f"Có {num(s.reported_by)}/{s.assigned_to} cơ quan, đơn vị báo cáo nhiệm vụ {task.no}: {', '.join(parts)}"
    mean = progress(task)
    if mean is not None:
        value, n, done = mean
        if n == 1:
            text += f"; tiến độ {prose_percent(value)} (theo 01 cơ quan có nêu tỷ lệ{', báo cáo hoàn thành' if done else ''})"
        else:
            note = f", trong đó {count(done, 'cơ quan')} báo cáo hoàn thành tính là 100%" if done else ""
            text += f"; tiến độ bình quân {prose_percent(value)} (bình quân trên {count(n, 'cơ quan')} có nêu tỷ lệ{note})"
    if s.difficulties:
        text += f"; {count(s.difficulties, 'cơ quan')} nêu khó khăn, vướng mắc (mục III)"
    if elsewhere:
        where = names([f"điểm {no}" for no in sorted(elsewhere, key=_order(data))])
        text += f"; {count(sum(elsewhere.values()), 'cơ quan')} báo cáo chung nhiều nhiệm vụ, nội dung đã nêu tại {where}"
    return text + "."


def _order(data: ReportData):  # type: ignore[no-untyped-def]
    order = {t.no: i for i, t in enumerate(data.tasks)}
    return lambda no: order.get(no, len(order))


def progress(task: TaskReport) -> tuple[float, int, int] | None:
    """The mean progress of a task over the agencies that gave one — a percent, or "done",
    which counts as 100 % —, how many they are and how many of them said done without a
    percent; ``None`` when none did."""
    values: dict[str, list[int]] = {}
    done: dict[str, bool] = {}
    for contribution in (*task.leads, *task.coordinators):
        entry = contribution.entry
        if entry.percent is not None:
            values.setdefault(contribution.agency_id, []).append(entry.percent)
        done[contribution.agency_id] = done.get(contribution.agency_id, True) and entry.status == "done"
    per_agency = [sum(v) / len(v) for v in values.values()]
    done_only = [100.0 for agency, is_done in done.items() if is_done and agency not in values]
    per_agency += done_only
    if not per_agency:
        return None
    return round(sum(per_agency) / len(per_agency), 1), len(per_agency), len(done_only)


# --- findings -------------------------------------------------------------------------------------


def _findings(data: ReportData, kind: str) -> list[tuple[str, dict[str, list[str]]]]:
    """Difficulties or recommendations, each once: (text, agency → tasks); "" for a report's
    general part."""
    out: dict[str, tuple[str, dict[str, list[str]]]] = {}
    for finding in data.difficulties if kind == "difficulty" else data.recommendations:
        key = prose.key(finding.text)
        if not key:
            continue
        text, agencies = out.setdefault(key, (finding.text, {}))
        refs = agencies.setdefault(finding.agency, [])
        if finding.task not in refs:
            refs.append(finding.task)
    return list(out.values())


def _finding_blocks(data: ReportData, kind: str, empty: str) -> list[Block]:
    found = _findings(data, kind)
    if not found:
        return [_p(empty)]
    blocks = []
    for text, agencies in found:
        credit: list[str] = []
        for agency, refs in agencies.items():
            named = [r for r in refs if r]
            credit.append(agency + (f": nhiệm vụ {task_span(named)}" if named else ""))
        blocks.append(_item(prose.sentence(text)[:-1], " ", ("i", f"({'; '.join(credit)})"), "."))
    return blocks


# --- the parts -------------------------------------------------------------------------------------


def plan_reference(data: ReportData) -> str:
    info = data.plan.plan
    return f"Kế hoạch số {info.number} ngày {info.date.day:02d}/{info.date.month:02d}/{info.date.year} của {data.issuer}"


def subject(data: ReportData) -> str:
    """The plan's subject with the period: "Chương trình trọng tâm công tác cải cách tư pháp
    quý I năm 2024" — a title ending with the report's year ("… năm 2024") takes the period in
    place of its year, so the yearly report is not "… năm 2024, năm 2024"."""
    title = data.plan.plan.title.strip().rstrip(".")
    if fold(title).startswith("ke hoach "):
        title = title[len("Kế hoạch ") :].strip()
    year = f"năm {data.status.year}"
    period = period_title(data)
    if fold(title).endswith(fold(year)):
        title = title[: -len(year)].rstrip(" ,")
        return f"{title} {period}"
    return f"{title}, {period}"


def summary_line(data: ReportData) -> str:
    """The trích yếu under "BÁO CÁO"."""
    title = subject(data)
    if fold(title).startswith("thuc hien "):
        title = title[len("thực hiện ") :]
    return f"Kết quả thực hiện {title}"


def _opening(data: ReportData) -> Block:
    recipient = data.plan.reporting.recipient_text or data.plan.agency_by_id[data.plan.reporting.recipient].name
    return _p(
        f"Thực hiện {plan_reference(data)}; trên cơ sở báo cáo của các cơ quan, đơn vị, địa phương gửi {recipient}, "
        f"số liệu từ {date_words(data.cutoff_from)} đến {date_words(data.cutoff_to)}, {data.issuer} báo cáo "
        f"kết quả thực hiện {period_title(data)} như sau:"
    )


def _situation(data: ReportData) -> list[Block]:
    s, c = data.status, data.status.counts
    blocks = [_h(1, "I. TÌNH HÌNH BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ")]
    if not s.agencies:
        blocks.append(_p(f"Kỳ báo cáo {period_title(data)} không có cơ quan, đơn vị nào phải báo cáo."))
        return blocks
    now = s.now
    parts = [f"{count(s.reported)} đã báo cáo đầy đủ ({num(c[st.ON_TIME])} đúng hạn, {num(c[st.LATE])} gửi sau hạn)"]
    if c[st.PARTIAL]:
        parts.append(f"{count(c[st.PARTIAL])} báo cáo chưa đầy đủ")
    if c[st.MISSING]:
        parts.append(f"{count(c[st.MISSING])} chưa báo cáo")
    blocks.append(_p(
        f"Kỳ báo cáo {period_title(data)} có {count(s.total)}, địa phương phải báo cáo; hạn gửi báo cáo "
        f"{date_words(s.due)}. Đến {now:%H} giờ {now:%M} {date_words(now.date())}: {'; '.join(parts)} "
        "(chi tiết từng cơ quan, từng nhiệm vụ tại Phụ lục kèm theo)."
    ))
    blocks.append(_h(2, "1. Cơ quan, đơn vị chưa báo cáo, báo cáo chưa đầy đủ, phải bổ sung"))
    missing, partial, late = data.by_state(st.MISSING), data.by_state(st.PARTIAL), data.by_state(st.LATE)
    returned = [a for a in s.agencies if a.review_state in (st.RETURNED, st.SUPPLEMENTED)]
    if not (missing or partial or late or returned):
        blocks.append(_p("Tất cả các cơ quan, đơn vị đã báo cáo đầy đủ, đúng hạn."))
    if missing:
        blocks.append(_item(("b", f"Chưa báo cáo ({count(len(missing))})"), ": " + agencies(a.agency for a in missing) + "."))
    if partial:
        listed = "; ".join(f"{a.agency} (còn thiếu nhiệm vụ {task_span(a.missing_tasks)})" for a in partial)
        blocks.append(_item(("b", f"Báo cáo chưa đầy đủ ({count(len(partial))})"), ": " + listed + "."))
    if late:
        blocks.append(_item(("b", f"Gửi báo cáo sau hạn ({count(len(late))})"), ": " + agencies(a.agency for a in late) + "."))
    if returned:
        listed = "; ".join(
            a.agency + (f" ({prose.strip_chat(a.review.reason).rstrip('.')})" if a.review is not None and a.review.reason else "")
            + (", đã gửi bổ sung" if a.review_state == st.SUPPLEMENTED else "")
            for a in returned
        )
        blocks.append(_item(("b", f"Sở Tư pháp đề nghị bổ sung ({count(len(returned))})"), ": " + listed + "."))
    blocks.append(_h(2, "2. Gia hạn thời hạn báo cáo"))
    if not data.extensions:
        blocks.append(_p(f"Trong {period_title(data)}, không có cơ quan, đơn vị nào đề nghị gia hạn thời hạn gửi báo cáo."))
    else:
        decided = {key: sum(1 for row in data.extensions if row.info.status == key) for key in
                   (st.APPROVED_EXTENSION, st.DECLINED_EXTENSION, st.PENDING_EXTENSION)}
        parts = [f"đồng ý {num(decided[st.APPROVED_EXTENSION])}", f"không đồng ý {num(decided[st.DECLINED_EXTENSION])}"]
        if decided[st.PENDING_EXTENSION]:
            parts.append(f"đang xem xét {num(decided[st.PENDING_EXTENSION])}")
        blocks.append(_p(f"Trong {period_title(data)}, có {count(len(data.extensions), 'đề nghị')} gia hạn thời hạn gửi báo cáo; "
                         f"Sở Tư pháp {', '.join(parts)}:"))
    for row in data.extensions:
        blocks.append(_item(*extension_runs(row)))
    return blocks


def extension_runs(row: ExtensionRow) -> list[Run]:
    info = row.info
    head = row.agency + (f" (nhiệm vụ {info.task})" if info.task else "")
    asked = f" đề nghị gia hạn đến {date_words(info.until)} (hạn gửi {date_words(row.plan_due)})"
    if info.status == st.APPROVED_EXTENSION:
        answer = "Sở Tư pháp đồng ý"
    elif info.status == st.DECLINED_EXTENSION:
        answer = "Sở Tư pháp không đồng ý"
    else:
        answer = "Sở Tư pháp đang xem xét"
    when = f" ngày {info.decided_at:%d/%m/%Y}" if info.decided_at is not None and info.status != st.PENDING_EXTENSION else ""
    return [("b", head), ("", asked + f"; {answer}{when}.")]


def _next(data: ReportData) -> list[Block]:
    blocks = [_h(1, "V. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI")]
    unfinished = [t.no for t in data.tasks if not t.leads or any(c.entry.status != "done" for c in t.leads)]
    text = "Tiếp tục chỉ đạo các cơ quan, đơn vị, địa phương triển khai các nhiệm vụ của Kế hoạch"
    if unfinished:
        text += f", tập trung vào các nhiệm vụ chưa hoàn thành (nhiệm vụ {task_span(unfinished)})"
    parts = [text]
    behind = len(data.by_state(st.MISSING)) + len(data.by_state(st.PARTIAL))
    if behind:
        parts.append(f"đôn đốc {count(behind)} chưa báo cáo hoặc báo cáo chưa đầy đủ hoàn thành báo cáo {period_title(data)}")
    if data.next_period is not None:
        recipient = data.plan.reporting.recipient_text or data.plan.agency_by_id[data.plan.reporting.recipient].name
        head = PERIOD_TITLES.get(data.next_period.key.partition("-")[2])
        name = f"{head} {data.next_period.key[:4]}" if head else data.next_period.name
        parts.append(f"các cơ quan, đơn vị báo cáo kết quả {name} về {recipient} trước {date_words(data.next_period.due)}")
    blocks.append(_p("; ".join(parts) + "."))
    return blocks


def blocks(data: ReportData) -> list[Block]:
    """The body, from the opening paragraph to "Trên đây là báo cáo …"."""
    out = [_opening(data)]
    out += _situation(data)
    out.append(_h(1, "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ"))
    if not data.tasks:
        out.append(_p(f"Trong {period_title(data)}, không có nhiệm vụ nào phải báo cáo."))
    homes, elsewhere, covered = _results(data)
    for task in data.tasks:
        out += _task_blocks(data, task, homes, elsewhere, covered)
    out.append(_h(1, "III. KHÓ KHĂN, VƯỚNG MẮC"))
    out += _finding_blocks(data, "difficulty", f"Các cơ quan, đơn vị chưa phản ánh khó khăn, vướng mắc trong {period_title(data)}.")
    out.append(_h(1, "IV. KIẾN NGHỊ, ĐỀ XUẤT"))
    out += _finding_blocks(data, "recommendation", f"Các cơ quan, đơn vị chưa có kiến nghị, đề xuất trong {period_title(data)}.")
    out += _next(data)
    out.append(_p(f"Trên đây là báo cáo kết quả thực hiện {plan_reference(data)} {period_title(data)}./."))
    return out


__all__ = ["Block", "blocks", "count", "period_title", "plan_reference", "progress", "subject", "summary_line", "task_span"]

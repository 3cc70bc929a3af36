#!/usr/bin/env python
"""Benchmark (issues 5, 10): how long the consolidated report takes to make, per format, and
how long the Word draft is.

    python benchmarks/report.py [--agencies 50 500] [--repeat 3] [--pg URL | --pg none]
    python benchmarks/report.py --drafts DIR     # measure the Word drafts in DIR (baocao demo --out DIR)

What runs
    For each size, a synthetic province-year is built from the seed plan (``data/plan.json``):
    its 11 tasks (titles and texts), its four reporting periods and deadline rules, and
    ``N`` agencies named "Cơ quan thử nghiệm 001"…, each of which leads at most one task and
    coordinates all the others (so every agency owes all 11 tasks every period). Every agency
    answers every task 3 times per period (revisions 1–3: before the due date, a correction
    on the due date, a correction after it), with varied Vietnamese texts, a third of them
    flagged with a difficulty and some with a recommendation. So one size is
    ``N × 11 tasks × 4 periods × 3 revisions`` answers: 6 600 for 50 agencies (a province's
    year), 66 000 for 500 (ten times that).

    The same rows go into a migrated SQLite file in a temporary directory and into a fresh
    PostgreSQL database (created on ``--pg``'s server and dropped at the end), inserted in
    bulk; obligations come from ``scheduler.sync`` as in the bot.

What is measured
    For the year's last period (``FY``: its chart has a bar for each of the four periods),
    per database and per format, what ``baocao report`` does after syncing the plan:
    ``reports.gather`` with what the format needs (revisions for Excel, history for the
    chart) and the rendering (``render(data, fmt)``), each timed separately. Each
    measurement is the median of ``--repeat`` runs after one warm-up run (imports, font
    cache, database caches). The file sizes are printed too, and for the Word draft its
    characters and the paragraphs it repeats (issue 10: each result is written once).
    Everything runs in this one process; the run stops by itself (``--max-seconds``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, time as dt_time, timedelta, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ICT = timezone(timedelta(hours=7))
YEAR = 2024
PERIOD = f"{YEAR}-FY"
NOW = datetime(YEAR, 12, 20, 9, 0, tzinfo=ICT)
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
FORMATS = ("docx", "xlsx", "png", "md")
PACKAGES = ("python-docx", "openpyxl", "matplotlib", "SQLAlchemy", "sqlmodel", "psycopg")

PHRASES = (
    "đã tổ chức {n} hội nghị quán triệt cho cán bộ, công chức",
    "đã ban hành kế hoạch triển khai và phân công {n} đơn vị thực hiện",
    "đã rà soát {n} quy chế phối hợp, đề xuất sửa đổi 2 quy chế",
    "tuyên truyền trên cổng thông tin điện tử {n} tin bài",
    "đã kiện toàn tổ công tác, bố trí {n} công chức theo dõi",
)
DIFFICULTIES = (
    "vướng kinh phí thực hiện",
    "khó khăn do thiếu biên chế chuyên trách",
    "vướng mắc về cơ chế phối hợp liên ngành",
)
RECOMMENDATIONS = (
    "đề nghị Sở Tài chính bổ sung kinh phí",
    "kiến nghị UBND tỉnh bổ sung biên chế",
    "đề xuất tổ chức tập huấn chuyên sâu",
)


class BenchError(Exception):
    pass


# -- the synthetic plan and its answers ------------------------------------------------------


def synthetic_plan(agencies: int) -> Any:
    """The seed plan's tasks and rules with ``agencies`` generated agencies."""
    from common.paths import data_file
    from scheduler.plan import parse_plan

    raw = json.loads(Path(data_file("plan.json")).read_text(encoding="utf-8"))
    ids = [f"co-quan-{i:04d}" for i in range(1, agencies + 1)]
    raw["agencies"] = [
        {"id": agency_id, "name": f"Cơ quan thử nghiệm {i:03d}", "aliases": [], "kind": "co-quan-chuyen-mon"}
        for i, agency_id in enumerate(ids, 1)
    ]
    raw["groups"] = [{"id": "tat-ca-co-quan", "name": "Tất cả các cơ quan", "aliases": [], "members": ids}]
    for index, task in enumerate(raw["tasks"]):
        task["lead"] = [ids[index % agencies]]
        task["lead_text"] = raw["agencies"][index % agencies]["name"]
        task["coordinators"] = ["tat-ca-co-quan"]
        task["coordinators_text"] = "Tất cả các cơ quan"
        task["time_frame"] = {"kind": "ongoing", "text": "Thường xuyên"}
    raw["reporting"]["recipient"] = ids[0]
    raw["plan"]["in_force"] = {"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31"}
    return parse_plan(json.dumps(raw, ensure_ascii=False))


def _text(rng: random.Random, no: str, status: str, percent: int, difficulty: bool) -> str:
    label = {"done": "hoàn thành", "in_progress": "đang thực hiện", "not_started": "chưa triển khai"}[status]
    parts = [f"NV{no}: {label} {percent}%", rng.choice(PHRASES).format(n=rng.randint(2, 40))]
    if difficulty:
        parts.append(rng.choice(DIFFICULTIES))
        if rng.random() < 0.5:
            parts.append(rng.choice(RECOMMENDATIONS))
    return ", ".join(parts[:2]) + ("; " + "; ".join(parts[2:]) if parts[2:] else "") + "."


def populate(url: str, plan: Any, seed: int) -> dict[str, int]:
    """Migrate, sync the plan's obligations and insert every answer in bulk; the counts."""
    from sqlalchemy import insert
    from sqlmodel import select

    from scheduler.calendar import WorkingCalendar
    from scheduler.deadlines import obligations
    from scheduler.sync import sync_agencies, sync_obligations
    from storage.db import dispose_engine, get_engine, session_scope, upgrade
    from storage.models import Obligation, Report, ReportEntry

    upgrade(url)
    engine = get_engine(url)
    cal = WorkingCalendar.load()
    rng = random.Random(seed)
    synced = datetime(YEAR, 1, 2, 8, tzinfo=ICT)
    reports: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    with session_scope(engine) as session:
        sync_agencies(session, plan, now=synced)
        sync_obligations(session, plan, obligations(plan, cal, YEAR), years=[YEAR], now=synced)
    with session_scope(engine) as session:
        rows = session.exec(select(Obligation).where(Obligation.plan_id == plan.plan.id)).all()
        report_id = entry_id = 0
        for ob in sorted(rows, key=lambda r: (r.period, r.agency_id)):
            due = datetime.combine(ob.due, dt_time(9, 0), tzinfo=ICT)
            moments = (due - timedelta(days=3), due + timedelta(hours=6), due + timedelta(days=4))
            previous: dict[str, int] = {}
            for revision, moment in enumerate(moments, 1):
                report_id += 1
                late = moment.astimezone(ICT).date() > ob.due
                reports.append(
                    {"id": report_id, "obligation_id": ob.id, "raw_text": "", "source": "chat" if revision > 1 else "cli",
                     "channel": "telegram" if revision > 1 else None,
                     "submitted_at": moment.astimezone(UTC), "late": late}
                )
                for duty in ob.tasks:
                    no = duty["no"]
                    entry_id += 1
                    status = rng.choice(("done", "in_progress", "in_progress", "not_started"))
                    percent = 100 if status == "done" else (0 if status == "not_started" else rng.randrange(10, 95, 5))
                    difficulty = rng.random() < 1 / 3
                    entries.append(
                        {"id": entry_id, "report_id": report_id, "obligation_id": ob.id, "task_no": no, "status": status,
                         "percent": percent, "difficulty": difficulty, "text": _text(rng, no, status, percent, difficulty),
                         "revision": revision, "submitted_at": moment.astimezone(UTC), "late": late,
                         "supersedes_id": previous.get(no)}
                    )
                    previous[no] = entry_id
        for start in range(0, len(reports), 5000):
            session.execute(insert(Report), reports[start : start + 5000])
        for start in range(0, len(entries), 5000):
            session.execute(insert(ReportEntry), entries[start : start + 5000])
        obligation_count = len(rows)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    else:
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
    dispose_engine(url)
    return {"obligations": obligation_count, "reports": len(reports), "entries": len(entries)}


# -- measuring -------------------------------------------------------------------------------


@dataclass
class Measure:
    database: str
    agencies: int
    fmt: str
    gather_s: list[float] = field(default_factory=list)
    render_s: list[float] = field(default_factory=list)
    size: int = 0
    characters: int | None = None  # the Word draft's text
    repeated: int | None = None  # paragraphs the Word draft has more than once

    @property
    def gather(self) -> float:
        return statistics.median(self.gather_s)

    @property
    def render(self) -> float:
        return statistics.median(self.render_s)


def measure(url: str, name: str, plan: Any, repeat: int, agencies: int) -> list[Measure]:
    from reports import NEEDS, gather, render
    from scheduler.calendar import WorkingCalendar
    from storage.db import dispose_engine, get_engine, get_session

    engine = get_engine(url)
    cal = WorkingCalendar.load()
    out = []
    try:
        for fmt in FORMATS:
            revisions, history = NEEDS[fmt]
            result = Measure(name, agencies, fmt)
            for run in range(repeat + 1):  # the first run warms up
                with get_session(engine) as session:
                    started = time.perf_counter()
                    data = gather(session, plan, PERIOD, NOW, ICT, cal=cal, revisions=revisions, history=history)
                    gathered = time.perf_counter()
                    session.rollback()
                content = render(data, fmt)
                rendered = time.perf_counter()
                if run:
                    result.gather_s.append(gathered - started)
                    result.render_s.append(rendered - gathered)
                result.size = len(content)
            if fmt == "docx":
                result.characters, result.repeated = draft_text(content)
            out.append(result)
    finally:
        dispose_engine(url)
    return out


def draft_text(content: bytes) -> tuple[int, int]:
    """(characters, repeated paragraphs) of a Word draft, tables included."""
    import io
    from collections import Counter

    from docx import Document

    document = Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs if p.text.strip()]
    paragraphs += [p.text for t in document.tables for c in t._cells for p in c.paragraphs if p.text.strip()]
    return sum(map(len, paragraphs)), sum(n - 1 for n in Counter(paragraphs).values() if n > 1)


def estimated_pages(document: Any) -> float:
    """Pages a draft renders to, estimated from its text when no word processor is at hand:
    Times New Roman averages about 0.45 em per Vietnamese character, so a line of the text width
    at the body size holds ``width / (0.45 × size)`` characters; each paragraph takes its lines
    at the line spacing (1.15 × 1.17 of the size) plus the space after it; the header block and
    the signature block add about 380 pt. Calibrated on the issue's 32 pages for the old Q1 draft
    (this estimate gives 32.1)."""
    import math

    section = document.sections[0]
    width_pt = (section.page_width - section.left_margin - section.right_margin) / 12700
    height_pt = (section.page_height - section.top_margin - section.bottom_margin) / 12700
    size = document.styles["Normal"].font.size.pt if document.styles["Normal"].font.size else 14
    per_line = width_pt / (size * 0.45)
    used = 380.0
    for paragraph in document.paragraphs:
        lines = max(1, math.ceil((len(paragraph.text) + 6) / per_line))
        used += lines * size * 1.15 * 1.17 + 6
    return used / height_pt


def measure_drafts(directory: Path) -> int:
    """Characters, paragraphs, repeated paragraphs and estimated pages of each ``*.docx``."""
    from docx import Document

    order = ("Q1", "H1", "9M", "FY")
    paths = sorted(directory.glob("*.docx"), key=lambda p: next((i for i, c in enumerate(order) if p.stem.endswith(c)), len(order)))
    if not paths:
        print(f"no .docx in {directory}", file=sys.stderr)
        return 1
    print("| draft | characters | paragraphs | repeated paragraphs | pages (estimated) |")
    print("|---|---|---|---|---|")
    for path in paths:
        characters, repeated = draft_text(path.read_bytes())
        document = Document(str(path))
        paragraphs = sum(1 for p in document.paragraphs if p.text.strip())
        print(f"| {path.name} | {characters:,} | {paragraphs} | {repeated} | {estimated_pages(document):.1f} |".replace(",", " "))
    return 0


class Postgres:
    """A fresh database on the server of ``admin_url``, dropped by :meth:`drop`."""

    def __init__(self, admin_url: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        from storage.db import normalize_url

        server_url = make_url(normalize_url(admin_url))
        self.name = f"baocao_bench_{secrets.token_hex(5)}"
        self.server = create_engine(server_url, isolation_level="AUTOCOMMIT")
        with self.server.connect() as connection:
            self.version = connection.exec_driver_sql("SHOW server_version").scalar()
            connection.exec_driver_sql(f'CREATE DATABASE "{self.name}"')
        self.url = server_url.set(database=self.name).render_as_string(hide_password=False)

    def drop(self) -> None:
        from storage.db import dispose_engine

        dispose_engine(self.url)
        with self.server.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.server.dispose()


# -- the machine -----------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "?"


def _commit() -> str:
    try:
        rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain"], capture_output=True, text=True, timeout=10).stdout.strip()
        return rev + (" (+ uncommitted changes)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "?"


def describe_machine(pg_version: str | None) -> str:
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} -")
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0]
    pg = f"PostgreSQL {pg_version} on 127.0.0.1" if pg_version else "no PostgreSQL"
    return (
        f"Machine: {nproc} cores ({_cpu_model()}), {_memory()} RAM, Linux {platform.release()}; Python "
        f"{platform.python_version()}; {', '.join(versions)}; SQLite {sqlite3.sqlite_version}; {pg}; load average "
        f"{load:.2f} at start; {datetime.now(UTC):%Y-%m-%d %H:%M UTC}; commit {_commit()}."
    )


# -- the run -----------------------------------------------------------------------------------


def table(measures: list[Measure], counts: dict[int, dict[str, int]], databases: list[str]) -> str:
    lines = [
        "| agencies (answers) | format | " + " | ".join(f"{db}: gather + render = total s" for db in databases) + " | file size |",
        "|---|---|" + "---|" * len(databases) + "---|",
    ]
    by_key = {(m.agencies, m.fmt, m.database): m for m in measures}
    for agencies in sorted(counts):
        for fmt in FORMATS:
            cells = []
            size = 0
            for db in databases:
                m = by_key.get((agencies, fmt, db))
                if m is None:
                    cells.append("—")
                    continue
                cells.append(f"{m.gather:.2f} + {m.render:.2f} = **{m.gather + m.render:.2f}**")
                size = m.size
            label = f"{agencies} ({counts[agencies]['entries']:,})".replace(",", " ")
            lines.append(f"| {label} | {fmt} | " + " | ".join(cells) + f" | {size / 1024:,.0f} KiB |".replace(",", " "))
    drafts = [m for m in measures if m.fmt == "docx" and m.characters is not None and m.database == databases[0]]
    if drafts:
        lines.append("")
        lines += [f"Word draft, {m.agencies} agencies: {m.characters:,} characters, {m.repeated} repeated paragraphs.".replace(",", " ") for m in drafts]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agencies", type=int, nargs="+", default=[50, 500], help="sizes to measure (default 50 500)")
    parser.add_argument("--repeat", type=int, default=3, help="measured runs per format after one warm-up (default 3)")
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"PostgreSQL server URL; a fresh database is created there and dropped (default {DEFAULT_PG}; 'none' to skip)")
    parser.add_argument("--seed", type=int, default=5, help="seed of the answers (default 5)")
    parser.add_argument("--max-seconds", type=float, default=1800.0, help="give up after this long (default 1800)")
    parser.add_argument("--json", metavar="FILE", help="also write the raw figures as JSON")
    parser.add_argument("--drafts", metavar="DIR", help="only measure the Word drafts in DIR (characters, repeated paragraphs, pages)")
    args = parser.parse_args(argv)
    if args.drafts:
        return measure_drafts(Path(args.drafts))
    if args.repeat < 1 or any(n < 1 or n > 5000 for n in args.agencies):
        parser.error("need --repeat >= 1 and 1 <= --agencies <= 5000")

    import signal

    def timeout(signum: int, frame: Any) -> None:
        raise BenchError(f"time limit of {args.max_seconds:.0f} s reached")

    signal.signal(signal.SIGALRM, timeout)
    signal.alarm(int(args.max_seconds))
    tmpdir = Path(tempfile.mkdtemp(prefix="baocao-bench-report-"))
    pg: Postgres | None = None
    started = time.monotonic()
    measures: list[Measure] = []
    counts: dict[int, dict[str, int]] = {}
    setup_s: dict[tuple[str, int], float] = {}
    try:
        if args.pg.lower() != "none":
            try:
                pg = Postgres(args.pg)
            except Exception as exc:  # noqa: BLE001 - say what to do instead of a traceback
                raise BenchError(f"PostgreSQL at {args.pg} cannot be used ({type(exc).__name__}: {exc}); pass --pg none to skip it") from exc
        machine = describe_machine(pg.version if pg else None)
        databases = ["sqlite"] + (["postgresql"] if pg else [])
        for agencies in args.agencies:
            plan = synthetic_plan(agencies)
            urls = {"sqlite": f"sqlite:///{tmpdir / f'bench-{agencies}.sqlite3'}"}
            if pg is not None:
                # One database per size: a schema each, so the sizes do not share tables.
                schema = f"s{agencies}"
                from sqlalchemy import create_engine

                admin = create_engine(pg.url, isolation_level="AUTOCOMMIT")
                with admin.connect() as connection:
                    connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
                admin.dispose()
                from sqlalchemy.engine import make_url

                urls["postgresql"] = make_url(pg.url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
            for db in databases:
                print(f"{agencies} agencies: filling {db}…", file=sys.stderr)
                t0 = time.monotonic()
                counts[agencies] = populate(urls[db], plan, args.seed)
                setup_s[(db, agencies)] = time.monotonic() - t0
            for db in databases:
                print(f"{agencies} agencies: measuring {db}…", file=sys.stderr)
                measures += measure(urls[db], db, plan, args.repeat, agencies)
        signal.alarm(0)
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        signal.alarm(0)
        if pg is not None:
            pg.drop()
        shutil.rmtree(tmpdir, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(machine)
    print()
    print(
        f"Run: period {PERIOD} (its chart has four periods), median of {args.repeat} runs after one warm-up; "
        f"answers per size = agencies × 11 tasks × 4 periods × 3 revisions; obligations per size: "
        + ", ".join(f"{n} agencies {c['obligations']}" for n, c in counts.items())
        + ". Filling the databases (bulk insert, not measured): "
        + ", ".join(f"{db} {n}: {s:.1f} s" for (db, n), s in setup_s.items())
        + f". Peak RSS of the process: {peak:.0f} MiB."
    )
    print()
    print(table(measures, counts, databases))
    print(f"\n(total run time {time.monotonic() - started:.0f} s)")
    if args.json:
        raw = {
            "machine": machine,
            "counts": counts,
            "measures": [
                {"database": m.database, "agencies": m.agencies, "format": m.fmt, "gather_s": m.gather_s, "render_s": m.render_s, "bytes": m.size,
                 "characters": m.characters, "repeated_paragraphs": m.repeated}
                for m in measures
            ],
        }
        Path(args.json).write_text(json.dumps(raw, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

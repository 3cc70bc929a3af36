#!/usr/bin/env python
"""Benchmark (issue 4): the cost of a large plan: validation, obligations, reminders, sync.

    python benchmarks/obligations.py [--agencies 2000] [--tasks 500] [--pg URL | --pg none]

What runs
    Two plans side by side, in one process, in the same run:

    * ``seed``: ``data/plan.json`` (47 agencies, 5 groups, 11 tasks);
    * ``large``: a synthetic plan generated from a fixed seed, checked with the real
      validator (:func:`scheduler.plan.parse_plan`): ``--agencies`` agencies with slug ids
      (2 % departments ``so-…``, 2 % mass organisations ``doan-the-…`` asked by request,
      3 % districts ``ubnd-huyen-…`` of which a tenth end on 30/6/2024, the rest communes
      ``ubnd-xa-…`` with their district as parent), five groups (departments, mass
      organisations, districts, communes, and "chính quyền các cấp" = the districts' and the
      communes' groups nested), and ``--tasks`` tasks led by one or two departments (some by
      a district group or by request), coordinated by 1–4 departments and, for some tasks, by
      a group, with 0–3 sub-items and time frames as in the seed (ongoing, 2024 only, from
      2024, 2025 only, unstated). The seed plan's reporting rules (four periods, six reminder
      steps) are kept; the plan is in force 2024–2025.

    For each plan, timed with ``time.perf_counter`` (best and median of ``--repeat`` runs;
    the seed, being fast, gets more runs):

    * validation: ``parse_plan(text)`` (JSON, pydantic, cross-references), and
      ``Plan.warnings()``, which ``baocao plan check`` prints;
    * obligations: ``scheduler.deadlines.obligations(plan, cal, 2024)``, "cold" on a fresh
      calendar (the year's working days are built from the ``holidays`` package on first use)
      and warm;
    * with reminders: the same plus ``as_dict(with_reminders=True)`` of every obligation and
      ``json.dumps`` of the list, i.e. what ``baocao deadlines --json --reminders`` builds;
    * memory: a separate pass under ``tracemalloc`` (not timed): the peak of traced
      allocations during each step and what the result keeps alive; and the process's
      ``ru_maxrss`` after each plan's timed steps, read before the tracemalloc pass (the seed
      runs first, so its figure is its own; the large plan's includes a previous result still
      referenced while the next is built, as in any caller that recomputes);
    * sync (``--pg``, SQLite always): on a migrated SQLite file in a temporary directory and
      on a fresh PostgreSQL database ``baocao_bench_<random>`` (dropped at the end):
      ``sync_agencies`` and ``sync_obligations`` for 2024 as ``baocao tick`` and the bot
      call them (one session, committed), first into empty tables, then again with nothing
      changed (the idempotent re-sync every tick and start-up does).

The run is bounded by ``--max-seconds`` (default 170; SIGALRM) and stops by itself.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import shutil
import signal
import statistics
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, Path(__file__).resolve().parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from replies import DEFAULT_PG, BenchError, Postgres, describe_machine  # noqa: E402

YEAR = 2024
SYNC_NOW = datetime(2024, 1, 31, 1, 0, tzinfo=UTC)

_PLACES = (
    "Phước Dân", "Phước Hậu", "Phước Thái", "Phước Hữu", "Phước Sơn", "Phước Vinh", "Nhơn Sơn", "Lâm Sơn",
    "Lương Sơn", "Quảng Sơn", "Mỹ Sơn", "Hòa Sơn", "Ma Nới", "Phước Hà", "Phước Nam", "Phước Minh",
)
_VERBS = (
    "Tăng cường", "Nâng cao chất lượng", "Tiếp tục triển khai", "Rà soát, hoàn thiện", "Đẩy mạnh",
    "Tổ chức thực hiện", "Kiểm tra, đôn đốc", "Tổng kết, đánh giá",
)
_OBJECTS = (
    "công tác phổ biến, giáo dục pháp luật", "hoạt động hòa giải ở cơ sở", "công tác thi hành án dân sự",
    "công tác tiếp công dân, giải quyết khiếu nại, tố cáo", "công tác trợ giúp pháp lý",
    "việc kiểm soát thủ tục hành chính", "công tác bổ trợ tư pháp", "công tác xây dựng văn bản quy phạm pháp luật",
    "công tác phòng, chống tham nhũng, tiêu cực", "công tác đào tạo, bồi dưỡng cán bộ tư pháp",
)


# ================================================================================ the plans


def synthetic_plan(n_agencies: int, n_tasks: int, seed: int, base: dict) -> dict:
    """A valid plan dict of ``n_agencies`` agencies and ``n_tasks`` tasks (see the module doc)."""
    if n_agencies < 10 or n_tasks < 1:
        raise BenchError("the synthetic plan needs at least 10 agencies and 1 task")
    rng = random.Random(seed)
    n_dept = max(3, n_agencies * 2 // 100)
    n_mass = max(1, n_agencies * 2 // 100)
    n_dist = max(2, n_agencies * 3 // 100)
    n_comm = n_agencies - n_dept - n_mass - n_dist
    if n_comm < 2:
        raise BenchError("too few agencies for the synthetic plan's structure")
    departments = ["so-tu-phap"] + [f"so-{i:03d}" for i in range(1, n_dept)]
    mass = [f"doan-the-{i:03d}" for i in range(1, n_mass + 1)]
    districts = [f"ubnd-huyen-{i:03d}" for i in range(1, n_dist + 1)]
    communes = [f"ubnd-xa-{i:04d}" for i in range(1, n_comm + 1)]
    agencies: list[dict] = [{"id": "so-tu-phap", "name": "Sở Tư pháp", "aliases": ["STP", "Sở TP"], "kind": "co-quan-chuyen-mon"}]
    agencies += [{"id": a, "name": f"Sở số {i}", "aliases": [f"Sở {i}"], "kind": "co-quan-chuyen-mon"} for i, a in enumerate(departments[1:], 1)]
    agencies += [{"id": a, "name": f"Tổ chức đoàn thể số {i}", "kind": "to-chuc-chinh-tri-xa-hoi"} for i, a in enumerate(mass, 1)]
    for i, a in enumerate(districts, 1):
        agency: dict[str, Any] = {"id": a, "name": f"UBND huyện {_PLACES[i % len(_PLACES)]} {i}", "aliases": [f"huyện {i}"], "kind": "ubnd-cap-huyen"}
        if i % 10 == 0:  # merged mid-year, as the seed's districts are in 2025
            agency.update(valid_to="2024-06-30", note="Sáp nhập từ 01/7/2024 (dữ liệu giả lập).")
        agencies.append(agency)
    for i, a in enumerate(communes, 1):
        agencies.append(
            {"id": a, "name": f"UBND xã {_PLACES[i % len(_PLACES)]} {i}", "kind": "ubnd-cap-xa", "parent": districts[i % len(districts)]}
        )
    groups = [
        {"id": "cac-so-nganh", "name": "Các sở, ban, ngành tỉnh", "aliases": ["các sở ngành"], "members": departments},
        {"id": "cac-doan-the", "name": "Các tổ chức chính trị - xã hội tỉnh", "members": mass},
        {"id": "ubnd-cac-huyen", "name": "UBND các huyện, thành phố", "aliases": ["UBND cấp huyện"], "members": districts},
        {"id": "ubnd-cac-xa", "name": "UBND các xã, phường, thị trấn", "aliases": ["UBND cấp xã"], "members": communes},
        {"id": "chinh-quyen-cac-cap", "name": "UBND cấp huyện và cấp xã", "members": ["ubnd-cac-huyen", "ubnd-cac-xa"]},
    ]
    frames = (
        [{"kind": "ongoing", "text": "Thường xuyên"}] * 10
        + [{"kind": "year_only", "year": 2024, "text": "Năm 2024"}] * 4
        + [{"kind": "from_year", "year": 2024, "text": "Năm 2024 và các năm tiếp theo"}] * 4
        + [{"kind": "year_only", "year": 2025, "text": "Năm 2025"}]
        + [{"kind": "unstated", "text": None}]
    )
    tasks = []
    for n in range(1, n_tasks + 1):
        title = f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"
        task: dict[str, Any] = {
            "no": str(n),
            "title": title,
            "text": f"{title} trên địa bàn tỉnh; báo cáo kết quả theo kỳ (nhiệm vụ giả lập số {n}).",
            "time_frame": dict(rng.choice(frames)),
        }
        roll = rng.random()
        if roll < 0.05:
            task.update(lead=[rng.choice(mass)], lead_is_request=True)
        elif roll < 0.10:
            task["lead"] = ["ubnd-cac-huyen"]
        elif roll < 0.20:
            task["lead"] = rng.sample(departments, 2)
        else:
            task["lead"] = [rng.choice(departments)]
        coordinators = [d for d in rng.sample(departments, min(len(departments), rng.randint(1, 4))) if d not in task["lead"]]
        for group, p in (("ubnd-cac-huyen", 0.30), ("ubnd-cac-xa", 0.15), ("chinh-quyen-cac-cap", 0.10), ("cac-doan-the", 0.15), ("cac-so-nganh", 0.10)):
            if rng.random() < p and group not in task["lead"]:
                coordinators.append(group)
        task["coordinators"] = coordinators
        letters = "abc"[: rng.randint(0, 3)]
        task["items"] = [{"no": f"{n}{x}", "title": f"Nội dung {x} của nhiệm vụ {n}", "text": f"{title}: nội dung {x}."} for x in letters]
        tasks.append(task)
    plan_info = dict(base["plan"])
    plan_info.update(
        id=f"KH-BENCH-{n_agencies}x{n_tasks}", number=f"{n_tasks}/KH-BENCH", title=f"Kế hoạch giả lập {n_tasks} nhiệm vụ × {n_agencies} cơ quan",
        year=2024, in_force={"from": "2024-01-01", "to": "2025-12-31"},
    )
    return {
        "schema_version": 1, "plan": plan_info, "notes": [], "purposes": [], "agencies": agencies,
        "groups": groups, "tasks": tasks, "organization": [], "reporting": dict(base["reporting"], recipient="so-tu-phap"),
    }


# ================================================================================ measuring


def timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    """Durations of ``repeat`` calls and the last result (a collection before each call)."""
    times, result = [], None
    for _ in range(repeat):
        result = None
        gc.collect()
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return times, result


def traced(fn: Callable[[], Any]) -> tuple[int, int, Any]:
    """(peak bytes traced during the call, bytes the result keeps, result)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = fn()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before, current - before, result


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


@dataclass
class PlanFigures:
    name: str
    agencies: int = 0
    groups: int = 0
    tasks: int = 0
    json_bytes: int = 0
    obligations: int = 0
    duties: int = 0
    warnings: int = 0
    parse_s: list[float] = field(default_factory=list)
    warnings_s: list[float] = field(default_factory=list)
    cold_s: float = 0.0
    warm_s: list[float] = field(default_factory=list)
    with_reminders_s: list[float] = field(default_factory=list)
    output_bytes: int = 0
    peak: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    maxrss_mib: float = 0.0
    sync: list[dict] = field(default_factory=list)


def measure_plan(name: str, raw: str, repeat: int) -> tuple[PlanFigures, Any]:
    from scheduler import deadlines
    from scheduler.calendar import WorkingCalendar
    from scheduler.plan import parse_plan

    print(f"{name}: validation…", file=sys.stderr)
    fig = PlanFigures(name, json_bytes=len(raw.encode("utf-8")))
    fig.parse_s, plan = timed(lambda: parse_plan(raw), repeat)
    fig.agencies, fig.groups, fig.tasks = len(plan.agencies), len(plan.groups), len(plan.tasks)
    fig.warnings_s, warnings = timed(plan.warnings, repeat)
    fig.warnings = len(warnings)

    print(f"{name}: obligations…", file=sys.stderr)
    cal = WorkingCalendar.load()
    started = time.perf_counter()
    deadlines.obligations(plan, cal, YEAR)  # builds the calendar's year on the way
    fig.cold_s = time.perf_counter() - started
    fig.warm_s, obs = timed(lambda: deadlines.obligations(plan, cal, YEAR), repeat)
    fig.obligations = len(obs)
    fig.duties = sum(len(o.tasks) for o in obs)

    def with_reminders() -> str:
        return json.dumps([o.as_dict(with_reminders=True) for o in deadlines.obligations(plan, cal, YEAR)], ensure_ascii=False)

    fig.with_reminders_s, text = timed(with_reminders, repeat)
    fig.output_bytes = len(text.encode("utf-8"))
    del text
    fig.maxrss_mib = maxrss_mib()  # before tracemalloc, whose own bookkeeping would count

    print(f"{name}: memory…", file=sys.stderr)
    for step, fn in (
        ("parse", lambda: parse_plan(raw)),
        ("obligations", lambda: deadlines.obligations(plan, cal, YEAR)),
        ("with_reminders", with_reminders),
    ):
        fig.peak[step], fig.kept[step], _ = traced(fn)
    return fig, (plan, cal, obs)


def measure_sync(fig: PlanFigures, plan: Any, obs: list, url: str, database: str) -> None:
    from scheduler.sync import sync_agencies, sync_obligations
    from storage.db import dispose_engine, open_database, session_scope, upgrade

    print(f"{fig.name}: sync on {database}…", file=sys.stderr)
    upgrade(url)
    engine = open_database(url)
    row: dict[str, Any] = {"database": database}
    try:
        gc.collect()
        started = time.perf_counter()
        with session_scope(engine) as session:
            agencies = sync_agencies(session, plan, now=SYNC_NOW)
        row["agencies_s"] = time.perf_counter() - started
        row["agencies"] = str(agencies)
        for phase in ("first", "again"):
            gc.collect()
            started = time.perf_counter()
            with session_scope(engine) as session:
                result = sync_obligations(session, plan, obs, years=[YEAR], now=SYNC_NOW)
            row[f"{phase}_s"] = time.perf_counter() - started
            row[phase] = result._asdict()
        expected = {"inserted": 0, "updated": 0, "withdrawn": 0, "unchanged": len(obs)}
        if row["first"]["inserted"] != len(obs) or row["again"] != expected:
            raise BenchError(f"{fig.name} on {database}: unexpected sync result {row}")
    finally:
        dispose_engine(url)
    fig.sync.append(row)


# ================================================================================ report


def best(values: list[float]) -> float:
    return min(values) if values else float("nan")


def med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def secs(value: float) -> str:
    if value != value:
        return "—"
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def mib(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}"


def report(machine: dict, plans: list[PlanFigures], args: argparse.Namespace, repeats: dict[str, int]) -> str:
    pg = machine.get("postgresql")
    packages = ", ".join(f"{k} {v}" for k, v in machine["packages"].items())
    lines = [
        f"Machine: {machine['nproc']} cores ({machine['cpu']}), {machine['memory']} RAM, Linux {machine['kernel']}; "
        f"Python {machine['python']}; pydantic {machine.get('pydantic', '?')}, holidays {machine.get('holidays', '?')}, {packages}; "
        f"SQLite {machine['sqlite']} on {machine['sqlite_fs']}; "
        + (f"PostgreSQL {pg['version']} on 127.0.0.1 (fsync={pg['fsync']}, synchronous_commit={pg['synchronous_commit']}); " if pg else "no PostgreSQL; ")
        + f"load average {machine['loadavg_start'][0]:.2f} at start, {machine.get('loadavg_end', (float('nan'),))[0]:.2f} at end; "
        f"{machine['date']}; commit {machine['commit']}.",
        "",
        "Times: best / median of " + ", ".join(f"{n} runs ({k})" for k, n in repeats.items()) + f"; year {YEAR}.",
        "",
        "| plan | agencies / groups / tasks | plan file | obligations (task duties) | parse_plan | warnings() | obligations, cold calendar | obligations, warm | obligations/s | + reminders as JSON | JSON out |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for p in plans:
        lines.append(
            f"| {p.name} | {p.agencies} / {p.groups} / {p.tasks} | {p.json_bytes / 1024:.0f} KiB | {p.obligations} ({p.duties}) | "
            f"{secs(best(p.parse_s))} / {secs(med(p.parse_s))} | {secs(best(p.warnings_s))} / {secs(med(p.warnings_s))} | {secs(p.cold_s)} | "
            f"{secs(best(p.warm_s))} / {secs(med(p.warm_s))} | {p.obligations / med(p.warm_s):,.0f} | "
            f"{secs(best(p.with_reminders_s))} / {secs(med(p.with_reminders_s))} | {p.output_bytes / 1024 / 1024:.1f} MiB |"
        )
    lines += [
        "",
        f"Process ru_maxrss before the first plan (interpreter, SQLAlchemy, pydantic, holidays loaded): {machine.get('maxrss_baseline_mib', float('nan')):.0f} MiB.",
        "",
        "| plan | peak traced MiB: parse_plan / obligations / + reminders as JSON | kept by the result MiB: plan / obligations | process ru_maxrss after this plan MiB |",
        "|---|---|---|---|",
    ]
    for p in plans:
        lines.append(
            f"| {p.name} | {mib(p.peak['parse'])} / {mib(p.peak['obligations'])} / {mib(p.peak['with_reminders'])} | "
            f"{mib(p.kept['parse'])} / {mib(p.kept['obligations'])} | {p.maxrss_mib:.0f} |"
        )
    if any(p.sync for p in plans):
        lines += [
            "",
            "| plan | database | sync_agencies | sync_obligations, first (rows inserted) | rows/s | re-sync, nothing changed (rows unchanged) | rows/s |",
            "|---|---|---|---|---|---|---|",
        ]
        for p in plans:
            for s in p.sync:
                lines.append(
                    f"| {p.name} | {s['database']} | {secs(s['agencies_s'])} | {secs(s['first_s'])} ({s['first']['inserted']}) | "
                    f"{s['first']['inserted'] / s['first_s']:,.0f} | {secs(s['again_s'])} ({s['again']['unchanged']}) | {s['again']['unchanged'] / s['again_s']:,.0f} |"
                )
    if len(plans) == 2:
        seed, large = plans

        def times(x: float) -> str:
            return f"×{x:,.0f}" if x >= 100 else f"×{x:.3g}"

        lines += [
            "",
            f"Large ÷ seed: obligations {times(large.obligations / seed.obligations)}, task duties {times(large.duties / seed.duties)}, "
            f"parse_plan {times(med(large.parse_s) / med(seed.parse_s))}, obligations (warm) {times(med(large.warm_s) / med(seed.warm_s))}, "
            f"time per obligation {times((med(large.warm_s) / large.obligations) / (med(seed.warm_s) / seed.obligations))}.",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agencies", type=int, default=2000, help="agencies of the synthetic plan (default 2000)")
    parser.add_argument("--tasks", type=int, default=500, help="tasks of the synthetic plan (default 500)")
    parser.add_argument("--seed", type=int, default=124, help="seed of the synthetic plan (default 124)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per step for the large plan (default 3; the seed plan gets 10x)")
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"PostgreSQL server URL; a fresh database is created there and dropped (default {DEFAULT_PG}; 'none' to skip)")
    parser.add_argument("--no-sync", action="store_true", help="leave out the database sync")
    parser.add_argument("--max-seconds", type=int, default=170, help="the run stops after this (default 170)")
    parser.add_argument("--json", metavar="FILE", help="also write the raw figures as JSON")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")

    def on_alarm(signum: int, frame: Any) -> None:
        raise TimeoutError(f"the run took longer than --max-seconds {args.max_seconds}")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(args.max_seconds)
    started = time.monotonic()
    tmpdir = Path(tempfile.mkdtemp(prefix="baocao-obligations-"))
    pgs: list[Postgres] = []
    try:
        from importlib import metadata

        from common.paths import data_file

        seed_raw = data_file("plan.json").read_text(encoding="utf-8")
        large_raw = json.dumps(synthetic_plan(args.agencies, args.tasks, args.seed, json.loads(seed_raw)), ensure_ascii=False, indent=1)
        pg_info = None
        if not args.no_sync and args.pg.lower() != "none":
            try:
                probe = Postgres(args.pg)
            except Exception as exc:  # noqa: BLE001 - say what to do instead of a traceback
                raise BenchError(f"PostgreSQL at {args.pg} cannot be used ({type(exc).__name__}: {exc}); pass --pg none to skip it") from exc
            pg_info = probe.info
            probe.drop()
        machine = describe_machine(tmpdir, pg_info)
        for name in ("pydantic", "holidays"):
            machine[name] = metadata.version(name)
        repeats = {"seed": args.repeat * 10, "large": args.repeat}
        # Import and initialise what every run needs (the holidays package builds its tables
        # lazily), so that the first plan measured does not pay for it; then the baseline.
        from scheduler import deadlines, sync  # noqa: F401
        from scheduler.calendar import WorkingCalendar

        WorkingCalendar.load().is_working_day(datetime(YEAR - 5, 6, 1).date())
        machine["maxrss_baseline_mib"] = maxrss_mib()
        plans = []
        kept: list[Any] = []
        for name, raw in (("seed", seed_raw), ("large", large_raw)):
            fig, (plan, cal, obs) = measure_plan(name, raw, repeats[name])
            plans.append(fig)
            if not args.no_sync:
                measure_sync(fig, plan, obs, f"sqlite:///{tmpdir / f'{name}.sqlite3'}", "sqlite")
                if args.pg.lower() != "none":
                    pg = Postgres(args.pg)
                    pgs.append(pg)
                    measure_sync(fig, plan, obs, pg.url, "postgresql")
            kept.append((plan, obs))
        machine["loadavg_end"] = os.getloadavg()
    except (BenchError, TimeoutError) as exc:
        print(f"benchmark failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        signal.alarm(0)
        for pg in pgs:
            try:
                pg.drop()
            except Exception as exc:  # noqa: BLE001 - report, keep cleaning up
                print(f"could not drop {pg.name}: {exc}", file=sys.stderr)
        shutil.rmtree(tmpdir, ignore_errors=True)
    print(report(machine, plans, args, repeats))
    print(f"\n(total run time {time.monotonic() - started:.0f} s)")
    if args.json:
        raw_out = {"machine": machine, "args": {k: v for k, v in vars(args).items() if k != "pg"}, "plans": [p.__dict__ for p in plans]}
        Path(args.json).write_text(json.dumps(raw_out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

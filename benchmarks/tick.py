#!/usr/bin/env python
"""Benchmark (issue 12): a ``baocao tick`` with an unchanged large plan, before and after.

    python benchmarks/tick.py [--agencies 2000] [--tasks 500] [--repeat 3] [--pg URL | --pg none]
                              [--before REV]

What runs
    The synthetic plan of ``benchmarks/obligations.py`` (``--agencies`` × ``--tasks``, fixed
    seed, in force 2024–2025: two years of obligations), on a migrated SQLite file and on a
    fresh PostgreSQL database ``baocao_bench_<random>`` (dropped at the end), in one process.

    Setup per database: a first tick (the sync into empty tables, then planning), one focal
    point per agency that reports and one coordinator, a planning pass at 09:00 on 6/3/2024
    (D-7 of quý I 2024: one reminder per focal point) and every row it queued marked sent, as
    the tick that sent them would. Then, with nothing changed, the same moment:

    * ``before``: ``scheduler.dispatch.tick(sync=True)`` of the code at ``--before`` (default
      ``c3fc780``, main before the planning stamp; ``7f8f6e3`` is the code before the sync
      fingerprint), read with ``git show`` and loaded as a module of its own beside the current
      one: it plans on every tick (and, at ``7f8f6e3``, re-syncs every year in force);
    * ``after``: the current ``tick(sync=True)``: the sync's fingerprint compared, the sync
      skipped, the planning stamp compared, planning skipped;
    * ``after --resync``: the current ``tick(sync=True, force_sync=True)`` (what
      ``baocao tick --resync`` does: it syncs and plans regardless);

    each ``--repeat`` times, alternating, timed with ``perf_counter`` (best and median), and
    for ``after`` its parts: the sync's fingerprint (``scheduler.sync.sync_inputs``), the
    planning stamp's fingerprint (``scheduler.dispatch.planning_fingerprint``) and a planning
    pass made regardless (``sync_and_plan(sync=False, force=True)``). Before the rounds, once:
    the first current tick after the sends (``after, first``), which plans (the outbox changed)
    and stamps. The sender is a no-op (nothing is due: every reminder was sent). The script
    checks that ``after`` synced nothing, planned nothing and enqueued nothing and that
    ``before`` and ``after`` leave the same obligations and outbox.

    Not timed: what a ``baocao tick`` process pays besides the pass (the interpreter and the
    imports, ``load_plan``, ``WorkingCalendar.load``, opening the database): ``load_plan`` and
    ``WorkingCalendar.load`` are timed once each and printed under the table.

The run is bounded by ``--max-seconds`` (default 900; SIGALRM) and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, Path(__file__).resolve().parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from obligations import synthetic_plan  # noqa: E402
from replies import DEFAULT_PG, BenchError, Postgres, describe_machine  # noqa: E402

NOW = datetime(2024, 3, 6, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam, D-7 of quý I 2024
DEFAULT_BEFORE = "c3fc780"  # main before the planning stamp: the sync is skipped, planning runs every tick


class NullSender:
    async def send(self, row: Any, progress: Any) -> str:
        return "1"


def load_before(rev: str, tmpdir: Path) -> Any:
    """``scheduler/dispatch.py`` at ``rev``, as a module ``dispatch_before`` of its own."""
    try:
        text = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{rev}:scheduler/dispatch.py"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BenchError(f"cannot read scheduler/dispatch.py at {rev} ({exc}); pass --before none to skip 'before'") from exc
    path = tmpdir / "dispatch_before.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("dispatch_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["dispatch_before"] = module
    spec.loader.exec_module(module)
    return module


def snapshot(engine: Any) -> tuple[int, int, int, int]:
    """(obligations, active, outbox rows, sent) — the state a tick could change."""
    from sqlalchemy import text

    with engine.connect() as connection:
        return tuple(
            int(connection.execute(text(q)).scalar() or 0)
            for q in (
                "SELECT count(*) FROM obligation",
                "SELECT count(*) FROM obligation WHERE status = 'active'",
                "SELECT count(*) FROM outbox",
                "SELECT count(*) FROM outbox WHERE status = 'sent'",
            )
        )  # type: ignore[return-value]


def measure(url: str, database: str, plan: Any, cal: Any, before: Any, repeat: int) -> dict[str, Any]:
    from sqlmodel import select

    from common.clock import FixedClock
    from scheduler import dispatch, sync
    from scheduler.plans import Plans
    from storage.db import dispose_engine, open_database, session_scope, upgrade
    from storage.models import Contact, Obligation, Outbox

    print(f"{database}: first tick (sync into empty tables)…", file=sys.stderr)
    upgrade(url)
    # A long timeout: under load the previous code's re-sync of a large plan can stay idle in
    # its transaction past the default 60 s (6 × BAOCAO_DB_TIMEOUT) on PostgreSQL.
    engine = open_database(url, timeout_s=120)
    plans = Plans([plan])
    clock = FixedClock(NOW)
    senders = {"telegram": NullSender()}
    row: dict[str, Any] = {"database": database}

    def tick(module: Any, **kwargs: Any) -> Any:
        return asyncio.run(module.tick(engine, plans, cal, senders, clock, worker_id="bench", sync=True, **kwargs))

    try:
        started = time.perf_counter()
        first = dispatch.sync_and_plan(engine, plans, cal, NOW)
        row["first_sync_s"] = time.perf_counter() - started
        if first.synced != [plan.plan.id]:
            raise BenchError(f"{database}: the first pass did not sync: {first.as_dict()}")
        with session_scope(engine, write=True) as session:
            agencies = sorted(set(session.exec(select(Obligation.agency_id).distinct()).all()))
            for n, agency in enumerate(agencies, 1):
                session.add(Contact(channel="telegram", chat_id=str(10_000 + n), user_id=str(10_000 + n), agency_id=agency,
                                    role="focal", language="vi", created_at=NOW))
            session.add(Contact(channel="telegram", chat_id="9999", user_id="9999", agency_id="so-tu-phap",
                                role="coordinator", language="vi", created_at=NOW))
        row["focal_points"] = len(agencies)
        planned = dispatch.sync_and_plan(engine, plans, cal, NOW, sync=False)
        with session_scope(engine, write=True) as session:
            for outbox in session.exec(select(Outbox).where(Outbox.status == "pending")).all():
                outbox.status, outbox.sent_at = "sent", NOW
                session.add(outbox)
        row["reminders_queued_and_sent"] = planned.enqueued
        state = snapshot(engine)
        row["obligations"], row["outbox"] = state[0], state[2]
        # The tick after the one that sent the reminders: the outbox changed, so it plans
        # (finding nothing to do) and leaves the stamp the next ticks compare with.
        started = time.perf_counter()
        warm = tick(dispatch)
        row["after_first_s"] = time.perf_counter() - started
        if warm.enqueue.enqueued or warm.enqueue.planning_skipped:
            raise BenchError(f"{database}: the first tick after the sends did not plan quietly: {warm.as_dict()}")

        variants: dict[str, list[float]] = {
            "before": [], "after": [], "after --resync": [], "fingerprint": [], "stamp": [], "planning only": []
        }
        for i in range(repeat):
            print(f"{database}: round {i + 1}/{repeat}…", file=sys.stderr)
            order = [("after", lambda: tick(dispatch)), ("after --resync", lambda: tick(dispatch, force_sync=True))]
            if before is not None:
                order.insert(0, ("before", lambda: tick(before)))
            if i % 2:
                order.reverse()
            for name, fn in order:
                gc.collect()
                started = time.perf_counter()
                report = fn()
                variants[name].append(time.perf_counter() - started)
                if report.enqueue.enqueued or report.dispatch.claimed:
                    raise BenchError(f"{database}: {name} changed the outbox: {report.as_dict()}")
                if name == "after" and (report.enqueue.synced or report.enqueue.planning_skipped != [plan.plan.id]):
                    raise BenchError(f"{database}: 'after' synced or planned an unchanged plan: {report.as_dict()}")
                if snapshot(engine) != state:
                    raise BenchError(f"{database}: {name} changed the tables: {snapshot(engine)} != {state}")
            gc.collect()
            started = time.perf_counter()
            sync.sync_inputs(plan, cal, NOW)
            variants["fingerprint"].append(time.perf_counter() - started)
            started = time.perf_counter()
            with session_scope(engine) as session:
                dispatch.planning_fingerprint(
                    session, plan, sync.sync_inputs(plan, cal, NOW), plan.zone(), dispatch.DEFAULT_OFFICE_HOURS, False, NOW
                )
            variants["stamp"].append(time.perf_counter() - started)
            started = time.perf_counter()
            forced = dispatch.sync_and_plan(engine, plans, cal, NOW, sync=False, force=True)
            variants["planning only"].append(time.perf_counter() - started)
            if forced.enqueued or forced.planning_skipped:
                raise BenchError(f"{database}: the forced planning pass did not plan quietly: {forced.as_dict()}")
        row["times"] = variants
    finally:
        dispose_engine(url)
    return row


def secs(value: float) -> str:
    if value != value:
        return "—"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def bm(values: list[float]) -> str:
    if not values:
        return "—"
    return f"{secs(min(values))} / {secs(statistics.median(values))}"


def report(machine: dict, rows: list[dict], args: argparse.Namespace, extra: dict) -> str:
    pg = machine.get("postgresql")
    packages = ", ".join(f"{k} {v}" for k, v in machine["packages"].items())
    lines = [
        f"Machine: {machine['nproc']} cores ({machine['cpu']}), {machine['memory']} RAM, Linux {machine['kernel']}; "
        f"Python {machine['python']}; {packages}; SQLite {machine['sqlite']} on {machine['sqlite_fs']}; "
        + (f"PostgreSQL {pg['version']} on 127.0.0.1 (fsync={pg['fsync']}, synchronous_commit={pg['synchronous_commit']}); " if pg else "no PostgreSQL; ")
        + f"load average {machine['loadavg_start'][0]:.2f} at start, {machine.get('loadavg_end', (float('nan'),))[0]:.2f} at end; "
        f"{machine['date']}; commit {machine['commit']}; before = {args.before}.",
        "",
        f"Plan: {extra['agencies']} agencies, {extra['tasks']} tasks, in force {extra['years']}. "
        f"Times: best / median of {args.repeat} runs, alternating.",
        "",
        "| database | obligations | focal points | first sync + planning | tick, before (plans every time) | tick, after, first (plans, stamps) | tick, after (unchanged: skipped) | after ÷ before | tick, after --resync | of after: sync fingerprint | of after: planning stamp | planning pass, forced |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        t = r["times"]
        ratio = statistics.median(t["after"]) / statistics.median(t["before"]) if t["before"] else float("nan")
        lines.append(
            f"| {r['database']} | {r['obligations']} | {r['focal_points']} | {secs(r['first_sync_s'])} | {bm(t['before'])} | "
            f"{secs(r['after_first_s'])} | {bm(t['after'])} | {ratio:.3f} | {bm(t['after --resync'])} | {bm(t['fingerprint'])} | "
            f"{bm(t['stamp'])} | {bm(t['planning only'])} |"
        )
    lines += [
        "",
        f"Outside the pass, once each: `load_plan` {secs(extra['load_plan_s'])}, `WorkingCalendar.load` {secs(extra['calendar_s'])}.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agencies", type=int, default=2000, help="agencies of the synthetic plan (default 2000)")
    parser.add_argument("--tasks", type=int, default=500, help="tasks of the synthetic plan (default 500)")
    parser.add_argument("--seed", type=int, default=124, help="seed of the synthetic plan (default 124)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each variant (default 3)")
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"PostgreSQL server URL (default {DEFAULT_PG}; 'none' to skip)")
    parser.add_argument("--before", default=DEFAULT_BEFORE, help=f"git revision of the 'before' code (default {DEFAULT_BEFORE}; 'none' to skip)")
    parser.add_argument("--max-seconds", type=int, default=900, help="the run stops after this (default 900)")
    parser.add_argument("--json", metavar="FILE", help="also write the raw figures as JSON")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")

    def on_alarm(signum: int, frame: Any) -> None:
        raise TimeoutError(f"the run took longer than --max-seconds {args.max_seconds}")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(args.max_seconds)
    started = time.monotonic()
    tmpdir = Path(tempfile.mkdtemp(prefix="baocao-tick-"))
    pgs: list[Postgres] = []
    rows: list[dict] = []
    try:
        from common.paths import data_file
        from scheduler.calendar import WorkingCalendar
        from scheduler.plan import load_plan

        seed = json.loads(data_file("plan.json").read_text(encoding="utf-8"))
        plan_path = tmpdir / "plan.json"
        plan_path.write_text(json.dumps(synthetic_plan(args.agencies, args.tasks, args.seed, seed), ensure_ascii=False, indent=1), encoding="utf-8")
        t0 = time.perf_counter()
        plan = load_plan(plan_path)
        load_plan_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        cal = WorkingCalendar.load()
        calendar_s = time.perf_counter() - t0
        before = None if args.before.lower() == "none" else load_before(args.before, tmpdir)
        pg_info = None
        if args.pg.lower() != "none":
            try:
                probe = Postgres(args.pg)
            except Exception as exc:  # noqa: BLE001 - say what to do instead of a traceback
                raise BenchError(f"PostgreSQL at {args.pg} cannot be used ({type(exc).__name__}: {exc}); pass --pg none to skip it") from exc
            pg_info = probe.info
            probe.drop()
        machine = describe_machine(tmpdir, pg_info)
        rows.append(measure(f"sqlite:///{tmpdir / 'tick.sqlite3'}", "sqlite", plan, cal, before, args.repeat))
        if args.pg.lower() != "none":
            pg = Postgres(args.pg)
            pgs.append(pg)
            rows.append(measure(pg.url, "postgresql", plan, cal, before, args.repeat))
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
    extra = {
        "agencies": len(plan.agencies), "tasks": len(plan.tasks),
        "years": f"{plan.plan.in_force.start.year}–{plan.plan.in_force.end.year}",
        "load_plan_s": load_plan_s, "calendar_s": calendar_s,
    }
    print(report(machine, rows, args, extra))
    print(f"\n(total run time {time.monotonic() - started:.0f} s)")
    if args.json:
        raw = {"machine": machine, "args": {k: v for k, v in vars(args).items() if k != "pg"}, "rows": rows, "extra": extra}
        Path(args.json).write_text(json.dumps(raw, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

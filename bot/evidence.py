"""Evidence files (minh chứng) kept by baocao itself: the bytes fetched from the channel after
the turn, into the file store.

The conversation core records an :class:`~storage.models.Evidence` row inside the inbox
worker's transaction (the channel's reference, name, type, size, the obligation, the report and
the task) but never downloads there: a download may take seconds and must not hold the
transaction, nor fail the turn. :class:`EvidenceFetcher` then takes the rows still without
content (``sha256`` NULL), downloads each through its channel (:meth:`Channel.download`), puts
the bytes in the :class:`~storage.files.FileStore` and records ``sha256`` and ``size``. A row
that fails (the channel away, the database away) is tried again later, each time a little later
(1 minute, doubling, at most 1 hour); a new process tries every pending row again.

The runtime runs :meth:`EvidenceFetcher.run` as a job; :func:`fetch_pending` runs one pass
(tests, a one-off run).
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from bot.messages import Attachment
from common import tasks as taskrefs
from storage.db import session_scope
from storage.files import FileStore
from storage.models import Evidence, Obligation, Report, ReportEntry

log = logging.getLogger(__name__)

BATCH = 20  # rows per pass; the next pass takes the rest
FIRST_RETRY_S = 60.0
MAX_RETRY_S = 3600.0
LOUD_AFTER = 5  # failures of one row before it is logged as an error


@dataclass
class FetchStats:
    fetched: int = 0
    failed: int = 0
    waiting: int = 0  # rows left for a later pass (backing off, or beyond the batch)
    bytes: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"fetched": self.fetched, "failed": self.failed, "waiting": self.waiting, "bytes": self.bytes}


@dataclass
class _Failure:
    attempts: int
    next_try: float


def attachment_of(row: Evidence) -> Attachment:
    """The row as the channel's :meth:`download` reads it."""
    return Attachment(row.kind, row.file_id, row.filename, row.mime, row.size)


def file_store(ctx: Any, channel: str) -> FileStore | None:
    """The file store (the composition root's, in the bot's context; else the channel's own),
    or None when there is none."""
    if isinstance(getattr(ctx, "files", None), FileStore):
        return ctx.files
    info = getattr(ctx, "channels", {}).get(channel)
    files = getattr(info, "files", None)
    return files if isinstance(files, FileStore) else None


# --- the files of a period, and their names -------------------------------------------------

GENERAL = "chung"  # the task part of the name of a file not (yet) on any report
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
MAX_NAME = 120


def original_name(row: Evidence) -> str:
    """The file's own name, safe as a file name anywhere; a photo (which has none) is
    ``anh-<id>.jpg``."""
    ext = mimetypes.guess_extension(row.mime or "") or ""
    if ext in (".jpe", ".jpeg"):
        ext = ".jpg"
    name = unicodedata.normalize("NFC", row.filename or "")
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()  # no folder, no device name
    if not name:
        return f"{'anh' if row.kind == 'photo' else 'tep'}-{row.id}{ext}"
    if len(name) > MAX_NAME:
        stem, dot, suffix = name.rpartition(".")
        suffix = dot + suffix if dot and len(suffix) <= 10 else ""
        name = name[: MAX_NAME - len(suffix)] + suffix
    return name


@dataclass
class EvidenceFile:
    """One file of a period: its row, the agency and period it belongs to, the tasks it backs
    (its own task, else every task of its report; none while it waits for a report) and the
    name it is handed out under: ``<agency-id>_NV<task>_<n>_<original name>``."""

    row: Evidence
    agency_id: str
    period: str
    obligation_id: int
    tasks: list[str]
    name: str = ""

    @property
    def downloaded(self) -> bool:
        return self.row.sha256 is not None

    @property
    def attached(self) -> bool:
        return self.row.report_id is not None

    @property
    def task_part(self) -> str:
        return "-".join(self.tasks) if self.tasks else GENERAL


def report_tasks(session: Session, report_ids: Iterable[int]) -> dict[int, list[str]]:
    """The tasks each report mentions, in task order."""
    ids = sorted(set(report_ids))
    out: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for report_id, task_no in session.exec(
            select(ReportEntry.report_id, ReportEntry.task_no).where(col(ReportEntry.report_id).in_(chunk))
        ).all():
            out[report_id].append(task_no)
    return {key: taskrefs.sorted_refs(set(value)) for key, value in out.items()}


def period_files(session: Session, obligation_ids: Iterable[int]) -> list[EvidenceFile]:
    """Every evidence file of these obligations (on one of their reports, or waiting with the
    obligation as its guess), in the order received, named for handing out."""
    ids = sorted(set(obligation_ids))
    if not ids:
        return []
    reports = select(Report.id).where(col(Report.obligation_id).in_(ids))
    rows = session.exec(
        select(Evidence)
        .where(or_(col(Evidence.report_id).in_(reports), col(Evidence.obligation_id).in_(ids) & col(Evidence.report_id).is_(None)))
        .order_by(col(Evidence.received_at), col(Evidence.id))
    ).all()
    report_obligation = dict(
        session.exec(select(Report.id, Report.obligation_id).where(col(Report.obligation_id).in_(ids))).all()
    )
    obligations = {ob.id: ob for ob in session.exec(select(Obligation).where(col(Obligation.id).in_(ids))).all()}
    tasks_of = report_tasks(session, [r.report_id for r in rows if r.report_id is not None])
    out: list[EvidenceFile] = []
    for row in rows:
        ob_id = report_obligation.get(row.report_id) if row.report_id is not None else row.obligation_id
        ob = obligations.get(ob_id) if ob_id is not None else None
        if ob is None or ob.id is None:
            continue
        if row.task_no:
            tasks = [row.task_no]
        elif row.report_id is not None:
            tasks = tasks_of.get(row.report_id, [])
        else:
            tasks = []
        out.append(EvidenceFile(row, ob.agency_id, ob.period, ob.id, tasks))
    counters: dict[tuple[str, str], int] = defaultdict(int)
    for item in out:
        key = (item.agency_id, item.task_part)
        counters[key] += 1
        item.name = f"{item.agency_id}_NV{item.task_part}_{counters[key]}_{original_name(item.row)}"
    return out


@dataclass
class EvidenceFetcher:
    engine: Any
    channels: Mapping[str, Any]
    files: FileStore
    batch: int = BATCH
    monotonic: Callable[[], float] = time.monotonic
    failures: dict[int, _Failure] = field(default_factory=dict)

    def _pending(self) -> list[Evidence]:
        with session_scope(self.engine) as session:
            rows = session.exec(
                select(Evidence)
                .where(col(Evidence.sha256).is_(None), col(Evidence.channel).in_(list(self.channels)))
                .order_by(col(Evidence.received_at), col(Evidence.id))
            ).all()
            return list(rows)

    def _record(self, evidence_id: int, digest: str, size: int) -> None:
        with session_scope(self.engine, write=True) as session:
            row = session.get(Evidence, evidence_id)
            if row is None:  # deleted meanwhile: the bytes stay unreferenced, harmless
                return
            row.sha256, row.size = digest, size
            session.add(row)

    async def run_once(self) -> FetchStats:
        """One pass: every pending row not backing off, at most :attr:`batch` of them."""
        stats = FetchStats()
        rows = await asyncio.to_thread(self._pending)
        now = self.monotonic()
        due = [r for r in rows if r.id not in self.failures or self.failures[r.id].next_try <= now]
        stats.waiting = len(rows) - min(len(due), self.batch)
        for row in due[: self.batch]:
            assert row.id is not None
            channel = self.channels[row.channel]
            try:
                data = await channel.download(attachment_of(row))
                digest = await asyncio.to_thread(self.files.put, data)
                await asyncio.to_thread(self._record, row.id, digest, len(data))
            except Exception as exc:  # noqa: BLE001 - any failure: this row again later
                stats.failed += 1
                self._failed(row, exc)
                continue
            self.failures.pop(row.id, None)
            stats.fetched += 1
            stats.bytes += len(data)
        return stats

    def _failed(self, row: Evidence, exc: Exception) -> None:
        assert row.id is not None
        before = self.failures.get(row.id)
        attempts = before.attempts + 1 if before is not None else 1
        delay = min(FIRST_RETRY_S * 2 ** (attempts - 1), MAX_RETRY_S)
        self.failures[row.id] = _Failure(attempts, self.monotonic() + delay)
        level = logging.ERROR if attempts >= LOUD_AFTER else logging.WARNING
        log.log(
            level,
            "evidence %s (%s, %s) not downloaded (attempt %d: %s); again in %.0f s",
            row.id, row.channel, row.filename or row.kind, attempts, exc or type(exc).__name__, delay,
        )

    async def run(self) -> None:
        """The runtime's job: one pass; a database that is away is the next pass's business."""
        try:
            stats = await self.run_once()
        except Exception as exc:  # noqa: BLE001 - the database is away: next time
            log.warning("evidence downloads postponed: %s", exc)
            return
        if stats.fetched or stats.failed:
            log.info("evidence downloads: %s", stats.as_dict())


async def fetch_pending(engine: Any, channels: Mapping[str, Any], files: FileStore) -> FetchStats:
    """One pass of :class:`EvidenceFetcher` (without memory of earlier failures)."""
    return await EvidenceFetcher(engine, channels, files).run_once()


__all__ = [
    "EvidenceFetcher",
    "EvidenceFile",
    "FetchStats",
    "attachment_of",
    "fetch_pending",
    "file_store",
    "original_name",
    "period_files",
    "report_tasks",
]

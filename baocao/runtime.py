"""The running bot: every channel, the inbox worker, the dispatcher and the jobs, in one loop.

:func:`serve` is what ``baocao run`` does (and the demo, the sandbox and the end-to-end tests,
with their own services). The jobs live here, outside any channel: APScheduler (the version
python-telegram-bot's JobQueue pins, used directly because the jobs belong to the process, not
to one channel's Application) is only an in-memory ticker; the database is the durable state,
so no job is ever persisted.

- each channel receives by long polling, or through the webhook server (one path per channel
  under the public URL: ``…/telegram``); every update is stored before it is confirmed;
- the inbox worker handles stored updates in order and queues the answers; at start it takes
  every update a previous process left unhandled;
- the dispatcher sends the outbox (answers at once, reminders paced);
- jobs: planning the reminders (``BAOCAO_TICK_INTERVAL``), moving the spool into the inbox,
  reloading an edited plan file, fetching the bytes of evidence files (:mod:`bot.evidence`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from baocao.services import Services

log = logging.getLogger(__name__)

EVIDENCE_INTERVAL_S = 10.0  # how often evidence files waiting for their bytes are fetched


@dataclass(frozen=True)
class WebhookOptions:
    url: str  # public base URL: https://bot.example.vn (each channel adds its path)
    secret: str
    listen: str = "127.0.0.1"
    port: int = 8443


class PlanWatcher:
    """Reloads a plan file when it changes on disk; for a folder of plans (``BAOCAO_PLAN_PATH``),
    each file on its own: an edited file replaces its plan, a new file adds one, a removed file
    drops its plan (its reports stay in the database). A broken edit is logged and ignored: the
    bot keeps working with the plan it has rather than stopping over a typo."""

    def __init__(self, services: Services, path: Path) -> None:
        self.services = services
        self.path = Path(path)
        # file → (mtime, the id of the plan it holds when known)
        self.files: dict[Path, tuple[tuple[float, ...] | None, str | None]] = {
            file: (self._mtime(file), self._id_of(file) if self.path.is_dir() else None) for file in self._files()
        }
        if not self.path.is_dir():
            self.mtime = self.files.get(self.path, (None, None))[0]

    def _files(self) -> list[Path]:
        from scheduler.plans import plan_files

        try:
            return plan_files(self.path)
        except OSError:
            return []

    @staticmethod
    def _mtime(path: Path) -> tuple[float, ...] | None:
        # A symlink's target (editing data/plan.json counts), and the directory files the plan
        # refers to (docs/directory.md): editing a directory reloads the plans that use it.
        from scheduler.plan import plan_sources
        from scheduler.plans import link_target

        try:
            target = link_target(path)
            first = target.stat().st_mtime
        except OSError:
            return None
        rest = []
        for file in plan_sources(target)[1:]:
            try:
                rest.append(file.stat().st_mtime)
            except OSError:
                rest.append(0.0)
        return (first, *rest)

    def check(self) -> bool:
        """Reload what changed; True when a plan was taken, added or dropped."""
        changed = False
        seen = self._files()
        for file in seen:
            mtime = self._mtime(file)
            before, plan_id = self.files.get(file, (None, None))
            if mtime is None or mtime == before:
                continue
            self.files[file] = (mtime, plan_id)
            changed |= self._reload(file, mtime, plan_id)
        if self.path.is_dir():
            for file in [f for f in self.files if f not in seen]:
                _, plan_id = self.files.pop(file)
                if plan_id is not None and self.services.drop_plan(plan_id):
                    log.warning("plan file %s removed: plan %s no longer planned", file, plan_id)
                    changed = True
        return changed

    @staticmethod
    def _id_of(file: Path) -> str | None:
        from scheduler.plan import PlanError, load_plan
        from scheduler.plans import link_target

        try:
            return load_plan(link_target(file)).plan.id
        except PlanError:
            return None

    def _reload(self, file: Path, mtime: tuple[float, ...], previous_id: str | None) -> bool:
        from scheduler.plan import PlanError, load_plan
        from scheduler.plans import link_target

        try:
            plan = load_plan(link_target(file))
        except PlanError as exc:
            log.error("edited plan %s not loaded, keeping the previous one: %s", file, exc)
            return False
        plan_id = plan.plan.id
        if self.path.is_dir():
            for other, (_, other_id) in self.files.items():
                if other != file and other_id == plan_id:
                    log.error("plan %s not loaded: its id %s is the id of %s", file, plan_id, other)
                    return False
        try:
            self.services.replace_plan(plan)
        except Exception:
            self.files[file] = (None, previous_id)  # try again next time
            if not self.path.is_dir():
                self.mtime = None
            raise
        self.files[file] = (mtime, plan_id)
        if not self.path.is_dir():
            self.mtime = mtime
        if previous_id is not None and previous_id != plan_id:
            self.services.drop_plan(previous_id)  # the file now holds another plan
        log.info("plan %s reloaded", file)
        return True


def _channel_url(base: str, path: str) -> str:
    base = base.rstrip("/")
    if base.endswith("/" + path):
        return base
    return f"{base}/{path}"


class Runtime:
    """The parts of a running bot, started by :meth:`start` and stopped by :meth:`stop`."""

    def __init__(
        self,
        services: Services,
        *,
        webhook: WebhookOptions | None = None,
        tick_interval: float | None = None,
        spool_interval: float = 5.0,
        plan_interval: float | None = 30.0,
        poll: bool = True,
    ) -> None:
        self.services = services
        self.webhook = webhook
        self.tick_interval = services.settings.reminders.tick_interval_s if tick_interval is None else tick_interval
        self.spool_interval = spool_interval
        self.plan_interval = plan_interval
        self.poll = poll
        self.stop_event = asyncio.Event()
        self.tasks: list[asyncio.Task[Any]] = []
        self.scheduler: Any = None
        self.server: Any = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._jobs: set[asyncio.Task[Any]] = set()

    async def _job(self, job: Any, *args: Any) -> None:
        """Run a job, known to :meth:`stop` so that it finishes rather than being cancelled
        half-way (APScheduler's asyncio executor cancels running jobs at shutdown)."""
        task = asyncio.current_task()
        if task is not None:
            self._jobs.add(task)
        try:
            await job(*args)
        finally:
            if task is not None:
                self._jobs.discard(task)

    # -- jobs --------------------------------------------------------------------------------

    async def plan_job(self) -> None:
        try:
            stats = await asyncio.to_thread(self.services.plan_reminders)
        except Exception as exc:  # noqa: BLE001 - the database is away: next time
            log.error("reminder planning skipped: %s", exc)
            return
        if stats.enqueued or stats.dropped:
            log.info("reminders planned: %s", stats.as_dict())
        self.services.dispatcher.wake()

    async def spool_job(self) -> None:
        try:
            await asyncio.wait_for(asyncio.to_thread(self.services.writer.drain), timeout=max(self.services.settings.db_timeout * 3, 5))
        except Exception as exc:  # noqa: BLE001 - still away
            log.info("spool not replayed yet: %s", exc)

    async def plan_watch_job(self, watcher: PlanWatcher) -> None:
        try:
            await asyncio.to_thread(watcher.check)
        except Exception as exc:  # noqa: BLE001 - the database is away: next time
            log.error("plan reload postponed: %s", exc)

    # -- life --------------------------------------------------------------------------------

    async def start(self) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        services = self.services
        self.loop = asyncio.get_running_loop()
        loop = self.loop
        # Database calls run in threads; a hung database holds one thread per caller (the
        # store, the worker, the dispatcher, the planner) until its timeout: room for all.
        loop.set_default_executor(ThreadPoolExecutor(max_workers=32, thread_name_prefix="baocao"))
        writer, worker, dispatcher = services.writer, services.worker, services.dispatcher
        writer.loop = loop
        writer.on_stored = lambda: loop.call_soon_threadsafe(worker.wake)
        worker.on_answers = lambda: loop.call_soon_threadsafe(lambda: dispatcher.wake(answers=True))

        def roles_changed(channel: str, chat_id: str, roles: set[str]) -> None:
            handler = services.channels.get(channel)
            if handler is not None:
                asyncio.run_coroutine_threadsafe(handler.roles_changed(chat_id, roles), loop)

        worker.on_roles = roles_changed

        def busy(channel: str, chat_id: str) -> None:
            handler = services.channels.get(channel)
            if handler is not None:
                asyncio.run_coroutine_threadsafe(handler.typing(chat_id), loop)

        worker.on_busy = busy
        for channel in services.channels.values():
            await channel.start()
        # What a previous process left in the spool goes first, then every update it stored
        # but did not handle (the worker takes those by itself, oldest first).
        await self.spool_job()
        self.tasks.append(asyncio.create_task(worker.run(self.stop_event), name="inbox"))
        self.tasks.append(asyncio.create_task(dispatcher.run(self.stop_event), name="outbox"))
        timeout = services.settings.db_timeout
        if self.webhook is not None:
            await self._start_webhooks(self.webhook, timeout)
        elif self.poll:
            for name, channel in services.channels.items():
                store = writer.store_async(name, timeout_s=timeout)
                self.tasks.append(asyncio.create_task(channel.poll(store, self.stop_event), name=f"poll-{name}"))
        self.scheduler = AsyncIOScheduler(event_loop=loop, timezone="UTC")
        if self.tick_interval:
            self.scheduler.add_job(
                self._job, "interval", args=[self.plan_job], seconds=self.tick_interval, next_run_time=_soon(),
                max_instances=1, coalesce=True,
            )
        self.scheduler.add_job(self._job, "interval", args=[self.spool_job], seconds=self.spool_interval, max_instances=1, coalesce=True)
        # Evidence files: the bytes fetched from the channels into the file store, after the turn.
        from bot.evidence import EvidenceFetcher

        fetcher = EvidenceFetcher(services.engine, services.channels, services.files)
        self.scheduler.add_job(
            self._job, "interval", args=[fetcher.run], seconds=EVIDENCE_INTERVAL_S, next_run_time=_soon(),
            max_instances=1, coalesce=True,
        )
        if self.plan_interval:
            watcher = PlanWatcher(services, services.settings.plan_path)
            self.scheduler.add_job(
                self._job, "interval", args=[self.plan_watch_job, watcher], seconds=self.plan_interval,
                max_instances=1, coalesce=True,
            )
        self.scheduler.start()

    async def _start_webhooks(self, options: WebhookOptions, timeout: float) -> None:
        import tornado.web
        from tornado.httpserver import HTTPServer

        services = self.services
        routes = []
        for name, channel in services.channels.items():
            hook = channel.webhook(options.secret)
            if hook is None:
                continue
            store = services.writer.store_async(name, timeout_s=timeout)
            routes.append((f"/{hook.path}", _WebhookHandler, {"hook": hook, "store": store}))
        app = tornado.web.Application(routes)
        self.server = HTTPServer(app)
        self.server.listen(options.port, address=options.listen)
        for name, channel in services.channels.items():
            hook = channel.webhook(options.secret)
            if hook is not None:
                await channel.register_webhook(_channel_url(options.url, hook.path), options.secret)

    async def stop(self) -> None:
        self.stop_event.set()
        # The loops sleep between rounds: wake them so that they see the stop at once.
        for part in ("worker", "dispatcher"):
            if part in self.services.__dict__:
                getattr(self.services, part).wake()
        if self.scheduler is not None:
            if self.scheduler.running:
                self.scheduler.pause()
            if self._jobs:
                await asyncio.wait(set(self._jobs), timeout=max(self.services.settings.db_timeout * 3, 5))
            if self.scheduler.running:
                self.scheduler.shutdown(wait=False)
        if self.server is not None:
            self.server.stop()
        for task in self.tasks:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(task), timeout=15)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for channel in self.services.channels.values():
            with contextlib.suppress(Exception):
                await channel.stop()

    async def run_until(self, stop: asyncio.Event) -> None:
        try:
            await self.start()
            await stop.wait()
        finally:
            await self.stop()


def _soon() -> Any:
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) + timedelta(seconds=1)


try:
    import tornado.web as _tornado_web
except ImportError:  # pragma: no cover - tornado comes with python-telegram-bot[webhooks]
    _tornado_web = None  # type: ignore[assignment]


if _tornado_web is not None:

    class _WebhookHandler(_tornado_web.RequestHandler):
        """One channel's webhook: refused without the secret; stored before the 200."""

        def initialize(self, hook: Any, store: Any) -> None:
            self.hook = hook
            self.store = store

        def check_xsrf_cookie(self) -> None:  # pragma: no cover - xsrf is off anyway
            pass

        async def post(self) -> None:
            updates = self.hook.read(dict(self.request.headers), self.request.body)
            if updates is None:
                self.set_status(403)
                self.finish()
                return
            try:
                for raw in updates:
                    await self.store(raw)
            except Exception:  # noqa: BLE001 - not stored: the platform must call again
                log.exception("webhook update not stored")
                self.set_status(500)
                self.finish()
                return
            self.set_status(200)
            self.finish()


@contextlib.asynccontextmanager
async def running(services: Services, **options: Any) -> AsyncIterator[Runtime]:
    """``async with running(services) as runtime:`` — the bot, started and stopped."""
    runtime = Runtime(services, **options)
    try:
        await runtime.start()
        yield runtime
    finally:
        await runtime.stop()


__all__ = ["PlanWatcher", "Runtime", "WebhookOptions", "running"]

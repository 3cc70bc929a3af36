"""The composition root: every service baocao is made of, built in one place.

``baocao run``, ``baocao tick``, the demo, the sandbox, the benchmarks and the tests all build
their services here, so that they run the same code with the same wiring; a test or a demo
only swaps a part (the clock, the channels, the database)::

    services = Services(settings, clock)
    services.plans, services.calendar, services.engine, services.channels, services.conversation

Parts are built on first use: a command that only reads the plan never opens the database or
imports python-telegram-bot.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

from baocao.config import Settings
from common.clock import Clock, SystemClock


class Services:
    def __init__(
        self,
        settings: Settings | None = None,
        clock: Clock | None = None,
        *,
        channels: Mapping[str, Any] | None = None,
        engine: Any = None,
        plans: Any = None,
        calendar: Any = None,
        files_path: Path | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.clock: Clock = clock or SystemClock()
        if channels is not None:
            self.__dict__["channels"] = dict(channels)
        if engine is not None:
            self.__dict__["engine"] = engine
        if plans is not None:
            from scheduler.plans import Plans

            self.__dict__["plans"] = plans if isinstance(plans, Plans) else Plans([plans])
        if calendar is not None:
            self.__dict__["calendar"] = calendar
        self._files_path = files_path
        self.worker_id = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"

    # -- data ------------------------------------------------------------------------------

    @cached_property
    def plans(self) -> Any:
        """The plans (:class:`scheduler.plans.Plans`) of ``BAOCAO_PLAN_PATH``, a file or a
        folder. A broken file of a folder is logged and skipped; :class:`scheduler.plan.PlanError`
        if the file (or every file of the folder) is broken, or two files share a plan id."""
        import logging

        from scheduler.plans import load_plans

        plans, broken = load_plans(self.settings.plan_path, skip_broken=True)
        for error in broken:
            logging.getLogger(__name__).error("plan file skipped, the other plans run: %s", error)
        return plans

    @cached_property
    def calendar(self) -> Any:
        from scheduler.calendar import WorkingCalendar

        return WorkingCalendar.load(self.settings.calendar_path)

    @cached_property
    def engine(self) -> Any:
        """The database, with its schema checked (migrated on SQLite)."""
        from storage.db import open_database

        db = self.settings.database
        return open_database(db.url, timeout_s=db.timeout_s)

    @cached_property
    def files(self) -> Any:
        from storage.files import FileStore, default_root

        root = self._files_path or self.settings.database.files_path or default_root(self.settings.database.url)
        return FileStore(root)

    # -- channels --------------------------------------------------------------------------

    @cached_property
    def channels(self) -> dict[str, Any]:
        """Every configured channel by name (``bot.channels``); empty without any token."""
        from bot import channels

        return channels.configured(self.settings, self.files)

    def senders(self) -> dict[str, Any]:
        return dict(self.channels)

    def pacers(self) -> dict[str, Any]:
        from scheduler.dispatch import Pacer

        return {
            name: Pacer(per_second=channel.per_second, per_chat_interval=channel.per_chat_interval)
            for name, channel in self.channels.items()
        }

    # -- the conversation ------------------------------------------------------------------

    @cached_property
    def context(self) -> Any:
        from bot import channels
        from bot.context import BotContext, ConversationConfig

        admins, groups = channels.people(self.settings)
        config = ConversationConfig(
            timezone=self.settings.timezone,
            admin_users=admins,
            allowed_groups=groups,
            rate_limit=self.settings.conversation.rate_limit,
            rate_window_s=self.settings.conversation.rate_window_s,
        )
        return BotContext(plans=self.plans, calendar=self.calendar, config=config, channels=self.channels, files=self.files)

    @cached_property
    def conversation(self) -> Any:
        from bot.conversation import Conversation

        return Conversation(self.context)

    @cached_property
    def spool(self) -> Any:
        from bot.inbox import Spool

        return Spool(self.settings.database.spool_path)

    @cached_property
    def writer(self) -> Any:
        from bot.inbox import InboxWriter

        return InboxWriter(self.engine, self.channels, self.spool, self.clock)

    @cached_property
    def worker(self) -> Any:
        from bot.inbox import InboxWorker

        return InboxWorker(self.engine, self.conversation, self.channels, self.clock, files=self.files)

    @cached_property
    def dispatcher(self) -> Any:
        from scheduler.dispatch import Dispatcher

        return Dispatcher(
            self.engine, self.senders(), self.clock, worker_id=self.worker_id, pacers=self.pacers(), tz=self.settings.tz
        )

    # -- the plans in the database ---------------------------------------------------------

    def sync(self, *, force: bool = False) -> list[str]:
        """Copy the plans' agencies and obligations into the database (under the planning
        lock), each plan only if its inputs changed since its last sync (``force``: all of
        them); the ids of the plans synced."""
        from scheduler.dispatch import sync_plans

        return sync_plans(self.engine, self.plans, self.calendar, self.clock.now(), force=force)

    def replace_plan(self, plan: Any) -> None:
        """An edited plan takes its place: obligations re-synced, withdrawn ones stop their
        reminders, reports already stored stay."""
        plans = self.plans.replaced(plan)
        from scheduler.dispatch import sync_plans

        sync_plans(self.engine, plans, self.calendar, self.clock.now())
        self.__dict__["plans"] = plans
        if "context" in self.__dict__:
            self.context.replace_plans(plans)

    def drop_plan(self, plan_id: str) -> bool:
        """A plan whose file was removed from the folder stops being planned (its reports and
        obligations stay in the database); the last plan is kept. True when dropped."""
        if plan_id not in self.plans or len(self.plans) == 1:
            return False
        plans = self.plans.without(plan_id)
        self.__dict__["plans"] = plans
        if "context" in self.__dict__:
            self.context.replace_plans(plans)
        return True

    def plan_reminders(self) -> Any:
        """One planning pass over every plan (what the ticker runs)."""
        from scheduler.dispatch import sync_and_plan

        return sync_and_plan(
            self.engine,
            self.plans,
            self.calendar,
            self.clock.now(),
            tz=self.settings.tz,
            office_hours=self.settings.reminders.office_hours,
            sync=False,
        )


__all__ = ["Services"]

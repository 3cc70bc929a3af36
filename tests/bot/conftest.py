"""Fixtures for the Telegram-side tests: loopback only, never a proxy, a fresh Bot API stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.sandbox import BotApiStandIn


@pytest.fixture(autouse=True)
def _no_proxy_for_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    # httpx (used by python-telegram-bot) honours proxy variables; loopback must bypass them.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,::1")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost,::1")


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    """A started stand-in without rate limits; stopped after the test."""
    async with BotApiStandIn() as server:
        yield server

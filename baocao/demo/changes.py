"""What the stand-ins share for waiting on their own events: a waiter sleeps until the stand-in
records something (an update queued, a message sent, an error), from any thread."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class ChangeNotifier:
    """Mixed into a stand-in, which sets ``_loop`` (its event loop, at start) and
    ``_waiters`` (an empty set) and has ``dump()`` (what happened, for timeout errors)."""

    _loop: asyncio.AbstractEventLoop | None
    _waiters: set[asyncio.Future[None]]

    def dump(self) -> str:
        raise NotImplementedError

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, set()
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    def _notify(self) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._wake()
        else:
            loop.call_soon_threadsafe(self._wake)

    async def _wait_change(self, timeout: float) -> None:
        if timeout <= 0:
            return
        fut = asyncio.get_running_loop().create_future()
        self._waiters.add(fut)
        try:
            await asyncio.wait({fut}, timeout=timeout)
        finally:
            self._waiters.discard(fut)
            if not fut.done():
                fut.cancel()

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until ``condition()`` is true (re-checked on every stand-in event)."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout}s\n{self.dump()}")
            await self._wait_change(min(remaining, 0.2))


__all__ = ["ChangeNotifier"]

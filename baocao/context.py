"""What every command receives, and the one error a command raises for the user.

Kept apart from :mod:`baocao.cli` so that the command modules and the command line import it
without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pydantic-settings costs a quarter of a second; `--help` does not need it
    from baocao.config import Settings
    from common.clock import Clock


class CliError(Exception):
    """A problem the user can fix; printed as one line."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class Context:
    settings: "Settings"
    clock: "Clock"

    def now(self) -> datetime:
        return self.clock.now()

"""The chat platforms baocao talks to, one module each (see :mod:`bot.channels.base`).

A channel module has ``from_settings(settings, files)`` (the channel, or ``None`` when it is
not configured), ``people(settings)`` (admins and allowed group chats it names, as
``"<channel>:<id>"``) and ``HOW_TO`` (how an admin configures it, for ``baocao run``'s
message when none is). Adding a channel is adding a module and its name here.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

MODULES: tuple[str, ...] = ("telegram", "zalo")


def module(name: str) -> ModuleType:
    if name not in MODULES:
        raise KeyError(name)
    return importlib.import_module(f"bot.channels.{name}")


def configured(settings: Any, files: Any = None) -> dict[str, Any]:
    """Every channel the settings configure, by name."""
    out = {}
    for name in MODULES:
        channel = module(name).from_settings(settings, files)
        if channel is not None:
            out[name] = channel
    return out


def people(settings: Any) -> tuple[frozenset[str], frozenset[str]]:
    """``(admin users, allowed group chats)`` named in the settings, as ``"<channel>:<id>"``."""
    admins: set[str] = set()
    groups: set[str] = set()
    for name in MODULES:
        a, g = module(name).people(settings)
        admins |= set(a)
        groups |= set(g)
    return frozenset(admins), frozenset(groups)


def how_to() -> list[str]:
    return [module(name).HOW_TO for name in MODULES]


__all__ = ["MODULES", "configured", "how_to", "module", "people"]

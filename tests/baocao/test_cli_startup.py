"""Quick commands start quickly: building the parser and running ``parse``, ``calendar``,
``plan check`` or ``--help`` imports neither the database layer nor the channels nor the
renderers.

Each case runs in a fresh interpreter: in this one the fixtures have imported them already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What a quick command must not import (top-level package names).
HEAVY = {"sqlalchemy", "sqlmodel", "alembic", "telegram", "httpx", "matplotlib", "docx", "openpyxl", "PIL"}
# Nor, for the parser alone, baocao's own heavier layers: a command module imports them in its
# run function, not when it registers its arguments.
LAYERS = {"storage", "reports", "scheduler", "bot", "holidays"}

PROBE = """
import contextlib, io, json, sys
from baocao.cli import build_parser, main

argv = json.loads(sys.argv[1])
with contextlib.redirect_stdout(io.StringIO()):
    code = main(argv) if argv is not None else (build_parser(), 0)[1]
print(json.dumps({"code": code, "modules": sorted({name.split(".")[0] for name in sys.modules})}))
"""


def _imported(argv: list[str] | None, tmp_path: Path) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_")}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv)],
        cwd=tmp_path,  # no local .env or data/
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["code"] == 0, result.stderr
    return set(report["modules"])


def test_building_the_parser_imports_no_command_dependencies(tmp_path):
    assert _imported(None, tmp_path) & (HEAVY | LAYERS) == set()


@pytest.mark.parametrize(
    "argv",
    [
        ["parse", "NV4: hoàn thành"],
        ["parse", "--json", "NV4: đang thực hiện 70%, vướng kinh phí"],
        ["calendar", "--year", "2024"],
        ["plan", "check"],
        ["--help"],
        ["parse", "--help"],
    ],
    ids=" ".join,
)
def test_quick_commands_import_nothing_heavy(tmp_path, argv):
    assert _imported(argv, tmp_path) & HEAVY == set()


def test_importtime_of_baocao_parse(tmp_path):
    """The check as an admin would run it: ``python -X importtime -m baocao parse …``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_")}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "baocao", "parse", "NV4: hoàn thành"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "NV4 — hoàn thành: «NV4: hoàn thành»"
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert "baocao" in imported and imported & HEAVY == set()


# --- what the command modules spell out to stay light ------------------------------------


def test_demo_defaults_are_the_simulations():
    from baocao.commands import demo
    from baocao.demo import simulation

    assert (demo.DEFAULT_SEED, demo.DEFAULT_TIMEOUT_S) == (simulation.DEFAULT_SEED, simulation.DEFAULT_TIMEOUT_S)


def test_status_labels_cover_the_states_and_statuses():
    from baocao.commands import status
    from reports.status import REVIEW_STATES, STATES, STATUS_KEYS, UNREVIEWED

    assert set(status.STATE_TITLES) == set(STATES)
    assert set(status.STATUS_LABELS) == set(STATUS_KEYS)
    assert set(status.REVIEW_TITLES) == set(REVIEW_STATES) - {UNREVIEWED}


def test_parse_labels_cover_the_parsers_statuses():
    from baocao.commands import parse
    from bot.parser import STATUSES
    from common.labels import ENTRY_STATUSES
    from storage.models import EntryStatus

    assert set(parse.STATUS_VI) == set(STATUSES) == set(ENTRY_STATUSES) == {s.value for s in EntryStatus}

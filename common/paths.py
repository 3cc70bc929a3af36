"""Where baocao's bundled data files live.

``data/`` sits at the repository root (the client's layout). An editable install and a run
from the checkout find it there; the working directory's ``data/`` wins so that an admin can
keep an edited copy next to the database.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_DATA_DIR = PROJECT_ROOT / "data"


def data_file(name: str) -> Path:
    """Return ``./data/<name>`` if it exists, else the bundled copy."""
    local = Path.cwd() / "data" / name
    if local.exists():
        return local
    return BUNDLED_DATA_DIR / name

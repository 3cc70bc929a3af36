"""Files kept by baocao itself, by content: documents the bot sends (a consolidated report
waiting in the outbox) and, later, evidence files received.

One folder (``BAOCAO_FILES_PATH``, by default next to the database), one file per content
hash: ``ab/abcdef….bin``. A file is written to a temporary name, flushed to disk and renamed,
before the database row that refers to it is committed, so a crash leaves at worst an
unreferenced file, never a row without its bytes.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


class FileStoreError(Exception):
    """The folder cannot be written or a file is missing; ``str()`` says which."""


class FileStore:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def _path(self, digest: str) -> Path:
        if len(digest) != 64 or any(ch not in "0123456789abcdef" for ch in digest):
            raise FileStoreError(f"không phải mã tệp hợp lệ: {digest!r}")
        return self.root / digest[:2] / f"{digest}.bin"

    def put(self, data: bytes) -> str:
        """Keep ``data``; return its SHA-256 (hex), by which it is found again."""
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if path.exists() and path.stat().st_size == len(data):
            return digest
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            with tmp.open("wb") as fp:
                fp.write(data)
                fp.flush()
                os.fsync(fp.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            raise FileStoreError(f"không ghi được tệp vào {self.root}: {exc.strerror or exc}") from exc
        return digest

    def get(self, digest: str) -> bytes:
        try:
            return self._path(digest).read_bytes()
        except OSError as exc:
            raise FileStoreError(f"không đọc được tệp {digest[:12]}… trong {self.root}: {exc.strerror or exc}") from exc

    def exists(self, digest: str) -> bool:
        try:
            return self._path(digest).exists()
        except FileStoreError:
            return False


def default_root(database_url: str) -> Path:
    """Next to a SQLite file (``baocao.sqlite3`` → ``baocao-files/``), else ``./baocao-files``."""
    from sqlalchemy.engine import make_url

    try:
        url = make_url(database_url)
    except Exception:  # noqa: BLE001 - an unparsable URL is reported elsewhere
        return Path("baocao-files")
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        db = Path(url.database)
        return db.with_name(db.stem + "-files")
    return Path("baocao-files")


__all__ = ["FileStore", "FileStoreError", "default_root"]


class PublicFolder:
    """Files put where a web server publishes them, for a channel that can only send a link
    (Zalo's sendPhoto takes a URL; it has no sendDocument). Each file gets a folder named by a
    random token, so an address cannot be guessed from another; the name keeps the file's own
    (ASCII) name so that a download is named sensibly."""

    def __init__(self, root: Path | str, url: str) -> None:
        self.root = Path(root)
        self.url = url.rstrip("/")

    def publish(self, data: bytes, name: str) -> str:
        """Write ``data`` and return its public address."""
        import re
        import secrets
        import unicodedata

        ascii_name = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
        ascii_name = ascii_name.encode("ascii", "ignore").decode()
        safe = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-.") or "tep"
        token = secrets.token_urlsafe(18)
        folder = self.root / token
        try:
            folder.mkdir(parents=True, exist_ok=False)
            tmp = folder / f".{safe}.tmp"
            with tmp.open("wb") as fp:
                fp.write(data)
                fp.flush()
                os.fsync(fp.fileno())
            os.replace(tmp, folder / safe)
        except OSError as exc:
            raise FileStoreError(f"không ghi được tệp vào {self.root}: {exc.strerror or exc}") from exc
        return f"{self.url}/{token}/{safe}"

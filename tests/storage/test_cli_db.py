"""`baocao db upgrade` / `baocao db current` through the real command line."""

from __future__ import annotations

import pytest

from baocao.cli import main
from storage import db


def test_db_upgrade(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BAOCAO_DATABASE_URL", database_url)

    assert main(["db", "upgrade"]) == 0
    out = capsys.readouterr().out
    assert db.head_revision() in out and "Đã nâng cấp" in out
    assert db.current_revision(database_url) == db.head_revision()

    assert main(["db", "upgrade"]) == 0
    assert "không có gì để nâng cấp" in capsys.readouterr().out


def test_db_current(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BAOCAO_DATABASE_URL", database_url)

    assert main(["db", "current"]) == 0
    assert "chưa có lược đồ" in capsys.readouterr().out

    main(["db", "upgrade"])
    capsys.readouterr()
    assert main(["db", "current"]) == 0
    assert f"phiên bản {db.head_revision()} (mới nhất)" in capsys.readouterr().out


def test_db_upgrade_prints_the_url_without_password(monkeypatch: pytest.MonkeyPatch, capsys, pg_url: str) -> None:
    from sqlalchemy.engine import make_url

    with_password = make_url(pg_url).set(password="s3cret").render_as_string(hide_password=False)
    monkeypatch.setenv("BAOCAO_DATABASE_URL", with_password)
    try:
        assert main(["db", "upgrade"]) == 0  # trust auth: the password is ignored
    finally:
        db.dispose_engine(with_password)
    out = capsys.readouterr().out
    assert "s3cret" not in out and "***" in out


def test_unreachable_database_is_one_line_not_a_traceback(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    url = "postgresql://postgres:s3cret@127.0.0.1:1/baocao"
    monkeypatch.setenv("BAOCAO_DATABASE_URL", url)
    try:
        assert main(["db", "upgrade"]) == 2
    finally:
        db.dispose_engine(url)
    err = capsys.readouterr().err
    assert err.startswith("baocao: Không kết nối được cơ sở dữ liệu postgresql tại 127.0.0.1:1")
    assert "Traceback" not in err and "s3cret" not in err
    assert len(err.strip().splitlines()) == 1

"""`policybot admin`: accounts from the command line, passwords never from arguments."""

from __future__ import annotations

import io
import sqlite3

import pytest

from bot.channels.cli import main
from bot.log.accounts import Accounts


def run(monkeypatch, capsys, db, *argv, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["--db", str(db), "admin", *argv])
    return code, capsys.readouterr()


def test_add_user_reads_the_password_from_stdin(tmp_path, monkeypatch, capsys):
    db = tmp_path / "log.sqlite3"
    code, out = run(
        monkeypatch, capsys, db, "add-user", "wang", "--role", "editor", stdin="a long password\n"
    )
    assert code == 0 and "wang" in out.out
    assert Accounts(db).verify("wang", "a long password").role == "editor"
    code, out = run(monkeypatch, capsys, db, "list-users")
    assert out.out.startswith("wang\teditor\t")


@pytest.mark.slow
def test_add_user_refusals(tmp_path, monkeypatch, capsys):
    db = tmp_path / "log.sqlite3"
    assert run(monkeypatch, capsys, db, "add-user", "li", stdin="short\n")[0] == 2
    code, out = run(monkeypatch, capsys, db, "add-user", stdin="a long password\n")
    assert code == 2 and "用户名" in out.err
    run(monkeypatch, capsys, db, "add-user", "li", stdin="a long password\n")
    code, out = run(monkeypatch, capsys, db, "add-user", "li", stdin="another password\n")
    assert code == 2 and "--reset" in out.err
    assert (
        run(monkeypatch, capsys, db, "add-user", "li", "--reset", stdin="another password\n")[0]
        == 0
    )
    assert run(monkeypatch, capsys, db, "remove-user", "li")[0] == 0
    assert run(monkeypatch, capsys, db, "remove-user", "li")[0] == 2


def test_a_log_locked_by_another_process_is_one_line(tmp_path, monkeypatch, capsys):
    # Another process in a write transaction for longer than the 5 s `admin` waits (an
    # admin's sqlite3 shell): add-user and remove-user ended in a traceback (probe16).
    db = tmp_path / "log.sqlite3"
    run(monkeypatch, capsys, db, "add-user", "li", stdin="a long password\n")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    code, out = run(monkeypatch, capsys, db, "remove-user", "li")
    holder.rollback()
    assert code == 2 and len(out.err.splitlines()) == 1 and "另一个进程" in out.err, out.err

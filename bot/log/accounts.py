"""Named admin accounts for the console, kept in the log database beside the exchanges.

Passwords are stored only as Argon2id hashes made by argon2-cffi (the reference implementation's
bindings, the algorithm OWASP recommends first). It is memory-hard, so a stolen database costs an
attacker far more per guess on a GPU than bcrypt does; docs/console.md has the measured costs.
"""

from __future__ import annotations

import hashlib
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.log.database import connect, now

EDITOR, REVIEWER = "editor", "reviewer"
# Each role and what it may do; an editor may do everything a reviewer may.
ROLES = {
    EDITOR: "编辑（可以修改知识库）",
    REVIEWER: "审核（可以查看记录、处理缺口）",
}
NAME_CHARS = 32
MIN_PASSWORD = 10

# argon2-cffi's defaults: Argon2id, 64 MiB, 3 passes, 4 lanes (RFC 9106's second recommendation).
HASHER = PasswordHasher()


class AccountError(ValueError):
    """An account cannot be added or changed; the message says why, in Chinese."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    created: str

    @property
    def can_edit(self) -> bool:
        return self.role == EDITOR


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少要 {MIN_PASSWORD} 个字符")


def folded(name: str) -> str:
    """A name as stored: NFKC, so ｗａｎｇ, typed by an input method left in full-width mode
    (the login's name box takes one; the password box does not), is wang."""
    return unicodedata.normalize("NFKC", name)


def check_name(name: str) -> None:
    if not name or len(name) > NAME_CHARS or not name.isprintable() or name != name.strip():
        raise AccountError(f"用户名要 1–{NAME_CHARS} 个字符，不能有空格开头结尾或控制字符")


class Accounts:
    """Add accounts, change passwords, and check a name and password at login."""

    def __init__(self, path: Path | str, hasher: PasswordHasher = HASHER) -> None:
        """`hasher`: tests pass a cheaper one; deployments keep the default."""
        self.db = connect(Path(path))
        self.lock = threading.Lock()
        self.hasher = hasher
        # Checked against when the name is unknown, so a wrong name costs as long as a wrong
        # password and response times do not tell which names exist.
        self.dummy = hasher.hash("policybot: no such account")

    def add(self, name: str, role: str, password: str, replace: bool = False) -> Account:
        """Create an account (or, with `replace`, set an existing one's role and password)."""
        name = folded(name)  # checked as stored: NFKC makes some names longer (㎏ is kg)
        check_name(name)
        name = self.known(name)  # Wang for an account wang is wang (probe20)
        if role not in ROLES:
            raise AccountError(f"角色只能是 {', '.join(ROLES)}，不能是 “{role}”")
        check_password(password)
        created = now()
        digest = self.hasher.hash(password)
        with self.lock, self.db:
            exists = self.db.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone()
            if exists and not replace:
                raise AccountError(f"用户 “{name}” 已经存在（要重设密码请加 --reset）")
            self.db.execute(
                "INSERT INTO accounts (name, role, password_hash, created) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET role = excluded.role, "
                "password_hash = excluded.password_hash",
                (name, role, digest, created),
            )
        return self.get(name)  # type: ignore[return-value]

    def known(self, name: str) -> str:
        """The stored name `name` stands for: itself, if an account has it (one made before
        names were folded keeps its own), else its folded form, else the one account whose name
        differs from that in letter case alone (Wang typed for wang, which was 用户名或密码不对
        and, to `admin add-user`, a second account: probe20). Two such accounts made before
        are each found only as typed."""
        with self.lock:
            names = [row[0] for row in self.db.execute("SELECT name FROM accounts")]
        if name in names:
            return name
        name = folded(name)
        if name in names:
            return name
        same = [known for known in names if known.casefold() == name.casefold()]
        return same[0] if len(same) == 1 else name

    def get(self, name: str) -> Account | None:
        name = self.known(name)
        with self.lock:
            row = self.db.execute(
                "SELECT name, role, created FROM accounts WHERE name = ?", (name,)
            ).fetchone()
        return Account(*row) if row else None

    def standing(self, name: str) -> str | None:
        """What a console session was started under: changes when the account's role or
        password does, None once it is removed. A digest, so sessions never hold the hash."""
        with self.lock:
            row = self.db.execute(
                "SELECT role, password_hash FROM accounts WHERE name = ?", (name,)
            ).fetchone()
        return hashlib.sha256("\0".join(row).encode()).hexdigest() if row else None

    def all(self) -> list[Account]:
        with self.lock:
            rows = self.db.execute(
                "SELECT name, role, created FROM accounts ORDER BY name"
            ).fetchall()
        return [Account(*row) for row in rows]

    def remove(self, name: str) -> bool:
        name = self.known(name)
        with self.lock, self.db:
            return self.db.execute("DELETE FROM accounts WHERE name = ?", (name,)).rowcount > 0

    def verify(self, name: str, password: str) -> Account | None:
        """The account if the password is right, else None (in about the same time either way)."""
        name = self.known(name)
        with self.lock:
            row = self.db.execute(
                "SELECT password_hash FROM accounts WHERE name = ?", (name,)
            ).fetchone()
        digest = row[0] if row else self.dummy
        try:
            self.hasher.verify(digest, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if self.hasher.check_needs_rehash(digest):  # parameters raised since: upgrade on login
            with self.lock, self.db:
                self.db.execute(
                    "UPDATE accounts SET password_hash = ? WHERE name = ?",
                    (self.hasher.hash(password), name),
                )
        return self.get(name)

    def close(self) -> None:
        with self.lock:
            self.db.close()

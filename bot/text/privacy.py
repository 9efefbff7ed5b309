"""Keeping personal data out of the exchange log.

People paste phone numbers, ID card numbers, bank cards and e-mail addresses into questions.
Reviewers need the question, not those: they are masked before anything is stored. Users are
recorded only as a keyed hash of their id, so a reviewer can count distinct users without being
able to tell who they are.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
import tempfile
import unicodedata
from pathlib import Path

# Longest first: an 18-character ID number would also look like a bank card, and a bank card
# contains runs that look like a mobile number.
_NUMBERS = [
    (
        "[身份证号]",
        re.compile(r"(?<![0-9])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{5}[\dXx](?![0-9Xx])"),
    ),
    ("[银行卡号]", re.compile(r"(?<![0-9])\d{4}(?:[ -]?\d{4}){2,3}(?:[ -]?\d{1,3})?(?![0-9])")),
    ("[手机号]", re.compile(r"(?<![0-9])(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?![0-9])")),
]
# Every character those numbers are written with, 11 or more in a row (a mobile number is the
# shortest). Only such runs are searched: scanning a whole knowledge base with each pattern
# would cost seconds, and a pattern can neither start nor end at the edge of a run.
_NUMBER_RUN = re.compile(r"[\d+ Xx-]{11,}")
# Tried only where a run of address characters starts: Chinese text is all \w, and trying
# every position inside a long run would cost time quadratic in its length.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


# Full-width forms and the ideographic space: the only characters of most Chinese text that NFKC
# changes (，？：（）！ and the like). Each maps to one ASCII character, whatever surrounds it.
_WIDE_RE = re.compile("[\uff01-\uff5e\u3000]+")
_WIDE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def nfkc(text: str) -> str:
    """NFKC, done the cheap way where it can be: full-width forms are mapped first (NFKC maps
    them the same way), after which typical text is already normalized, which is quick to check
    and needs no further work. Converting a whole knowledge base outright takes seconds."""
    for wide in set(_WIDE_RE.findall(text)):  # a few distinct characters, however many times
        text = text.replace(wide, wide.translate(_WIDE))
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def redact(text: str, mask: bool = True) -> str:
    """The text with mobile numbers, 身份证号, bank card numbers and e-mail addresses masked
    (or, with `mask=False`, removed)."""
    text = nfkc(text)  # full-width digits would slip past otherwise

    def numbers(run: re.Match) -> str:
        found = run.group(0)
        for label, pattern in _NUMBERS:
            found = pattern.sub(label if mask else " ", found)
        return found

    text = _NUMBER_RUN.sub(numbers, text)
    return _EMAIL.sub("[邮箱]" if mask else " ", text) if "@" in text else text


class SaltError(Exception):
    """The secret salt cannot be used; the message says which file and what to do."""


def secret_salt(db_path: Path, env_salt: str | None = None) -> bytes:
    """The bot's secret: `POLICYBOT_SALT`, else one generated once and kept beside the database
    (`<db>.salt`, mode 600). It keys user pseudonyms and signs the engine cache, so an empty one
    (a truncated file, a botched restore) is refused rather than used: anyone could then reverse
    the pseudonyms and forge cache files."""
    if env_salt:
        return env_salt.encode()
    salt_file = db_path.with_name(db_path.name + ".salt")
    if not salt_file.exists():
        _create_salt(salt_file)
    salt = salt_file.read_text().strip().encode()
    if not salt:
        raise SaltError(
            f"密钥文件 {salt_file} 是空的：从备份恢复它，或删除它让机器人重新生成"
            "（重新生成后，以前的用户代号无法再与新记录对应）"
        )
    return salt


def _create_salt(salt_file: Path) -> None:
    """Write a new salt whole, then link it into place: a process starting at the same moment
    either finds no file or the complete one (never an empty file), and the first one wins."""
    salt_file.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=salt_file.parent, prefix=".salt-")  # mode 600
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
        with contextlib.suppress(FileExistsError):  # another process created it first
            os.link(temporary, salt_file)
    finally:
        os.unlink(temporary)


class Pseudonymizer:
    """HMAC-SHA256 of a user id under a secret salt: stable per user, not reversible."""

    def __init__(self, salt: bytes) -> None:
        self.salt = salt

    @classmethod
    def for_database(cls, db_path: Path, env_salt: str | None = None) -> Pseudonymizer:
        return cls(secret_salt(db_path, env_salt))

    def key(self, channel: str, user_id: object) -> str | None:
        if user_id is None:
            return None
        message = f"{channel}:{user_id}".encode()
        return hmac.new(self.salt, message, hashlib.sha256).hexdigest()[:20]

"""Keeping personal data out of the exchange log.

People paste phone numbers, ID card numbers, bank cards, e-mail addresses, WeChat and QQ ids,
licence plates and home addresses into questions. Reviewers need the question, not those: they
are masked before anything is stored, and removed before a question is matched (features never
see them). Users are recorded only as a keyed hash of their id, so a reviewer can count distinct
users without being able to tell who they are.

What is and is not caught, with examples, is in docs/privacy.md; every pattern has positive and
negative tests (tests/text/test_privacy.py). Figures that policies state (2887项, 23.8亿元,
2022-05-26, 12345) are never masked: a policy question is about them.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
import tempfile
from functools import partial
from pathlib import Path

from bot.text.nfkc import nfkc

# Between the groups of a number people write spaces (one or two), dashes or dots; a Chinese
# input method's dash is often — (—— from Shift and the minus key) or –, which NFKC keeps:
# 138—1234—5678 went to the log unmasked (probe16).
_DASHES = r"\-‐‑‒–—―−"
_SEP = rf"[ .{_DASHES}]{{0,2}}"
# A mobile number's groups are also split by / or 、 (138/1234/5678), and spoken 3-3-5
# (138 123 45678). Only here: 2020、2021、2022 would be a bank card, and a year list is no number.
_MOBILE_SEP = rf"[ ./、{_DASHES}]{{0,2}}"
_MOBILE = (
    rf"1[3-9]\d{_MOBILE_SEP}(?:\d{{4}}{_MOBILE_SEP}\d{{4}}|\d{{3}}{_MOBILE_SEP}\d{{5}})(?![0-9])"
)
_MOBILE_LABEL = "[手机号]"
_MOBILE_PATTERN = re.compile(rf"(?<![0-9])(?:(?:\+|00)?86{_SEP})?{_MOBILE}")
# Tried inside runs of number characters only, in this order: an 18-character ID number would
# also look like a bank card, and a bank card contains runs that look like a mobile number.
_NUMBERS = [
    (
        "[身份证号]",
        re.compile(
            rf"(?<![0-9])[1-9]\d{{5}}{_SEP}(?:19|20)\d{{2}}{_SEP}(?:0[1-9]|1[0-2])"
            rf"(?:0[1-9]|[12]\d|3[01]){_SEP}\d{{3}}[\dXx](?![0-9Xx])"
        ),
    ),
    # A mobile number with its country code, before bank cards: `0086 1391 2345 678` is one.
    (_MOBILE_LABEL, re.compile(rf"(?<![0-9])(?:\+|00)86{_SEP}{_MOBILE}")),
    (
        "[银行卡号]",
        re.compile(rf"(?<![0-9])\d{{4}}(?:{_SEP}\d{{4}}){{2,3}}(?:{_SEP}\d{{1,3}})?(?![0-9])"),
    ),
    (_MOBILE_LABEL, _MOBILE_PATTERN),
    # Landlines: an area code (010, 02x, 0xxx; in brackets or not) and 7 or 8 digits.
    (
        "[电话]",
        re.compile(
            rf"(?<![0-9])(?:\(0\d{{2,3}}\)|0\d{{2,3}}){_SEP}\d{{3,4}}{_SEP}\d{{4}}(?![0-9])"
        ),
    ),
    # Numbers of other countries, written with their + and country code (+7 914 123-45-67,
    # +7 (914) 123 45 67: the Russian traders of a border city), 8 to 15 digits after the +; and
    # a Russian mobile number as Russians write it at home (8 914 123-45-67). All went to the log
    # as typed (probe22). A + before fewer digits is a figure's (1+N, +10%).
    ("[电话]", re.compile(r"(?<![0-9])\+(?!86)(?:[ ().\-]{0,2}\d){8,15}(?![0-9])")),
    (
        "[电话]",
        re.compile(
            rf"(?<![0-9])8{_SEP}(?:\(9\d\d\)|9\d\d){_SEP}\d{{3}}{_SEP}\d\d{_SEP}\d\d(?![0-9])"
        ),
    ),
]
# Digits typed one by one with a space between (1 3 8 1 2 3 4 5 6 7 8): read as the number they
# spell, and masked if it is one of the above; left as typed if not (a list 1 2 3 …).
_SPACED = re.compile(r"(?<![0-9])\d(?: \d){6,}(?![0-9])")
# Every character those numbers are written with, 10 or more in a row (a landline with a
# three-digit area code is the shortest; a + and eight digits only with a separator among
# them: +12345678 unbroken is left). Only such runs are searched: scanning a whole
# knowledge base with each pattern would cost seconds, and a pattern can neither start nor end
# at the edge of a run.
_NUMBER_RUN = re.compile(rf"[\d+ ./、()Xx{_DASHES}]{{10,}}")
# A mobile number spoken as Chinese numerals, as voice input and screen-reader users write it
# (一三八一二三四五六七八, 幺 and 两 for 1 and 2, 〇 and 零 for 0), read as digits. Only a run that
# starts as a mobile number does (一 or 幺, then 三 to 九) is read: 两千八百, 十一个, 二〇二二年
# and 一二三四 are no such run, and most messages hold none, so the scan is the whole cost.
_SPOKEN = "零〇一幺二两三四五六七八九"
_SPOKEN_DIGITS = str.maketrans(_SPOKEN, "0011223456789")
_SPOKEN_RUN = re.compile(rf"[一幺][三四五六七八九][{_SPOKEN}0-9 ./、{_DASHES}]{{9,}}")
# ASCII only: Chinese is \w too, and `咨询wang@fuyuan.gov.cn可以吗` must keep its Chinese. Tried
# only where a run of address characters starts, so a long run costs linear time.
_EMAIL_LABEL = "[邮箱]"
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

# Codes of ASCII letters and digits, tried inside runs of such characters only (with the one
# character before a run, where a plate's province is): Chinese text has few of them.
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
_PLATE_LETTER = "A-HJ-NP-Za-hj-np-z"  # plates use no I or O
_CREDIT = "0-9A-HJ-NPQRTUWXY"  # the characters of a 统一社会信用代码 (GB 32100)
_CODES = [
    # 统一社会信用代码: 18 characters, the 3rd to 8th an administrative division code.
    (
        "[信用代码]",
        re.compile(rf"(?<![0-9A-Za-z])[{_CREDIT}]{{2}}\d{{6}}[{_CREDIT}]{{10}}(?![0-9A-Za-z])"),
    ),
    # Passports and travel permits: one or two letters and 7 or 8 digits (E12345678, EA1234567).
    ("[证件号]", re.compile(r"(?<![0-9A-Za-z])[A-Za-z]{1,2}\d{7,8}(?![0-9A-Za-z])")),
    # Licence plates: province, letter, 5 (or 6, new energy) letters and digits: 黑F12345.
    (
        "[车牌号]",
        re.compile(
            rf"[{_PROVINCES}][{_PLATE_LETTER}][·• ]?[{_PLATE_LETTER}0-9]{{4,5}}"
            rf"[{_PLATE_LETTER}0-9挂学警港澳](?![0-9A-Za-z])"
        ),
    ),
]
_CODE_RUN = re.compile(r"[0-9A-Za-z][0-9A-Za-z·• ]{5,}")

# Patterns led by a keyword that says what follows (微信, QQ, 我叫, a road); each masks its
# group `pii` only, and the keyword stays: it tells the reviewer what was asked about. Each is
# tried only when one of its keywords is in the text at all (`_ANY_KEYWORD` below).
# The commonest Chinese surnames, for telling 本人李四 from 本人到场.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡杜叶程苏魏吕"
    "丁沈姚卢姜崔钟谭陆汪范金石廖贾夏韦邹孟熊秦邱江尹薛闫段雷侯龙陶黎贺顾毛郝龚邵钱覃戴莫孔汤"
)

_KEYWORDED = [
    (
        "[微信号]",
        ("微信", "威信", "薇信", "v信", "vx", "VX", "vX", "Vx", "wx", "WX", "wX", "Wx", "wechat"),
        re.compile(
            r"(?:微信号?|威信|薇信|v信|[vV][xX]|[wW][xX]|wechat)(?:号|id|ID)?"
            r"[:： ]*(?:是|为)?[:： ]*(?P<pii>[A-Za-z][A-Za-z0-9_-]{5,19})(?![A-Za-z0-9_-])"
        ),
    ),
    (
        "[QQ号]",
        ("qq", "QQ", "Qq", "qQ", "扣扣"),
        re.compile(
            r"(?:[qQ]{2}|扣扣)(?:号码?)?[:： ]*(?:是|为)?[:： ]*(?P<pii>[1-9]\d{4,11})(?![0-9])"
        ),
    ),
    # House numbers after a road, and building / unit / room: the street alone names nobody.
    (
        "[门牌号]",
        ("号",),
        re.compile(
            r"(?:[路街巷弄道]|胡同)"
            r"(?P<pii>\d+号(?:院|楼)?(?:\d+(?:号楼|栋|幢|单元|层|楼|室|号|户))*)"
        ),
    ),
    (
        "[门牌号]",
        ("单元",),
        re.compile(r"(?P<pii>\d+(?:号楼|栋|幢)\d+单元(?:\d+(?:室|号|户)?)?)"),
    ),
    # A name the writer gives as theirs: 我叫张三, 本人李四, 姓名：王五, 联系人：赵六. A bare
    # 本人 is followed by a name only if a common surname comes next: 本人到场 and 本人签字
    # name nobody (surnames that also start common words after 本人, as 任职 or 付款, are left out).
    (
        "[姓名]",
        ("我叫", "我的名字", "本人", "姓名", "联系人"),
        re.compile(
            r"(?:我叫|我的名字[是叫]|本人(?:叫|姓名|(?=[ ]*["
            + _SURNAMES
            + r"]))|姓名[:：]|联系人[:：])[ ]*"
            # Two characters, and a third unless it starts the rest of the sentence (我叫张三想…).
            r"(?P<pii>[\u4e00-\u9fff]{2}(?:(?![住在是想要的从来去找有和请问，。])[\u4e00-\u9fff])?)"
        ),
    ),
]
# Any keyword of any pattern above, found in one scan: most questions hold none, and testing
# each of the 30-odd keywords in turn was ~24% of normalizing a new question (text10, callgrind).
_ANY_KEYWORD = re.compile("|".join(re.escape(k) for _, keywords, _ in _KEYWORDED for k in keywords))
# Every label a mask leaves in the log (`unmasked`).
_LABELS = frozenset(
    [label for label, _ in (*_NUMBERS, *_CODES)]
    + [label for label, _, _ in _KEYWORDED]
    + [_EMAIL_LABEL]
)


def unmasked(text: str) -> str:
    """A question from the log, its masks removed, as the engine read it. A question the gap
    review shows masked and an admin teaches, or drafts a new entry from, is stored so: the
    engine never sees the labels in a user's message, and 手机号 and 姓名 taught into an entry
    drew questions about phone numbers and names to it (probe18)."""
    for label in _LABELS:
        text = text.replace(label, " ")
    return " ".join(text.split())


def redact(text: str, mask: bool = True) -> str:
    """The text with the personal data above masked by a label such as `[手机号]` (or, with
    `mask=False`, replaced by a space, for matching)."""
    return redact_nfkc(nfkc(text), mask)  # full-width digits and brackets would slip past


def redact_nfkc(text: str, mask: bool = True) -> str:
    """`redact` of a text that is `nfkc`'s already (bot.text.normalize folds it once for both)."""

    def numbers(run: re.Match) -> str:
        return _SPACED.sub(spaced, masked(run.group(0)))

    def masked(found: str) -> str:
        for label, pattern in _NUMBERS:
            found = pattern.sub(label if mask else " ", found)
        return found

    def spaced(digits: re.Match) -> str:
        typed = digits.group(0)
        read = masked(typed.replace(" ", ""))
        return typed if read.isdigit() else read

    text = _NUMBER_RUN.sub(numbers, text)
    text = _SPOKEN_RUN.sub(partial(_spoken, mask=mask), text)
    if "@" in text:
        text = _EMAIL.sub(_EMAIL_LABEL if mask else " ", text)
    text = _codes(text, mask)
    if not _ANY_KEYWORD.search(text):
        return text
    for label, keywords, pattern in _KEYWORDED:
        if any(keyword in text for keyword in keywords):
            replacement = label if mask else " "
            text = pattern.sub(partial(_masked, replacement=replacement), text)
    return text


def _spoken(run: re.Match, mask: bool) -> str:
    """The mobile numbers in a run of Chinese numerals masked (a run right after another
    numeral is part of a longer number: 二一三八一二三四五六七八 is twelve digits)."""
    found, before = run.group(0), run.string[run.start() - 1 : run.start()]
    if before and (before in _SPOKEN or before.isdigit()):
        return found
    pieces, done = [], 0
    for mobile in _MOBILE_PATTERN.finditer(found.translate(_SPOKEN_DIGITS)):
        pieces += [found[done : mobile.start()], _MOBILE_LABEL if mask else " "]
        done = mobile.end()
    return "".join([*pieces, found[done:]])


def _codes(text: str, mask: bool) -> str:
    """`_CODES` masked, looking only at runs of code characters and the character before each."""
    pieces, done = [], 0
    for run in _CODE_RUN.finditer(text):
        start = max(run.start() - 1, done)
        segment = text[start : run.end()]
        for label, pattern in _CODES:
            segment = pattern.sub(label if mask else " ", segment)
        pieces += [text[done:start], segment]
        done = run.end()
    return "".join([*pieces, text[done:]]) if pieces else text


def _masked(match: re.Match, replacement: str) -> str:
    """The match with only its `pii` group replaced."""
    start, end = match.span("pii")
    whole = match.group(0)
    offset = match.start()
    return whole[: start - offset] + replacement + whole[end - offset :]


class SaltError(Exception):
    """The secret salt cannot be used; the message says which file and what to do."""


def salt_path(db_path: Path) -> Path:
    """Where the salt is kept when `POLICYBOT_SALT` is not set: beside the database."""
    return db_path.with_name(db_path.name + ".salt")


def secret_salt(db_path: Path, env_salt: str | None = None) -> bytes:
    """The bot's secret: `POLICYBOT_SALT`, else one generated once and kept beside the database
    (`<db>.salt`, mode 600). It keys user pseudonyms and signs the engine cache, so an empty one
    (a truncated file, a botched restore) is refused rather than used: anyone could then reverse
    the pseudonyms and forge cache files."""
    if env_salt:
        return env_salt.encode()
    salt_file = salt_path(db_path)
    if not salt_file.exists():
        _create_salt(salt_file)
    mode = salt_file.stat().st_mode
    if mode & 0o077:  # restored with `cp` under umask 022: anyone could reverse the keys (probe20)
        with contextlib.suppress(PermissionError):  # not ours: read below if we may
            salt_file.chmod(mode & 0o600)
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

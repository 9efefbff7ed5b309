"""No personal data reaches the exchange log."""

from __future__ import annotations

import pytest

from bot.text.privacy import Pseudonymizer, redact


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我的电话13812345678请回电", "我的电话[手机号]请回电"),
        ("电话 138-1234-5678", "电话 [手机号]"),
        ("+86 139 1234 5678 找我", "[手机号] 找我"),
        ("身份证230422199001011234办证", "身份证[身份证号]办证"),
        ("身份证号23042219900101123X", "身份证号[身份证号]"),
        ("卡号6222021234567890123转账", "卡号[银行卡号]转账"),
        ("卡号 6222 0212 3456 7890", "卡号 [银行卡号]"),
        ("邮箱 zhang.san@example.gov.cn 联系", "邮箱 [邮箱] 联系"),
        ("全角１３８１２３４５６７８", "全角[手机号]"),
    ],
)
def test_each_kind_of_personal_data_is_masked(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    ["12345热线", "2887项事项", "2022年5月26日", "总投资41.34亿元", "100万吨", "4月7日11个项目"],
)
def test_policy_figures_are_not_mistaken_for_personal_data(text):
    assert redact(text) == text


def test_user_keys_are_stable_salted_and_not_the_id(tmp_path):
    first = Pseudonymizer.for_database(tmp_path / "log.sqlite3")
    again = Pseudonymizer.for_database(tmp_path / "log.sqlite3")
    assert first.key("telegram", 1001) == again.key("telegram", 1001)
    assert first.key("telegram", 1001) != first.key("telegram", 1002)
    assert "1001" not in first.key("telegram", 1001)
    salt = tmp_path / "log.sqlite3.salt"
    assert salt.stat().st_mode & 0o777 == 0o600
    other = Pseudonymizer.for_database(tmp_path / "elsewhere" / "log.sqlite3")
    assert other.key("telegram", 1001) != first.key("telegram", 1001)


def test_salt_from_the_environment_wins(tmp_path):
    a = Pseudonymizer.for_database(tmp_path / "a.sqlite3", "shared")
    b = Pseudonymizer.for_database(tmp_path / "b.sqlite3", "shared")
    assert a.key("chat", "alice") == b.key("chat", "alice")
    assert not (tmp_path / "a.sqlite3.salt").exists()
    assert a.key("chat", None) is None

"""Console accounts: hashed passwords, roles, and checks that cost the same for unknown names."""

from __future__ import annotations

import sqlite3

import pytest
from argon2 import PasswordHasher

from bot.log.accounts import EDITOR, REVIEWER, AccountError, Accounts
from bot.log.changes import Changes
from bot.log.triage import DONE, IGNORED, NEW, Triage

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def test_an_account_is_stored_hashed_and_checked(tmp_path):
    accounts = Accounts(tmp_path / "log.sqlite3", CHEAP)
    accounts.add("wang", EDITOR, "correct horse battery")
    stored = (
        sqlite3.connect(tmp_path / "log.sqlite3")
        .execute("SELECT password_hash FROM accounts")
        .fetchone()[0]
    )
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert accounts.verify("wang", "correct horse battery").role == EDITOR
    assert accounts.verify("wang", "wrong password!!") is None
    assert accounts.verify("nobody", "correct horse battery") is None


@pytest.mark.parametrize(
    "name, role, password, reason",
    [
        ("li", "admin", "long enough pw", "角色"),
        ("li", REVIEWER, "short", "至少"),
        ("", REVIEWER, "long enough pw", "用户名"),
        (" li", REVIEWER, "long enough pw", "用户名"),
    ],
)
def test_bad_accounts_are_refused(tmp_path, name, role, password, reason):
    with pytest.raises(AccountError, match=reason):
        Accounts(tmp_path / "log.sqlite3", CHEAP).add(name, role, password)


def test_an_existing_name_needs_reset(tmp_path):
    accounts = Accounts(tmp_path / "log.sqlite3", CHEAP)
    accounts.add("li", REVIEWER, "first password")
    with pytest.raises(AccountError, match="已经存在"):
        accounts.add("li", EDITOR, "second password")
    accounts.add("li", EDITOR, "second password", replace=True)
    assert accounts.verify("li", "first password") is None
    assert accounts.verify("li", "second password").role == EDITOR
    assert [a.name for a in accounts.all()] == ["li"]


def test_a_name_typed_in_full_width_is_the_same_name(tmp_path):
    """A Chinese input method left in full-width mode types ｗａｎｇ in the login's name box
    (the password box takes no input method): it was 用户名或密码不对, and `admin add-user
    ｗａｎｇ` made a second account that reads as wang in the console's history (probe16)."""
    accounts = Accounts(tmp_path / "log.sqlite3", CHEAP)
    accounts.add("wang", EDITOR, "correct horse battery")
    assert accounts.verify("ｗａｎｇ", "correct horse battery").name == "wang"
    with pytest.raises(AccountError, match="已经存在"):
        accounts.add("ｗａｎｇ", EDITOR, "another password")
    assert accounts.add("ｌｉ", REVIEWER, "long enough pw").name == "li"
    assert accounts.remove("ｌｉ") and [a.name for a in accounts.all()] == ["wang"]
    # an account made before names were folded is still found as it was typed
    accounts.db.execute(
        "INSERT INTO accounts (name, role, password_hash, created) VALUES (?, ?, ?, ?)",
        ("ｚｈａｏ", REVIEWER, CHEAP.hash("long enough pw"), "2026-11-27"),
    )
    assert accounts.verify("ｚｈａｏ", "long enough pw").name == "ｚｈａｏ"


def test_a_name_in_other_letter_case_is_the_same_name(tmp_path):
    """Wang, typed at a desktop's login box for the account wang, was 用户名或密码不对 with the
    right password, and `admin add-user Wang` made a second account beside wang (probe20)."""
    accounts = Accounts(tmp_path / "log.sqlite3", CHEAP)
    accounts.add("wang", EDITOR, "correct horse battery")
    assert accounts.verify("Wang", "correct horse battery").name == "wang"
    with pytest.raises(AccountError, match="已经存在"):
        accounts.add("WANG", REVIEWER, "another password")
    assert accounts.add("Wang", REVIEWER, "another password", replace=True).name == "wang"
    assert [(a.name, a.role) for a in accounts.all()] == [("wang", REVIEWER)]
    assert accounts.remove("WANG") and accounts.all() == []
    # two accounts made before, differing in case only: each is found as typed, neither as a third
    for name in ("li", "Li"):
        accounts.db.execute(
            "INSERT INTO accounts (name, role, password_hash, created) VALUES (?, ?, ?, ?)",
            (name, REVIEWER, CHEAP.hash("long enough pw"), "2026-11-27"),
        )
    assert accounts.verify("Li", "long enough pw").name == "Li"
    assert accounts.verify("LI", "long enough pw") is None


def test_a_name_is_checked_as_it_is_stored(tmp_path):
    """Folding a name can make it longer (㎏ is kg): 20 of them were 20 characters when checked
    and 40 when stored, past the 32 the console's login box takes."""
    accounts = Accounts(tmp_path / "log.sqlite3", CHEAP)
    with pytest.raises(AccountError, match="用户名要"):
        accounts.add("㎏" * 20, EDITOR, "correct horse battery")
    assert accounts.add("㎏" * 16, EDITOR, "correct horse battery").name == "kg" * 16


def test_triage_is_kept_per_question_and_new_forgets_it(tmp_path):
    triage = Triage(tmp_path / "log.sqlite3")
    assert triage.state_of(["抚远天气怎么样"])[0] == NEW
    triage.set(["抚远天气怎么样", "今天天气"], IGNORED, "wang")
    # a later cluster holding one of those questions and a new one is still ignored
    state, by, _ = triage.state_of(["明天天气如何", "今天天气"])
    assert (state, by) == (IGNORED, "wang")
    triage.set(["今天天气"], DONE, "li")
    assert triage.state_of(["今天天气", "抚远天气怎么样"])[0] == DONE
    triage.set(["今天天气", "抚远天气怎么样"], NEW, "li")
    assert triage.state_of(["今天天气"])[0] == NEW


def test_changes_keep_both_versions_newest_first(tmp_path):
    changes = Changes(tmp_path / "log.sqlite3")
    first = changes.record("wang", "a", "created", "faq/x.yaml", None, {"answer": "一"})
    second = changes.record("li", "a", "edited", "faq/x.yaml", {"answer": "一"}, {"answer": "二"})
    assert [c.id for c in changes.of_entry("a")] == [second, first]
    assert changes.get(second).before == {"answer": "一"} and changes.get(second).by == "li"
    assert changes.get(first).before is None


def test_untriaged_leaves_out_done_and_ignored_clusters(tmp_path):
    from bot.log.gaps import Cluster

    def made(*questions):
        return Cluster(
            questions[0], len(questions), 1, "", "", list(questions), {}, {}, list(questions)
        )

    triage = Triage(tmp_path / "log.sqlite3")
    weather, tax, fund = made("今天天气怎么样"), made("个税怎么交"), made("公积金怎么提取")
    triage.set(weather.questions, IGNORED, "wang")
    triage.set(tax.questions, DONE, "wang")
    assert triage.untriaged([weather, tax, fund]) == [fund]

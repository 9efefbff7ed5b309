"""No personal data reaches the exchange log."""

from __future__ import annotations

import pytest

from bot.engine.evaluation import load_cases
from bot.knowledge.model import load
from bot.text.nfkc import nfkc
from bot.text.privacy import _ANY_KEYWORD, _KEYWORDED, Pseudonymizer, redact
from tests.support.paths import KNOWLEDGE

# The eval folders tuned on (fresh20/ is untuned: never read, not even by a test).
TUNED_FOLDERS = (
    "fresh",
    "holdout",
    "fresh2",
    "fresh3",
    "fresh4",
    "fresh5",
    "fresh6",
    "fresh7",
    "fresh8",
    "fresh9",
    "fresh10",
    "fresh11",
    "fresh12",
    "fresh13",
    "fresh14",
    "fresh15",
    "fresh16",
    "fresh17",
    "fresh18",
    "fresh19",
)
EVAL_FILES = ("natural", "traps", "out_of_domain")


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


# Realistic questions with personal data of every kind the log must not keep; each expected
# text keeps everything around the data.
@pytest.mark.parametrize(
    "text, expected",
    [
        # e-mail: the Chinese around an address stays (\w matches Chinese)
        ("营业执照办理咨询wang@fuyuan.gov.cn可以吗", "营业执照办理咨询[邮箱]可以吗"),
        ("发到12345678@qq.com行吗", "发到[邮箱]行吗"),
        # landlines, with and without brackets and separators
        ("打0454-1234567没人接", "打[电话]没人接"),
        ("(0454)5221234是哪个部门", "[电话]是哪个部门"),
        ("（0454）5221234是哪个部门", "[电话]是哪个部门"),
        ("010-87654321能打通吗", "[电话]能打通吗"),
        ("座机0454 5221234", "座机[电话]"),
        # mobiles written with dots, double spaces, a country code
        ("手机138.1234.5678", "手机[手机号]"),
        ("手机138  1234  5678回电", "手机[手机号]回电"),
        ("0086 13912345678", "[手机号]"),
        # the dashes a Chinese input method types (—, ——, –), which NFKC keeps
        ("手机138—1234—5678回电", "手机[手机号]回电"),
        # Grouped 3-3-5, or with / or 、 between the groups (probe18).
        ("手机138 123 45678回电", "手机[手机号]回电"),
        ("手机138/1234/5678", "手机[手机号]"),
        ("手机138、1234、5678", "手机[手机号]"),
        ("+86 138-123-45678", "[手机号]"),
        # Spoken as Chinese numerals, as voice input writes it (probe18).
        ("我的手机一三八一二三四五六七八", "我的手机[手机号]"),
        ("电话幺三八 幺二三 四五六七八回电", "电话[手机号]回电"),
        ("手机一三九〇〇〇〇两三四五，谢谢", "手机[手机号],谢谢"),
        ("手机一五八零一二三四五六七", "手机[手机号]"),
        ("手机一三八 1234 5678", "手机[手机号]"),
        ("座机0454——5221234", "座机[电话]"),
        ("身份证230422–19900101–1234", "身份证[身份证号]"),
        # ID numbers in groups
        ("身份证230422 19900101 1234", "身份证[身份证号]"),
        # passports and permits
        ("护照号E12345678过期了怎么办", "护照号[证件号]过期了怎么办"),
        ("护照EA1234567", "护照[证件号]"),
        # licence plates
        ("车牌黑F12345被扣了", "车牌[车牌号]被扣了"),
        ("黑F·D12345能办通行证吗", "[车牌号]能办通行证吗"),
        ("京AD12345新能源车", "[车牌号]新能源车"),
        # WeChat and QQ ids after their keyword
        ("加我微信zhang_san88详谈", "加我微信[微信号]详谈"),
        ("微信号：wxid_abc123", "微信号:[微信号]"),
        ("vx abc12345", "vx [微信号]"),
        ("QQ 123456789", "QQ [QQ号]"),
        ("我的qq号是1234567", "我的qq号是[QQ号]"),
        # 统一社会信用代码
        ("信用代码91230000MA1234567X怎么查", "信用代码[信用代码]怎么查"),
        # names and addresses
        ("我叫张三住在抚远市通江路123号", "我叫[姓名]住在抚远市通江路[门牌号]"),
        ("联系人：李四 电话13812345678", "联系人:[姓名] 电话[手机号]"),
        ("我住3号楼2单元501能办吗", "我住[门牌号]能办吗"),
        ("本人王小明申请补贴", "本人[姓名]申请补贴"),
        ("本人 陈大伟想咨询", "本人 [姓名]想咨询"),
        ("本人叫高明", "本人叫[姓名]"),
        # Digits typed one by one (probe22), an ID number in 6-4-4-4 groups (its first six
        # digits were left, the rest called a bank card), and other countries' numbers with
        # their +, and a Russian mobile written at home: all went to the log as typed.
        ("我电话1 3 8 1 2 3 4 5 6 7 8", "我电话[手机号]"),
        ("身份证2 3 0 4 2 2 1 9 9 0 0 1 0 1 1 2 3 4", "身份证[身份证号]"),
        ("身份证 230422 1990 0101 1234", "身份证 [身份证号]"),
        ("我的电话+7 914 123 45 67", "我的电话[电话]"),
        ("电话 +7 (914) 123-45-67 谢谢", "电话 [电话] 谢谢"),
        ("+79141234567在线", "[电话]在线"),
        ("telephone 8 914 123-45-67", "telephone [电话]"),
        ("8(914)123-45-67", "[电话]"),
        ("电话+1 2345678", "电话[电话]"),  # eight digits after the +: a separator among them
    ],
)
def test_more_personal_data_is_masked(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2887项事项网上可办",
        "总投资23.8亿元",
        "2022-05-26发布",
        "拨打12345热线",
        "0.5个工作日办结",
        "GB50016-2014防火规范",
        "黑瞎子岛门票多少钱",
        "黑龙江省营商环境条例",
        "第12号文件",
        "2号窗口在几楼",
        "G331国道",
        "微信公众号怎么关注",
        "QQ群",
        "姓名变更怎么办",
        "5月26日11个项目开工",
        "1.2万户市场主体",
        "增长61%",
        "100万吨",
        "需要本人到场吗",
        "本人签字后提交",
        "本人任职的公司",
        "2020—2022年的政策",
        "第1—3项材料",
        # Chinese numerals that are figures, lists and dates, not a mobile number.
        "两千八百八十八项事项",
        "一二三四这几项材料",
        "十一个项目开工",
        "二〇二二年五月二十六日发布",
        "一九九八年一月一日",
        "一三八一二三四五六七八九",  # twelve numerals
        "二一三八一二三四五六七八",
        # 3-3-5 groups, years and dates that are not a mobile number's shape.
        "123 456 78901",
        "238 123 45678",
        "138 123 4567",
        "138 1234 56789",
        "2020、2021、2022年的政策",
        "2020/2021/2022年度",
        "2022/05/26发布",
        # A + before a figure, and digits spaced out that spell no number of a person.
        "1+N服务模式",
        "增长+10%",
        "材料1 2 3 4 5 6 7 8项",
        "第1 2 3项",
    ],
)
def test_more_policy_text_is_left_alone(text):
    assert redact(text) == redact(text, mask=True) == text.replace("：", ":")


def test_matching_form_never_contains_personal_data():
    from bot.text.normalize import normalize

    text = normalize(
        "我叫张三，车牌黑F12345，电话0454-1234567，营业执照办理咨询wang@fuyuan.gov.cn可以吗"
    )
    for secret in ("张三", "12345", "1234567", "wang", "fuyuan"):
        assert secret not in text
    assert "营业执照" in text


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


def test_the_keyword_scan_skips_only_texts_without_any_keyword():
    """`redact_nfkc` skips the keyword-led patterns when `_ANY_KEYWORD` finds nothing: that is
    only a shortcut if it finds something wherever one of their keywords is, as the loop it
    replaced tested one by one. Checked on every tuned-on eval question (fresh20/ is untuned)
    and every text of the shipped knowledge, and on each keyword alone."""
    sets = ["dev", "homophones", "natural", "traps", "out_of_domain"]
    sets += [f"{folder}/{name}" for folder in TUNED_FOLDERS for name in EVAL_FILES]
    texts = [
        case.question
        for name in sets
        if (path := KNOWLEDGE / "eval" / f"{name}.yaml").exists()
        for case in load_cases(path)
    ]
    texts += [
        text for entry in load(KNOWLEDGE).entries for text in (*entry.questions, entry.answer)
    ]
    texts += [keyword for _, keywords, _ in _KEYWORDED for keyword in keywords]
    assert len(texts) > 9_000
    for text in map(nfkc, texts):
        has_keyword = any(k in text for _, keywords, _ in _KEYWORDED for k in keywords)
        assert bool(_ANY_KEYWORD.search(text)) == has_keyword, text

from bot.features import features, sound, spoken
from bot.normalize import fold, normalize


def test_full_width_traditional_and_case_are_folded():
    assert fold("ＡＢＣ１２３ 辦事不求人") == "abc123 办事不求人"


def test_punctuation_emoji_and_whitespace_become_single_spaces():
    assert fold("复工，复产？？😀  窗口!!") == "复工 复产 窗口"


def test_politeness_and_question_particles_are_removed():
    assert normalize("请问一下，复工复产去哪个窗口办理呢？") == "复工复产去哪个窗口办理"
    assert normalize("你好，信用修复怎么办啊") == "信用修复怎么办"


def test_numerals_in_dates_and_counts_become_digits():
    assert normalize("二月份去哪招商了") == "2月去哪招商了"
    assert normalize("4月7号开工") == "4月7日开工"
    assert normalize("十一个项目") == "11个项目"
    assert normalize("一次办") == "一次办"  # not a count of 次: left alone


def test_control_and_zero_width_characters_vanish():
    assert normalize("复\u200b工\x00复\u202e产") == "复 工 复 产"


def test_homophones_sound_the_same():
    assert sound("求") == sound("球")
    assert spoken("办事不球人") == spoken("办事不求人")
    assert spoken("绿色通到") == spoken("绿色通道")


def test_features_cover_characters_pairs_and_sounds():
    found = set(features("网上办"))
    assert {"c网", "b网上", "b上办", "pwang sang", "psang ban"} <= found
    assert "b办网" not in found
    # pairs never span a boundary the user typed
    assert "b工窗" not in set(features("复工 窗口"))

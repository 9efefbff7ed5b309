import numpy as np

from bot.engine.features import PAIR, SOUND_PAIR, Alphabet, kind, sound, spoken
from bot.text.normalize import fold, fold_all, normalize, normalize_all, normalize_and_fold_all
from tests.support.keys import whole_keys


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
    # A figure with 百 or 千, as an answer writes it; not an estimate, a range or an idiom.
    assert normalize("公共服务事项一百九十九项") == "公共服务事项199项"
    assert normalize("投资五百万") == "投资500万"
    assert normalize("两千八百多项") == "两千八百多项"
    assert normalize("四五百项") == "四五百项"
    assert normalize("老百姓千万别急") == "老百姓千万别急"
    # Tens of them (几十个, 数十项) give no figure: not 几10个.
    assert normalize("听说有几十个展位") == "听说有几十个展位"
    assert normalize("数十项补贴") == "数十项补贴"
    assert normalize("参会企业数三个") == "参会企业数3个"  # a count after 数, a figure given


def test_control_and_zero_width_characters_vanish():
    assert normalize("复\u200b工\x00复\u202e产") == "复 工 复 产"


def test_homophones_sound_the_same():
    assert sound("求") == sound("球")
    assert spoken("办事不球人") == spoken("办事不求人")
    assert spoken("绿色通到") == spoken("绿色通道")


def kinds(text: str, alphabet: Alphabet) -> dict[int, set[int]]:
    keys, _ = whole_keys(alphabet.encode([text]), alphabet.bits)
    found = kind(keys, alphabet.bits)
    return {k: set(keys[found == k].tolist()) for k in range(3)}


def test_features_cover_characters_pairs_and_sounds():
    alphabet, _ = Alphabet.learn(["网上办", "复工 窗口"])
    assert [len(keys) for keys in kinds("网上办", alphabet).values()] == [3, 2, 2]
    # pairs never span a boundary the user typed
    assert len(kinds("复工 窗口", alphabet)[PAIR]) == 2


def test_a_homophone_typo_keeps_the_sound_pairs():
    alphabet, _ = Alphabet.learn(["办事不求人"])
    right, typo = kinds("办事不求人", alphabet), kinds("办事不球人", alphabet)
    assert right[SOUND_PAIR] == typo[SOUND_PAIR]
    assert right[PAIR] != typo[PAIR]


def test_units_outside_the_alphabet_match_no_indexed_feature():
    alphabet, _ = Alphabet.learn(["营业执照 app 12345"])
    indexed, _ = whole_keys(alphabet.encode(["营业执照 app 12345"]), alphabet.bits)
    asked, _ = whole_keys(alphabet.encode(["营业登记 apk 12346"]), alphabet.bits)
    shared = np.intersect1d(indexed, asked)
    assert len(shared) == 4  # 营, 业, 营业 and how 营业 sounds; nothing of apk or 12346


def test_batch_forms_equal_one_text_at_a_time():
    texts = ["请问一下，复工复产\n去哪个窗口？", "", "辦事不球人 APP 12345", "二月份\n7号", "  "]
    assert normalize_all(texts) == [normalize(text) for text in texts]
    repeated = [*texts, *texts[::-1], texts[2]]  # repeats are normalized once, and still given
    assert normalize_all(repeated) == [normalize(text) for text in repeated]
    once_more = [*texts, texts[0]]  # a few repeats: all normalized, repeats too
    assert normalize_all(once_more) == [normalize(text) for text in once_more]
    assert fold_all(texts) == [fold(text) for text in texts]
    # Both at once, folded once where redaction takes nothing out, and where it does.
    assert normalize_and_fold_all(repeated) == (normalize_all(repeated), fold_all(repeated))
    phoned = [*texts, "电话１３９１２３４５６７８怎么办"]
    assert normalize_and_fold_all(phoned) == (normalize_all(phoned), fold_all(phoned))
    normalized = normalize_all(texts)
    alphabet, _ = Alphabet.learn(normalized)
    encoded = alphabet.encode(normalized)
    heard = alphabet.spoken(*encoded.sounding(encoded.texts))
    assert list(heard) == [spoken(t) for t in normalized]


def test_nfkc_is_unicodes_and_gives_normalized_text_back_as_it_is():
    import unicodedata

    from bot.text.nfkc import nfkc

    wide = "".join(map(chr, range(0xFF01, 0xFF5F))) + "\u3000"
    for text in (wide, "请问，ｗｗｗ１２３\u3000办理？", "ﬁ ㎏ ①", "e\u0301", "营业执照 12345"):
        once = nfkc(text)
        assert once == unicodedata.normalize("NFKC", text)
        assert nfkc(once) is once

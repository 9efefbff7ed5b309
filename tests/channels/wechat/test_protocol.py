"""The WeChat protocol on its own: signatures, timestamps, safe-mode AES, XML in and out."""

from __future__ import annotations

import time

import pytest

from bot.channels.wechat.protocol import (
    Crypto,
    ProtocolError,
    check_fresh,
    check_signature,
    decode_aes_key,
    parse,
    render,
    signature,
    text_reply,
)
from tests.support.wechat import AES_KEY, APPID, TOKEN

# Encrypted by wechatpy 1.8.18 (WeChatCrypto.encrypt_message, nonce 1320562132, timestamp
# 1409304348) with the stand-in's token, key and AppID: pins our AES and framing to an
# independent implementation.
WECHATPY_ENCRYPT = (
    "1EIlSsgbWsVyOEWoBvub70TkclORsKkZ4zIkBWr2YQ9W9uJEKMBwDu5Ey0eLrVMmmiVgP5wIZj6bn0Bva/oz2xIu01/"
    "NQeoEeR9m4eeSvtmG3xgvH2Mr6CSdCwPKBnRIXIUJUMCpq++J/kKoM+/NuzO7Rl3r7KgVlRasTwUbFxY="
)
WECHATPY_SIGNATURE = "87612211c5c3cabe7295d70dfe48965a9b988268"
WECHATPY_PLAIN = "<xml><Content><![CDATA[复工复产去哪个窗口办理]]></Content></xml>"

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY a "hahahahahahahahahaha">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>
<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><MsgType>text</MsgType>
<Content>&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;</Content><MsgId>1</MsgId></xml>"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><MsgType>text</MsgType>
<Content>&secret;</Content><MsgId>2</MsgId></xml>"""


def test_signature_is_sha1_of_the_sorted_parts():
    # The example in WeChat's documentation of the access check.
    assert signature("token", "1409304348", "1320562132") == signature(
        "1320562132", "token", "1409304348"
    )
    assert len(signature("a", "b", "c")) == 40
    check_signature("token", signature("token", "1", "2"), "1", "2")
    with pytest.raises(ProtocolError):
        check_signature("token", signature("other", "1", "2"), "1", "2")
    with pytest.raises(ProtocolError):
        check_signature("token", "签名", "1", "2")  # not even ASCII


def test_old_and_future_timestamps_are_refused():
    now = 1_800_000_000
    check_fresh(str(now - 60), now)
    for stamp in (str(now - 301), str(now + 301), "", "12ab", "-5"):
        with pytest.raises(ProtocolError):
            check_fresh(stamp, now)


def test_a_message_encrypted_by_wechatpy_decrypts():
    crypto = Crypto(TOKEN, AES_KEY, APPID)
    fields = {"Encrypt": WECHATPY_ENCRYPT}
    assert crypto.open(fields, WECHATPY_SIGNATURE, "1409304348", "1320562132") == WECHATPY_PLAIN
    with pytest.raises(ProtocolError, match="signature"):
        crypto.open(fields, WECHATPY_SIGNATURE, "1409304349", "1320562132")


def test_sealed_replies_open_again_and_are_signed():
    crypto = Crypto(TOKEN, AES_KEY, APPID)
    reply = text_reply("oUser", "gh_account", "您好]]>再见\x07", now=1_800_000_000)
    sealed = parse(crypto.seal(reply))
    assert sealed["MsgSignature"] == signature(
        TOKEN, sealed["TimeStamp"], sealed["Nonce"], sealed["Encrypt"]
    )
    inner = parse(crypto.decrypt(sealed["Encrypt"]))
    # "]]>" survives the CDATA section; a control character XML cannot carry is dropped.
    assert inner == {
        "ToUserName": "oUser",
        "FromUserName": "gh_account",
        "CreateTime": "1800000000",
        "MsgType": "text",
        "Content": "您好]]>再见",
    }


def test_a_message_for_another_appid_or_key_is_refused():
    ours = Crypto(TOKEN, AES_KEY, APPID)
    with pytest.raises(ProtocolError, match="AppID"):
        ours.decrypt(Crypto(TOKEN, AES_KEY, "wx0000000000000000").encrypt("<xml/>"))
    other_key = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"
    with pytest.raises(ProtocolError):
        ours.decrypt(Crypto(TOKEN, other_key, APPID).encrypt("<xml/>"))
    for junk in ("not base64!", "", "YWJj"):
        with pytest.raises(ProtocolError):
            ours.decrypt(junk)


def test_the_aes_key_must_be_the_consoles_43_characters():
    assert len(decode_aes_key(AES_KEY)) == 32
    for bad in (AES_KEY[:-1], AES_KEY + "A", "!" * 43):
        with pytest.raises(ValueError):
            decode_aes_key(bad)


def test_parse_reads_flat_fields():
    assert parse(
        "<xml><ToUserName><![CDATA[gh]]></ToUserName><CreateTime>1348831860</CreateTime></xml>"
    ) == {"ToUserName": "gh", "CreateTime": "1348831860"}


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, XXE, "<xml><a>", "<root/>", "", "\x00"])
def test_parse_refuses_dtds_entities_and_junk_quickly(payload):
    started = time.perf_counter()
    with pytest.raises(ProtocolError):
        parse(payload)
    assert time.perf_counter() - started < 0.5


def test_render_writes_numbers_bare_and_text_as_cdata():
    assert render({"CreateTime": 5, "Content": "a<b"}) == (
        "<xml><CreateTime>5</CreateTime><Content><![CDATA[a<b]]></Content></xml>"
    )

"""The WeChat Official Account (公众号) server protocol: signatures, safe-mode AES, and XML.

WeChat's side is small and fixed, so it is written here on the `cryptography` and `defusedxml`
packages rather than taken from wechatpy (docs/wechat.md has the comparison): SHA1 signatures
over sorted strings, AES-256-CBC with the IV taken from the key and PKCS#7 padding to 32-byte
blocks, and flat `<xml>` documents whose children are the message's fields.

Nothing here knows about the bot: it turns bytes into checked fields and fields into bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import struct
import time

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

# A request signed more than this many seconds before (or after) our clock is refused, so a
# captured request cannot be replayed later. WeChat retries within about 15 seconds.
MAX_AGE = 300
# WeChat's messages are a few KB; a body larger than this is refused unread.
MAX_BODY = 64 * 1024
# WeChat pads to 32-byte blocks (its sample code's `block_size = 32`), not AES's 16.
PAD_BITS = 256
AES_KEY_CHARS = 43  # the console's EncodingAESKey: base64 of 32 bytes without the final "="
# Characters XML 1.0 cannot carry at all, even escaped: dropped from what we send.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class ProtocolError(Exception):
    """A request that is not a well-formed WeChat message."""


class Forbidden(ProtocolError):
    """A request not signed with our token, too old, or for another account."""


def signature(*parts: str) -> str:
    """WeChat's signature: SHA1 of the parts sorted and joined, as lowercase hex."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def check_signature(token: str, given: str, timestamp: str, nonce: str, *more: str) -> None:
    """Raise unless `given` signs token, timestamp, nonce (and, in safe mode, the ciphertext)."""
    expected = signature(token, timestamp, nonce, *more)
    if not hmac.compare_digest(expected.encode(), given.lower().encode()):
        raise Forbidden("bad signature")


def check_fresh(timestamp: str, now: float | None = None, max_age: float = MAX_AGE) -> None:
    """Raise unless the signed timestamp is within `max_age` seconds of our clock."""
    if not timestamp.isdigit():
        raise Forbidden("timestamp is not a number")
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > max_age:
        raise Forbidden("timestamp too old or in the future")


def parse(body: bytes | str) -> dict[str, str]:
    """The fields of a flat `<xml>` document. Any DTD is refused outright, which stops entity
    expansion ("billion laughs") and external entities (XXE) before they can start."""
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, SyntaxError) as exc:  # ParseError is a SyntaxError
        raise ProtocolError(f"unreadable XML: {type(exc).__name__}") from exc
    if root.tag != "xml":
        raise ProtocolError("the root element is not <xml>")
    return {child.tag: (child.text or "").strip() for child in root}


def _cdata(text: str) -> str:
    """Text as CDATA; "]]>" inside it is split across two sections, as XML requires."""
    return "<![CDATA[" + _NOT_XML.sub("", text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render(fields: dict[str, str | int]) -> str:
    """A flat `<xml>` document: numbers bare, text as CDATA (WeChat's own layout)."""
    inner = "".join(
        f"<{name}>{value if isinstance(value, int) else _cdata(value)}</{name}>"
        for name, value in fields.items()
    )
    return f"<xml>{inner}</xml>"


def text_reply(to_user: str, from_account: str, content: str, now: float | None = None) -> str:
    """A passive text reply: to the user who wrote, from the account they wrote to."""
    return render(
        {
            "ToUserName": to_user,
            "FromUserName": from_account,
            "CreateTime": int(time.time() if now is None else now),
            "MsgType": "text",
            "Content": content,
        }
    )


def decode_aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key from the console's 43-character EncodingAESKey."""
    key = encoding_aes_key.strip()
    if len(key) != AES_KEY_CHARS:
        raise ValueError(f"EncodingAESKey must be {AES_KEY_CHARS} characters, not {len(key)}")
    try:
        raw = base64.b64decode(key + "=", validate=True)
    except binascii.Error as exc:
        raise ValueError("EncodingAESKey is not base64") from exc
    return raw


class Crypto:
    """Safe mode (安全模式): messages and replies are AES-encrypted and signed again.

    The plaintext is 16 random bytes, the message's length (4 bytes, network order), the
    message, and the AppID, which is checked on the way in so that a message for another
    account is refused.
    """

    def __init__(self, token: str, encoding_aes_key: str, appid: str) -> None:
        self.token = token
        self.key = decode_aes_key(encoding_aes_key)
        self.appid = appid.encode()

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, message: str) -> str:
        data = message.encode()
        plain = secrets.token_bytes(16) + struct.pack(">I", len(data)) + data + self.appid
        padder = padding.PKCS7(PAD_BITS).padder()
        padded = padder.update(plain) + padder.finalize()
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode()

    def decrypt(self, encrypted: str) -> str:
        try:
            data = base64.b64decode(encrypted, validate=True)
            decryptor = self._cipher().decryptor()
            padded = decryptor.update(data) + decryptor.finalize()
            unpadder = padding.PKCS7(PAD_BITS).unpadder()
            plain = unpadder.update(padded) + unpadder.finalize()
        except ValueError as exc:  # bad base64, length not a block multiple, bad padding
            raise ProtocolError("undecryptable message") from exc
        if len(plain) < 20:
            raise ProtocolError("decrypted message too short")
        (length,) = struct.unpack(">I", plain[16:20])
        message, appid = plain[20 : 20 + length], plain[20 + length :]
        if len(message) != length or not hmac.compare_digest(appid, self.appid):
            raise Forbidden("message for another AppID")
        try:
            return message.decode()
        except UnicodeDecodeError as exc:
            raise ProtocolError("decrypted message is not UTF-8") from exc

    def open(self, fields: dict[str, str], msg_signature: str, timestamp: str, nonce: str) -> str:
        """The inner XML of an encrypted POST body, once its `msg_signature` checks out."""
        encrypted = fields.get("Encrypt", "")
        if not encrypted:
            raise ProtocolError("no <Encrypt> in a safe-mode message")
        check_signature(self.token, msg_signature, timestamp, nonce, encrypted)
        return self.decrypt(encrypted)

    def seal(self, reply: str, now: float | None = None) -> str:
        """A reply wrapped for safe mode: encrypted and signed with a fresh timestamp/nonce."""
        encrypted = self.encrypt(reply)
        timestamp = str(int(time.time() if now is None else now))
        nonce = str(secrets.randbelow(10**10))
        return render(
            {
                "Encrypt": encrypted,
                "MsgSignature": signature(self.token, timestamp, nonce, encrypted),
                "TimeStamp": int(timestamp),
                "Nonce": nonce,
            }
        )

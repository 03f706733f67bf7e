"""ID numbers and phones encrypted at rest: a copied database file does not hand them out in clear (issue 17).

The county key is 32 random bytes kept outside the database (a copy of the database alone must not carry it):
``POVMON_KEY`` (the key itself, base64url), else the file named by ``POVMON_KEY_FILE``, else
``~/.config/povmon/county.key``; ``povmon key new FILE`` makes one. Two subkeys are derived from it with HKDF
(SHA-256, one ``info`` each):

- AES-256-GCM (``cryptography``'s AESGCM) seals each value with a fresh 12-byte nonce and the column's name as
  associated data (a sealed phone cannot be passed off as an ID number): ``"v1:" + base64(nonce + ciphertext)``.
- HMAC-SHA256 of the normalised ID number (rules.idcard.normalize) is the column beside it (``id_hash``): equality
  look-ups, the unique indexes and joins of two ID columns compare it (``SealedId``'s comparator), so
  ``Member.id_number == number`` keeps working. Sorting or LIKE on an ID cannot: do them in Python.

The key's fingerprint (an HMAC of a constant) is stored in the database (``county_key``) the first time data is
committed with it, and a commit under another key is refused (``check_fingerprint``): nothing is ever written under a
second key. The derived keys are cached for the process (``keys``); ``reset`` forgets them (tests).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from povmon.errors import PovmonError

if TYPE_CHECKING:  # cryptography is imported at the first use of a key: a command that needs none starts faster
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.hmac import HMAC

KEY_ENV = "POVMON_KEY"
KEY_FILE_ENV = "POVMON_KEY_FILE"
DEFAULT_KEY_FILE = "~/.config/povmon/county.key"
KEY_BYTES = 32
NONCE_BYTES = 12
PREFIX = "v1:"
_FINGERPRINT_TEXT = b"povmon county key fingerprint v1"
_HOW = f"请把县里保管的密钥文件放到 {DEFAULT_KEY_FILE}，或设置 {KEY_FILE_ENV}；新建县库时用 povmon key new 生成。"


class KeyMissing(PovmonError):
    """The county key is missing, unreadable or malformed."""


class WrongKey(PovmonError):
    """The county key does not belong to this database."""


WRONG_KEY = ("这把密钥不是本库的（与库里记下的密钥指纹不符，或数据无法用它解开）；请换用本库建立时的县密钥文件，"
             "不要新建密钥来代替。")


@dataclass(frozen=True)
class Keys:
    """The subkeys derived from one county key, and where it came from."""

    aead: AESGCM
    mac: HMAC  # keyed once; each hash works on a copy (a fraction of the cost of keying HMAC per value)
    fingerprint: str
    source: str


_keys: Keys | None = None


def reset() -> None:
    """Forget the cached key (the next use reads the environment and the key file again)."""
    global _keys
    _keys = None


def loaded() -> Keys | None:
    """The key in use by this process, if one was needed yet."""
    return _keys


def keys() -> Keys:
    """The county key's subkeys, read once per process (see the module docstring for where from)."""
    global _keys
    if _keys is None:
        raw, source = _read_key()
        _keys = derive(raw, source)
    return _keys


@contextlib.contextmanager
def using_key_file(path: Path) -> Iterator[Keys]:
    """Use the key of one file for a while, whatever the environment says (the demo's own key), then the one before."""
    global _keys
    before = _keys
    _keys = derive(decode_key(path.read_text(encoding="ascii"), str(path)), str(path))
    try:
        yield _keys
    finally:
        _keys = before


def derive(raw: bytes, source: str = "") -> Keys:
    """The subkeys of a county key."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.hmac import HMAC
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    def sub(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(raw)

    mac = HMAC(sub(b"povmon v1 id-number hmac-sha256"), hashes.SHA256())
    stamp = HMAC(sub(b"povmon v1 key fingerprint"), hashes.SHA256())
    stamp.update(_FINGERPRINT_TEXT)
    return Keys(AESGCM(sub(b"povmon v1 aes-256-gcm")), mac, stamp.finalize().hex(), source)


def configured() -> bool:
    """Whether this process is told of a county key (``POVMON_KEY``, ``POVMON_KEY_FILE`` or the default file)."""
    return bool(os.environ.get(KEY_ENV) or os.environ.get(KEY_FILE_ENV)) or key_file_path().exists()


def key_file_path() -> Path:
    """The key file this process reads when ``POVMON_KEY`` is not set."""
    return Path(os.environ.get(KEY_FILE_ENV) or DEFAULT_KEY_FILE).expanduser()


def _read_key() -> tuple[bytes, str]:
    text = os.environ.get(KEY_ENV)
    if text:
        return decode_key(text, KEY_ENV), KEY_ENV
    path = key_file_path()
    named = os.environ.get(KEY_FILE_ENV)
    if not path.exists():
        if named:
            raise KeyMissing(f"没有找到县密钥：{KEY_FILE_ENV} 指向的 {path} 不存在；请把县里保管的密钥文件放到那里，"
                             f"或改正 {KEY_FILE_ENV}；新建县库时用 povmon key new 生成。")
        raise KeyMissing(f"没有找到县密钥：{_HOW}")
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyMissing(f"县密钥文件 {path} 读不出来（{exc.__class__.__name__}）；请检查它的权限，"
                         "或换上县里保管的那份密钥文件。") from exc
    return decode_key(text, str(path)), str(path)


def decode_key(text: str, where: str) -> bytes:
    """A key as written in a key file or ``POVMON_KEY`` (base64url of 32 bytes)."""
    cleaned = "".join(text.split())
    try:
        raw = base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise KeyMissing(f"{where} 里的县密钥格式不对（应为 povmon key new 生成的 32 字节 base64 文本）；"
                         "请换上县里保管的原密钥文件。")
    return raw


def encode_key(raw: bytes) -> str:
    """The text of a key file."""
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def new_key() -> bytes:
    """A new county key: 32 bytes from the operating system's random source."""
    return os.urandom(KEY_BYTES)


def write_key_file(path: Path | str) -> Path:
    """Write a new key file (mode 0600, atomically); an existing file is never replaced."""
    from povmon import files

    target = Path(path).expanduser()
    if target.exists() or target.is_symlink():
        raise PovmonError(f"{target} 已经存在，没有覆盖它（覆盖县密钥会让用它加密的数据再也打不开，"
                          "加 --force 也不行）；请换一个文件名。")
    if not target.parent.is_dir():
        target.parent.mkdir(parents=True, mode=0o700)
    files.check_target(target)
    with files.atomic(target, private=True) as temp:
        temp.write_text(encode_key(new_key()) + "\n", encoding="ascii")
    return target


def seal(value: str | None, column: str) -> str | None:
    """A value encrypted for its column (None stays None)."""
    if value is None:
        return None
    nonce = os.urandom(NONCE_BYTES)
    sealed = keys().aead.encrypt(nonce, str(value).encode("utf-8"), column.encode("ascii"))
    return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def unseal(text: str | None, column: str) -> str | None:
    """A sealed value in clear; text that is not sealed (a value written before encryption) as it is."""
    if text is None or not text.startswith(PREFIX):
        return text
    blob = base64.b64decode(text[len(PREFIX):])
    aead = keys().aead
    try:
        return aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], column.encode("ascii")).decode("utf-8")
    except Exception as exc:
        from cryptography.exceptions import InvalidTag

        if isinstance(exc, InvalidTag):
            raise WrongKey(WRONG_KEY) from exc
        raise


def normalize_id(number: str) -> str:
    """An ID number as it is hashed: rules.idcard.normalize (ASCII, no spaces, upper-case X)."""
    from povmon.rules import idcard

    return idcard.normalize(number)


def id_hash(number: str | None) -> str | None:
    """The keyed hash (HMAC-SHA256, hex) of a normalised ID number: what look-ups and unique indexes compare."""
    if number is None:
        return None
    if not (number.__class__ is str and number.isascii() and number.isalnum() and "x" not in number):
        number = normalize_id(str(number))  # a stored or imported number is already normal: that is the fast path
    return digest(number)


def digest(text: str) -> str:
    """A keyed hash of any text holding an ID number (a department row's content key): not reversible by guessing."""
    mac = keys().mac.copy()
    mac.update(text.encode("utf-8"))
    return mac.finalize().hex()


def fingerprint() -> str:
    """The fingerprint of the key in use (stored in the database, compared before every commit)."""
    return keys().fingerprint
